package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.parquet.BatchEncoder;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.Batches;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.RecordType;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files are written without dictionary pages; larger ones keep them. Read by DuckDB. */
class SmallFileEncodingTest {
  private static final RecordSchema SCHEMA = RecordType.log().schema();

  @TempDir
  Path dir;

  @Test
  void fewRecords_areWrittenWithoutDictionaries() throws Exception {
    Path file = write(63);

    try (DuckDb db = new DuckDb()) {
      assertThat(db.query("SELECT count(*) AS n FROM read_parquet('" + file + "')").get(0).get("n")).isEqualTo(63L);
      assertThat(dictionaryColumns(db, file)).isZero();
    }
  }

  @Test
  void manyRecords_keepTheirDictionaries() throws Exception {
    Path file = write(64);

    try (DuckDb db = new DuckDb()) {
      assertThat(dictionaryColumns(db, file)).isPositive();
    }
  }

  private Path write(int records) throws Exception {
    ColumnBatch batch = Batches.filler(SCHEMA, records);
    Path file = dir.resolve(records + ".parquet");
    try (OutputStream out = Files.newOutputStream(file)) {
      new BatchEncoder(SCHEMA, WriterSettings.defaults()).encode(batch, out, Map.of());
    }
    return file;
  }

  private static long dictionaryColumns(DuckDb db, Path file) throws Exception {
    return (Long) db.query("SELECT count(*) AS n FROM parquet_metadata('" + file + "') WHERE dictionary_page_offset IS NOT NULL")
        .get(0).get("n");
  }
}
