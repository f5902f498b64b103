package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.json2parquet.parquet.BatchEncoder;
import dev.json2parquet.parquet.Compression;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.RecordType;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoder's page cuts and string statistics on small pages: optional, required and repeated
 * string columns with random nulls, written PLAIN (dictionaries abandoned at once) and with
 * dictionaries, every value read back by DuckDB and each chunk's min and max checked against the
 * values' unsigned byte order.
 */
class EncoderPagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** ASCII, 2-, 3- and 4-byte UTF-8: signed byte order would put the multi-byte ones first. */
  private static final String[] LETTERS = {"a", "b", "z", "A", " ", "~", "\u00e9", "\u4e2d", "\ud83d\ude00"};

  @TempDir
  Path dir;

  @Test
  void plainPages_smallPagesAndRandomNulls_valuesAndMinMaxReadBack() throws Exception {
    // a 64-byte dictionary limit: every string column goes PLAIN at its first chunk
    check(new WriterSettings(Compression.SNAPPY, 128L << 20, 300, 64), 11);
  }

  @Test
  void dictionaryPages_smallPagesAndRandomNulls_valuesAndMinMaxReadBack() throws Exception {
    check(new WriterSettings(Compression.SNAPPY, 128L << 20, 300, 1 << 20), 23);
  }

  @Test
  void fewerRecordsThanAWordOfLevels_valuesReadBack() throws Exception {
    for (int records = 1; records < 20; records++) {
      write(new WriterSettings(Compression.SNAPPY, 128L << 20, 300, 64), records, new Random(records), "few");
    }
  }

  private void check(WriterSettings settings, long seed) throws Exception {
    Random random = new Random(seed);
    for (int trial = 0; trial < 12; trial++) {
      write(settings, 70 + random.nextInt(3000), random, "t" + trial);
    }
  }

  private void write(WriterSettings settings, int records, Random random, String name) throws Exception {
    RecordType type = RecordType.log();
    JsonRecordReader reader = new JsonRecordReader(type);
    ColumnBatch batch = new ColumnBatch(type.schema());
    List<ObjectNode> input = new ArrayList<>();
    double nulls = random.nextDouble();
    // a few values of 8 bytes and more that share their first 8 bytes: ordered past the prefix
    String[] shared = {"prefix01", "prefix01a", "prefix01b", "prefix01\u00e9", "prefix02", "prefix0"};
    for (int r = 0; r < records; r++) {
      ObjectNode o = JSON.createObjectNode();
      o.put("time", "2024-01-01T00:00:00Z");
      o.put("level", random.nextInt(4) == 0 ? shared[random.nextInt(shared.length)] : text(random, 6));
      o.put("message", text(random, 30));
      o.put("business_capability", "c");
      o.put("business_domain", "d");
      o.put("business_service", "s");
      o.put("application_service", "a");
      o.put("message_id", "m" + r);
      if (random.nextDouble() >= nulls) {
        o.put("session_id", random.nextBoolean() ? shared[random.nextInt(shared.length)] : text(random, 20));
      }
      int tags = random.nextInt(4);
      if (tags > 0) {
        var list = o.putArray("tags");
        for (int t = 0; t < tags; t++) {
          list.add(text(random, 4));
        }
      }
      input.add(o);
      byte[] line = JSON.writeValueAsBytes(o);
      reader.append(line, 0, line.length, batch);
    }
    Path file = dir.resolve(name + ".parquet");
    try (OutputStream out = Files.newOutputStream(file)) {
      new BatchEncoder(type.schema(), settings).encode(batch, out, Map.of());
    }

    try (DuckDb db = new DuckDb()) {
      List<JsonNode> rows = db.rows(file);
      assertThat(rows).hasSize(records);
      for (int r = 0; r < records; r++) {
        ObjectNode in = input.get(r);
        JsonNode out = rows.get(r);
        for (String f : List.of("level", "message", "message_id", "session_id")) {
          assertThat(text(out, f)).as("%s row %d %s", name, r, f).isEqualTo(text(in, f));
        }
        assertThat(tags(out)).as("%s row %d tags", name, r).isEqualTo(tags(in));
      }
      for (String f : List.of("level", "message", "session_id")) {
        List<String> values = input.stream().map(o -> text(o, f)).filter(Objects::nonNull).toList();
        var stats = db.query("SELECT stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('" + file
            + "') WHERE path_in_schema = '" + f + "'");
        assertThat(stats).as("%s %s", name, f).hasSize(1);
        if (!values.isEmpty()) {
          Comparator<String> bytes = (a, b) -> Arrays.compareUnsigned(utf8(a), utf8(b));
          assertThat(stats.get(0).get("lo")).as("%s %s min", name, f).isEqualTo(values.stream().min(bytes).get());
          assertThat(stats.get(0).get("hi")).as("%s %s max", name, f).isEqualTo(values.stream().max(bytes).get());
        }
      }
    }
  }

  private static String text(Random random, int maxLetters) {
    int n = random.nextInt(maxLetters + 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(LETTERS[random.nextInt(LETTERS.length)]);
    }
    return sb.toString();
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<String> tags(JsonNode o) {
    JsonNode v = o.get("tags");
    List<String> out = new ArrayList<>();
    if (v != null && !v.isNull()) {
      v.forEach(t -> out.add(t.asText()));
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
