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
