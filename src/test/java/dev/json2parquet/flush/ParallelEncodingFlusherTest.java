package dev.json2parquet.flush;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.generate.LogGenerator;
import dev.json2parquet.parquet.BatchEncoder;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.sink.LocalSink;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single key's large batches, appended to its rolling file by one encoder thread at a time, have
 * their column chunks encoded by the idle encoder threads too; the file is the one a single thread
 * writes, byte for byte, and DuckDB reads every record of it.
 */
@Timeout(60)
class ParallelEncodingFlusherTest {
  private static final RecordType TYPE = RecordType.log();
  private static final int RECORDS = 40_000;
  private static final Map<String, String> METADATA = Map.of("json2parquet.run", "run");
  private static ColumnBatch records;

  @TempDir
  Path dir;

  @BeforeAll
  static void generate() throws Exception {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    new LogGenerator(new LogGenerator.Options(RECORDS, 5, 1, 0, Instant.parse("2024-11-24T00:00:00Z"))).write(lines);
    records = new ColumnBatch(TYPE.schema());
    JsonRecordReader reader = new JsonRecordReader(TYPE);
    byte[] b = lines.toByteArray();
    int start = 0;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\n') {
        reader.append(b, start, i - start, records);
        start = i + 1;
      }
    }
  }

  @Test
  void submit_aLargeBatchWithAnIdleEncoderThread_isEncodedWithItsHelp_intoTheSingleThreadBytes() throws Exception {
    Path two = dir.resolve("two");
    Path one = dir.resolve("one");

    long helped = convert(2, two);
    long alone = convert(1, one);

    assertThat(helped).as("helper tasks with two encoder threads").isPositive();
    assertThat(alone).as("helper tasks with one encoder thread").isZero();
    Path file = single(two);
    assertThat(java.util.Arrays.mismatch(Files.readAllBytes(file), Files.readAllBytes(single(one))))
        .as("first byte that differs from one encoder thread's").isEqualTo(-1);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    BatchEncoder sequential = new BatchEncoder(TYPE.schema(), WriterSettings.defaults());
    BatchEncoder.Open open = sequential.open(expected);
    sequential.append(open, records, 0, RECORDS / 2);
    sequential.append(open, records, RECORDS / 2, RECORDS / 2);
    sequential.finish(open, METADATA);
    assertThat(java.util.Arrays.mismatch(Files.readAllBytes(file), expected.toByteArray()))
        .as("first byte that differs from BatchEncoder's").isEqualTo(-1);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT message_id) FROM read_parquet('" + file + "')")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(RECORDS);
      assertThat(r.getLong(2)).isEqualTo(RECORDS);
    }
  }

  /** Two batches of half the records each, of one key, into one rolling file under {@code out}; returns the helper tasks started. */
  private static long convert(int threads, Path out) throws Exception {
    Files.createDirectories(out);
    Layout layout = new Layout(PathTemplate.parse("", TYPE.schema()), PathTemplate.parse("", TYPE.schema()), "run");
    Ticker ticker = () -> 0;
    Flusher f = new Flusher(threads, new LocalSink(out), layout, TYPE.schema(), WriterSettings.defaults(), METADATA,
        b -> { }).rollFiles(new Flusher.Rolling(1_000_000, 512L << 20, 16, Long.MAX_VALUE, ticker));
    BucketKey key = new BucketKey(List.of(), List.of(""));
    f.submit(new Batch(key, slice(0, RECORDS / 2), 1, Batch.Reason.BYTES, 0, 0));
    f.submit(new Batch(key, slice(RECORDS / 2, RECORDS / 2), 1, Batch.Reason.SHUTDOWN, RECORDS / 2, 0));
    f.close();
    assertThat(f.stats().records()).isEqualTo(RECORDS);
    return f.helpersStarted.sum();
  }

  private static ColumnBatch slice(int from, int n) {
    ColumnBatch b = new ColumnBatch(TYPE.schema());
    ColumnBatch.Cursor at = records.cursor();
    if (from > 0) {
      ColumnBatch skipped = new ColumnBatch(TYPE.schema());
      skipped.appendFrom(records, at, from);
    }
    b.appendFrom(records, at, n);
    return b;
  }

  private static Path single(Path out) throws Exception {
    try (Stream<Path> s = Files.list(out)) {
      List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
      assertThat(files).hasSize(1);
      return files.get(0);
    }
  }
}
