package dev.json2parquet.flush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.Batches;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.sink.LocalSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The rolling writer's triggers that do not depend on size: the flush interval and the open-file cap. */
@Timeout(30)
class RollingFilesFlusherTest {
  private static final RecordSchema SCHEMA = RecordType.log().schema();
  private static final long INTERVAL = TimeUnit.SECONDS.toNanos(300);

  @TempDir
  Path dir;
  private final AtomicLong now = new AtomicLong();
  private Flusher flusher;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (flusher != null) {
      flusher.close();
    }
  }

  private Flusher flusher(int maxOpenFiles) {
    Layout layout = new Layout(PathTemplate.parse("", SCHEMA), PathTemplate.parse("{level}", SCHEMA), "run");
    flusher = new Flusher(2, new LocalSink(dir), layout, SCHEMA, WriterSettings.defaults(), Map.of(), b -> {})
        .rollFiles(new Flusher.Rolling(1_000_000, 512L << 20, maxOpenFiles, INTERVAL, now::get));
    return flusher;
  }

  private static Batch batch(String key, int records, long firstRecord, long firstNanos) {
    return new Batch(new BucketKey(List.of(), List.of(key)), Batches.filler(SCHEMA, records), 1, Batch.Reason.BYTES,
        firstRecord, firstNanos);
  }

  @Test
  void completeExpired_whenTheOldestRecordHasWaitedTheInterval_completesTheIdleFile() throws Exception {
    Flusher f = flusher(256);
    f.submit(batch("a", 10, 0, 0));
    f.submit(batch("a", 5, 10, 1_000));
    awaitWritten(f, 1); // both batches appended; the file is open

    now.set(INTERVAL - 1);
    f.completeExpired();
    assertThat(f.openFiles()).isEqualTo(1);
    assertThat(f.nanosUntilNextExpiry()).isEqualTo(1);
    assertThat(parquetFiles()).isEmpty();

    now.set(INTERVAL);
    f.completeExpired();

    assertThat(f.openFiles()).isZero();
    awaitWritten(f, 0);
    assertThat(parquetFiles()).containsExactly(dir.resolve("a-run-000000000.parquet"));
    assertThat(rows(dir.resolve("a-run-000000000.parquet"))).isEqualTo(15);
  }

  @Test
  void submit_overTheOpenFileCap_completesTheLeastRecentlyWrittenFile() throws Exception {
    Flusher f = flusher(2);
    f.submit(batch("a", 3, 0, 0));
    f.submit(batch("b", 4, 3, 0));
    f.submit(batch("a", 2, 7, 0)); // a is now the most recently written

    f.submit(batch("c", 5, 9, 0));

    assertThat(f.openFiles()).isEqualTo(2);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
        .until(() -> parquetFiles().size() == 1);
    awaitWritten(f, 2);
    assertThat(parquetFiles()).containsExactly(dir.resolve("b-run-000000003.parquet"));
    assertThat(rows(dir.resolve("b-run-000000003.parquet"))).isEqualTo(4);

    f.close();
    assertThat(parquetFiles()).containsExactly(dir.resolve("a-run-000000000.parquet"),
        dir.resolve("b-run-000000003.parquet"), dir.resolve("c-run-000000009.parquet"));
    assertThat(rows(dir.resolve("a-run-000000000.parquet"))).isEqualTo(5);
    assertThat(f.stats().records()).isEqualTo(14);
    assertThat(f.stats().files()).isEqualTo(3);
  }

  @Test
  void submit_manySmallBatches_completesTheFileAtTheRowGroupCap() throws Exception {
    Flusher f = flusher(256);
    for (int i = 0; i <= Flusher.MAX_ROW_GROUPS; i++) {
      f.submit(batch("a", 1, i, 0));
    }
    f.close();

    assertThat(parquetFiles()).containsExactly(dir.resolve("a-run-000000000.parquet"),
        dir.resolve("a-run-0000000" + Flusher.MAX_ROW_GROUPS + ".parquet"));
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(dir.resolve("a-run-000000000.parquet")),
        ParquetReadOptions.builder().build())) {
      assertThat(reader.getRowGroups()).hasSize(Flusher.MAX_ROW_GROUPS);
    }
    assertThat(rows(dir.resolve("a-run-0000000" + Flusher.MAX_ROW_GROUPS + ".parquet"))).isEqualTo(1);
  }

  /** Waits until only {@code open} files are unfinished: every submitted batch has been appended. */
  /**
   * A sink whose failure comes out only at the pause after whole row groups (as S3 part uploads
   * do), twice in a row: the second time on a file resumed from what the first kept and then
   * given a row group. What is kept must then include that row group, or the resumed file's
   * offsets no longer match its bytes.
   */
  @Test
  void pauseFailingTwiceInARow_afterAppendedRowGroups_keepsThemAll_theFileHasEveryRecord() throws Exception {
    java.util.concurrent.atomic.AtomicInteger failPauses = new java.util.concurrent.atomic.AtomicInteger(2);
    Layout layout = new Layout(PathTemplate.parse("", SCHEMA), PathTemplate.parse("{level}", SCHEMA), "run");
    flusher = new Flusher(1, new PauseFailingSink(new LocalSink(dir), failPauses), layout, SCHEMA,
        WriterSettings.defaults(), Map.of(), b -> {})
        .rollFiles(new Flusher.Rolling(1_000_000, 512L << 20, 256, INTERVAL, now::get))
        .retryWith((task, delay) -> task.run());

    flusher.submit(batch("a", 10, 0, 0));
    flusher.submit(batch("a", 5, 10, 0));
    flusher.submit(batch("a", 7, 15, 0));
    flusher.close();

    assertThat(failPauses.get()).isNegative();
    assertThat(parquetFiles()).containsExactly(dir.resolve("a-run-000000000.parquet"));
    assertThat(decodedRows(dir.resolve("a-run-000000000.parquet"))).isEqualTo(22);
    assertThat(flusher.stats().records()).isEqualTo(22);
    assertThat(flusher.stats().failedRecords()).isZero();
  }

  /** Rows counted by decoding every record of every row group (parquet-java), not from the footer alone. */
  private static long decodedRows(Path file) throws Exception {
    long n = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder().build())) {
      org.apache.parquet.schema.MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      org.apache.parquet.column.page.PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        var records = new org.apache.parquet.io.ColumnIOFactory().getColumnIO(schema)
            .getRecordReader(pages, new org.apache.parquet.example.data.simple.convert.GroupRecordConverter(schema));
        for (long r = 0; r < pages.getRowCount(); r++) {
          records.read();
          n++;
        }
      }
    }
    return n;
  }

  /** Passes everything to {@code real}; {@link Sink.Pending#pause} throws while {@code failPauses} counts down above 0. */
  private static final class PauseFailingSink implements dev.json2parquet.sink.Sink {
    private final dev.json2parquet.sink.Sink real;
    private final java.util.concurrent.atomic.AtomicInteger failPauses;

    PauseFailingSink(dev.json2parquet.sink.Sink real, java.util.concurrent.atomic.AtomicInteger failPauses) {
      this.real = real;
      this.failPauses = failPauses;
    }

    @Override
    public Pending create(String relativePath) throws java.io.IOException {
      Pending p = real.create(relativePath);
      return new Pending() {
        @Override
        public java.io.OutputStream stream() {
          return p.stream();
        }

        @Override
        public void commit() throws java.io.IOException {
          p.commit();
        }

        @Override
        public void abort() {
          p.abort();
        }

        @Override
        public java.io.InputStream abortAndReadBack() throws java.io.IOException {
          return p.abortAndReadBack();
        }

        @Override
        public void pause() throws java.io.IOException {
          if (failPauses.getAndDecrement() > 0) {
            throw new java.io.IOException("a part upload failed meanwhile");
          }
        }
      };
    }

    @Override
    public boolean readsBack() {
      return true;
    }

    @Override
    public boolean delete(String relativePath) throws java.io.IOException {
      return real.delete(relativePath);
    }

    @Override
    public String locate(String relativePath) {
      return real.locate(relativePath);
    }

    @Override
    public void close() throws java.io.IOException {
      real.close();
    }
  }

  private static void awaitWritten(Flusher f, int open) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> f.unfinished() == open);
  }

  private List<Path> parquetFiles() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  private static long rows(Path file) throws Exception {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder().build())) {
      return reader.getRecordCount();
    }
  }
}
