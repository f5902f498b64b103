package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.internal.column.columnindex.ColumnIndex;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 600 KB string gives a small footer and page index: min and max are truncated to bounds of at most
 * 64 bytes (read by parquet-java), and DuckDB, which prunes pages by them, still finds every value.
 */
class LongValueStatisticsTest {
  @TempDir
  Path dir;

  private static final String LONG_A = "a".repeat(63) + "\u00e9" + "x".repeat(600_000);
  private static final String LONG_Z = "z".repeat(62) + "\u00ff" + "y".repeat(600_000);

  @Test
  void convert_600kbStrings_footerStaysSmallAndBoundsHoldEveryValue() throws Exception {
    Path out = convert("{\"s\":\"" + LONG_A + "\"}\n{\"s\":\"m\"}\n{\"s\":\"" + LONG_Z + "\"}\n");
    Path file = DuckDb.parquetFiles(out).get(0);

    assertThat(footerLength(file)).isLessThan(2_000);
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder().build())) {
      ColumnChunkMetaData chunk = column(reader, "s");
      Statistics<?> stats = chunk.getStatistics();
      assertThat(new String(stats.getMinBytes(), StandardCharsets.UTF_8)).isEqualTo("a".repeat(63));
      assertThat(new String(stats.getMaxBytes(), StandardCharsets.UTF_8)).isEqualTo("z".repeat(62) + "\u0100");
      assertThat(chunk.getColumnIndexReference().getLength()).isLessThan(500);
      ColumnIndex index = reader.readColumnIndex(chunk);
      assertThat(index.getMinValues()).allSatisfy(b -> assertThat(b.remaining()).isLessThanOrEqualTo(64));
      assertThat(index.getMaxValues()).allSatisfy(b -> assertThat(b.remaining()).isLessThanOrEqualTo(65));
    }
    try (DuckDb db = new DuckDb()) {
      String files = "read_parquet('" + file + "')";
      assertThat(db.query("SELECT s FROM " + files)).extracting(r -> r.get("s")).containsExactly(LONG_A, "m", LONG_Z);
      assertThat(db.query("SELECT count(*) AS n FROM " + files + " WHERE s = '" + LONG_Z + "'"))
          .containsExactly(Map.of("n", 1L));
      assertThat(db.query("SELECT count(*) AS n FROM " + files + " WHERE s <= '" + LONG_A + "'"))
          .containsExactly(Map.of("n", 1L));
    }
  }

  @Test
  void convert_longStringOfTheLastCodePoint_hasNoBoundsRatherThanAWrongOne() throws Exception {
    String top = new String(Character.toChars(Character.MAX_CODE_POINT)).repeat(40_000);
    Path out = convert("{\"s\":\"" + top + "\"}\n{\"s\":\"b\"}\n");
    Path file = DuckDb.parquetFiles(out).get(0);

    assertThat(footerLength(file)).isLessThan(2_000);
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder().build())) {
      ColumnChunkMetaData chunk = column(reader, "s");
      assertThat(chunk.getStatistics().hasNonNullValue()).isFalse();
      assertThat(reader.readColumnIndex(chunk)).isNull();
    }
    try (DuckDb db = new DuckDb()) {
      assertThat(db.query("SELECT count(*) AS n FROM read_parquet('" + file + "') WHERE s = '" + top + "'"))
          .containsExactly(Map.of("n", 1L));
    }
  }

  private Path convert(String lines) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, lines, StandardCharsets.UTF_8);
    Path out = dir.resolve("out");
    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--unknown-fields", "drop",
        "--partition", "", "--key", "", in.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    return out;
  }

  private static ColumnChunkMetaData column(ParquetFileReader reader, String name) {
    List<ColumnChunkMetaData> columns = reader.getRowGroups().get(0).getColumns();
    return columns.stream().filter(c -> Arrays.equals(c.getPath().toArray(), new String[] {name})).findFirst().orElseThrow();
  }

  /** The Thrift footer's length, from the last 8 bytes of the file. */
  private static int footerLength(Path file) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      f.seek(f.length() - 8);
      byte[] b = new byte[4];
      f.readFully(b);
      return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }
  }
}
