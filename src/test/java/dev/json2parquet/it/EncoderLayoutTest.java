package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoder's file layout: several row groups and pages per column, dictionary encoding where it
 * pays and PLAIN where it does not, and statistics of every row group equal to the minimum and
 * maximum DuckDB computes from the values it reads back.
 */
class EncoderLayoutTest {
  @TempDir
  Path dir;

  @Test
  void convert_smallRowGroupsAndPages_valuesStatisticsAndEncodingsRight() throws Exception {
    Path in = dir.resolve("in.jsonl");
    assertThat(Cli.run("generate", "--count", "2e4", "--seed", "12", "-o", in.toString()).exit()).isZero();
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--key", "", "--partition", "",
        "--row-group-size", "1MiB", "--page-size", "8KiB", in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    List<Path> files = DuckDb.parquetFiles(out);
    assertThat(files).hasSize(1);
    Path file = files.get(0);
    Map<String, ObjectNode> expected = new HashMap<>();
    for (String line : Files.readAllLines(in, StandardCharsets.UTF_8)) {
      ObjectNode e = LogExpectation.expected(line);
      expected.put(e.get("message_id").asText(), e);
    }
    try (DuckDb duck = new DuckDb()) {
      for (JsonNode row : duck.rows(file)) {
        ObjectNode want = expected.remove(row.get("message_id").asText());
        assertThat(want).as("row %s", row.get("message_id")).isNotNull();
        assertThat(LogExpectation.compact(row)).isEqualTo(want);
      }
      assertThat(expected).isEmpty();

      List<Map<String, Object>> groups = duck.query("SELECT row_group_id, any_value(row_group_num_rows) AS n "
          + "FROM parquet_metadata('" + file + "') GROUP BY row_group_id ORDER BY row_group_id");
      assertThat(groups.size()).as("row groups").isGreaterThan(3);
      long first = 0;
      for (Map<String, Object> g : groups) {
        long n = ((Number) g.get("n")).longValue();
        for (String column : List.of("level", "message", "message_id", "session_id", "audit", "time")) {
          assertStatistics(duck, file, ((Number) g.get("row_group_id")).longValue(), column, first, first + n);
        }
        first += n;
      }
      assertThat(first).isEqualTo(20_000);
      assertThat(encodings(duck, file, "level")).contains("DICTIONARY");
      assertThat(encodings(duck, file, "message_id")).doesNotContain("DICTIONARY");
      assertThat(pagesOfFirstRowGroup(duck, file, "message_id")).isGreaterThan(5);
    }
  }

  @Test
  void convert_dynamicNumbersDatesAndLists_acrossPagesAndDictionaries() throws Exception {
    Path schema = dir.resolve("schema.json");
    Files.writeString(schema, """
        {"type": "object", "properties": {
          "id": {"type": "integer"},
          "small": {"type": ["integer", "null"]},
          "ratio": {"type": ["number", "null"]},
          "day": {"type": ["string", "null"], "format": "date"},
          "ts": {"type": ["string", "null"], "format": "date-time"},
          "ok": {"type": ["boolean", "null"]},
          "codes": {"type": ["array", "null"], "items": {"type": ["integer", "null"]}}
        }, "required": ["id"]}
        """);
    Random random = new Random(3);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      StringBuilder b = new StringBuilder("{\"id\":").append(i);
      if (random.nextInt(5) > 0) {
        b.append(",\"small\":").append(random.nextInt(7) - 3);
      }
      if (random.nextInt(5) > 0) {
        b.append(",\"ratio\":").append(random.nextInt(4) == 0 ? "0.5" : Double.toString(random.nextGaussian() * 1e6));
      }
      if (random.nextBoolean()) {
        b.append(",\"day\":\"2024-0").append(1 + random.nextInt(9)).append("-1").append(random.nextInt(10)).append('"');
      }
      if (random.nextBoolean()) {
        b.append(",\"ts\":\"2024-03-0").append(1 + random.nextInt(9)).append("T12:").append(10 + random.nextInt(50))
            .append(":00.").append(100 + random.nextInt(900)).append("Z\"");
      }
      if (random.nextInt(3) > 0) {
        b.append(",\"ok\":").append(random.nextBoolean());
      }
      int codes = random.nextInt(5) - 1;
      if (codes >= 0) {
        b.append(",\"codes\":[");
        for (int c = 0; c < codes; c++) {
          b.append(c > 0 ? "," : "").append(random.nextInt(10) == 0 ? "null" : Integer.toString(random.nextInt(1000)));
        }
        b.append(']');
      }
      lines.add(b.append('}').toString());
    }
    Path in = dir.resolve("in.jsonl");
    Files.write(in, lines, StandardCharsets.UTF_8);
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--schema", schema.toString(),
        "--row-group-size", "1MiB", "--page-size", "4KiB", in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    Path file = DuckDb.parquetFiles(out).get(0);
    try (DuckDb duck = new DuckDb()) {
      String want = "read_json('" + in + "', columns = {id: 'BIGINT', small: 'BIGINT', ratio: 'DOUBLE', "
          + "day: 'DATE', ts: 'TIMESTAMPTZ', ok: 'BOOLEAN', codes: 'BIGINT[]'})";
      List<Map<String, Object>> diff = duck.query("SELECT count(*) AS n FROM (SELECT id, small, ratio, day, "
          + "epoch_us(ts) AS ts, ok, codes FROM " + want + " EXCEPT ALL SELECT id, small, ratio, day, epoch_us(ts), ok, codes "
          + "FROM read_parquet('" + file + "'))");
      assertThat(diff.get(0).get("n")).isEqualTo(0L);
      assertThat(duck.query("SELECT count(*) AS n FROM read_parquet('" + file + "')").get(0).get("n")).isEqualTo(30_000L);
      List<Map<String, Object>> groups = duck.query("SELECT row_group_id, any_value(row_group_num_rows) AS n "
          + "FROM parquet_metadata('" + file + "') GROUP BY row_group_id ORDER BY row_group_id");
      assertThat(groups.size()).isGreaterThan(1);
      long first = 0;
      for (Map<String, Object> g : groups) {
        long n = ((Number) g.get("n")).longValue();
        for (String column : List.of("id", "small", "ratio", "day", "ok")) {
          assertStatistics(duck, file, ((Number) g.get("row_group_id")).longValue(), column, first, first + n);
        }
        first += n;
      }
      assertThat(encodings(duck, file, "small")).contains("DICTIONARY");
      assertThat(encodings(duck, file, "id")).doesNotContain("DICTIONARY");
      assertThat(pagesOfFirstRowGroup(duck, file, "id")).isGreaterThan(3);
    }
  }

  /** The row group's min/max statistics of {@code column} equal DuckDB's min/max over its rows. */
  private static void assertStatistics(DuckDb duck, Path file, long group, String column, long from, long to)
      throws Exception {
    Map<String, Object> stats = duck.query("SELECT stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls "
        + "FROM parquet_metadata('" + file + "') WHERE row_group_id = " + group + " AND path_in_schema = '" + column + "'")
        .get(0);
    Map<String, Object> actual = duck.query("SELECT min(" + column + ")::VARCHAR AS lo, max(" + column + ")::VARCHAR AS hi, "
        + "count(*) - count(" + column + ") AS nulls FROM read_parquet('" + file + "', file_row_number = true) "
        + "WHERE file_row_number >= " + from + " AND file_row_number < " + to).get(0);
    assertThat(stats.get("nulls")).as("%s nulls in row group %s", column, group)
        .isEqualTo(((Number) actual.get("nulls")).longValue());
    if (actual.get("lo") == null) {
      assertThat(stats.get("lo")).isNull();
      return;
    }
    String lo = String.valueOf(stats.get("lo"));
    String hi = String.valueOf(stats.get("hi"));
    if (column.equals("ratio")) {
      assertThat(Double.parseDouble(lo)).isEqualTo(Double.parseDouble((String) actual.get("lo")));
      assertThat(Double.parseDouble(hi)).isEqualTo(Double.parseDouble((String) actual.get("hi")));
      return;
    }
    assertThat(lo).as("%s min in row group %s", column, group).isEqualTo(actual.get("lo"));
    assertThat(hi).as("%s max in row group %s", column, group).isEqualTo(actual.get("hi"));
  }

  private static String encodings(DuckDb duck, Path file, String column) throws Exception {
    return duck.query("SELECT string_agg(encodings, ',') AS e FROM parquet_metadata('" + file + "') WHERE path_in_schema = '"
        + column + "'").get(0).get("e").toString();
  }

  /** Data pages of the column's first chunk, counted by walking its page headers. */
  private static int pagesOfFirstRowGroup(DuckDb duck, Path file, String column) throws Exception {
    Map<String, Object> chunk = duck.query("SELECT coalesce(dictionary_page_offset, data_page_offset) AS at, "
        + "total_compressed_size AS size FROM parquet_metadata('" + file + "') WHERE row_group_id = 0 "
        + "AND path_in_schema = '" + column + "'").get(0);
    long at = ((Number) chunk.get("at")).longValue();
    long end = at + ((Number) chunk.get("size")).longValue();
    int pages = 0;
    try (FileChannel channel = FileChannel.open(file)) {
      while (at < end) {
        channel.position(at);
        CountingInputStream in = new CountingInputStream(Channels.newInputStream(channel));
        PageHeader header = Util.readPageHeader(in);
        if (header.getType() == PageType.DATA_PAGE) {
          pages++;
        }
        at += in.count + header.getCompressed_page_size();
      }
    }
    return pages;
  }

  private static final class CountingInputStream extends FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
