package dev.json2parquet.flush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.dlq.RecoveryStore;
import dev.json2parquet.dlq.RecoveryStores;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.Batches;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.sink.Sink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits run on their own threads: failures there are retried like failed writes, and close waits
 * for them. The sink is in memory because a failing fsync cannot be staged with real files.
 */
@Timeout(30)
class FlusherTest {
  private static final RecordSchema SCHEMA = RecordType.log().schema();

  @Test
  void commit_whenItFailsOnce_isRetriedUnderTheSameName() throws Exception {
    MemorySink sink = new MemorySink(1);
    List<Batch> released = new CopyOnWriteArrayList<>();
    Flusher flusher = flusher(sink, released);

    flusher.submit(batch("a"));
    flusher.close();

    assertThat(flusher.stats().files()).isEqualTo(1);
    assertThat(flusher.stats().records()).isEqualTo(1);
    assertThat(flusher.stats().failedRecords()).isZero();
    assertThat(sink.committed).hasSize(1);
    assertThat(sink.aborted).hasSize(1);
    assertThat(sink.committed.keySet()).containsExactlyElementsOf(sink.aborted);
    assertThat(released).hasSize(1);
  }

  @Test
  void commit_whenEveryAttemptFails_countsTheRecordsAsFailedAndReleasesOnce() throws Exception {
    MemorySink sink = new MemorySink(Integer.MAX_VALUE);
    List<Batch> released = new CopyOnWriteArrayList<>();
    Flusher flusher = flusher(sink, released);

    flusher.submit(batch("a"));
    flusher.close();

    assertThat(flusher.stats().files()).isZero();
    assertThat(flusher.stats().failedRecords()).isEqualTo(1);
    assertThat(flusher.stats().failures()).singleElement().asString().contains("Cannot write 1 records", "disk full");
    assertThat(sink.aborted).hasSize(Flusher.RETRIES + 1);
    assertThat(released).hasSize(1);
  }

  @Test
  void close_waitsUntilEveryFileIsCommitted() throws Exception {
    MemorySink sink = new MemorySink(0);
    List<Batch> released = new CopyOnWriteArrayList<>();
    Flusher flusher = flusher(sink, released);
    int batches = 3 * (Flusher.COMMITTERS + Flusher.COMMIT_QUEUE);

    for (int i = 0; i < batches; i++) {
      flusher.submit(batch("k" + i));
    }
    flusher.close();

    assertThat(sink.committed).hasSize(batches);
    assertThat(sink.committed.values()).allSatisfy(bytes -> assertThat(bytes).startsWith('P', 'A', 'R', '1'));
    assertThat(flusher.stats().files()).isEqualTo(batches);
    assertThat(released).hasSize(batches);
  }

  /** Retries run at once; the delays they asked for are kept. */
  private final List<Long> delays = new CopyOnWriteArrayList<>();

  @TempDir
  Path dir;

  private Flusher flusher(Sink sink, List<Batch> released) {
    Layout layout = new Layout(PathTemplate.parse("", SCHEMA), PathTemplate.parse("{level}", SCHEMA), "run");
    return new Flusher(2, sink, layout, SCHEMA, WriterSettings.defaults(), Map.of(), released::add)
        .retryWith((task, delay) -> {
          delays.add(delay);
          task.run();
        });
  }

  @Test
  void write_whenEveryAttemptFails_backsOffExponentially() throws Exception {
    Flusher flusher = flusher(new MemorySink(Integer.MAX_VALUE), new CopyOnWriteArrayList<>());

    flusher.submit(batch("a"));
    flusher.close();

    assertThat(delays).containsExactly(Flusher.BACKOFF_BASE, 2 * Flusher.BACKOFF_BASE);
    assertThat(Flusher.backoffNanos(10)).isEqualTo(Flusher.BACKOFF_CAP);
    assertThat(Flusher.backoffNanos(63)).isEqualTo(Flusher.BACKOFF_CAP);
  }

  @Test
  void commit_whenEveryAttemptFails_holdsTheBatchInTheRecoveryStore() throws Exception {
    MemorySink sink = new MemorySink(Integer.MAX_VALUE);
    List<Batch> released = new CopyOnWriteArrayList<>();
    RecoveryStore store = RecoveryStores.at(dir.resolve("rec"), Clock.systemUTC());
    Flusher flusher = flusher(sink, released).recoverInto(store);

    flusher.submit(batch("a", 5));
    flusher.close();

    assertThat(flusher.stats().failedRecords()).isZero();
    assertThat(flusher.stats().failures()).isEmpty();
    assertThat(flusher.stats().recordsInRecovery()).isEqualTo(5);
    assertThat(flusher.stats().filesInRecovery()).isEqualTo(1);
    assertThat(released).hasSize(1);
    RecoveryStore.Entry e = store.list().get(0);
    assertThat(e.path()).isEqualTo(sink.aborted.get(Flusher.RETRIES));
    assertThat(e.key()).containsExactly("a");
    assertThat(e.records()).isEqualTo(5);
    assertThat(e.attempts()).isEqualTo(Flusher.RETRIES + 1);
    assertThat(e.lastError()).contains("disk full");
    assertThat(e.runId()).isEqualTo("run");
    try (InputStream in = store.open(e)) {
      byte[] bytes = in.readAllBytes();
      assertThat(bytes).startsWith('P', 'A', 'R', '1').endsWith('P', 'A', 'R', '1');
    }
  }

  @Test
  void commit_whenTheRecoveryStoreCannotBeWritten_saysWhatIsLost() throws Exception {
    Path blocker = Files.createFile(dir.resolve("not-a-dir"));
    List<Batch> released = new CopyOnWriteArrayList<>();
    Flusher flusher = flusher(new MemorySink(Integer.MAX_VALUE), released)
        .recoverInto(RecoveryStores.at(blocker.resolve("rec"), Clock.systemUTC()));

    flusher.submit(batch("a", 7));
    flusher.close();

    assertThat(flusher.stats().recordsInRecovery()).isZero();
    assertThat(flusher.stats().failedRecords()).isEqualTo(7);
    assertThat(flusher.stats().failures()).singleElement().asString()
        .startsWith("Cannot write 7 records of key [a] in partition [] (for memory:a-run-000001.parquet): "
            + "java.io.IOException: disk full; nor keep them in the recovery store " + blocker.resolve("rec") + ": ")
        .endsWith("; these records are lost");
    assertThat(released).hasSize(1);
  }

  private Flusher rolling(Sink sink, List<Batch> released) {
    return flusher(sink, released).rollFiles(new Flusher.Rolling(1_000_000, 512L << 20, 16, Long.MAX_VALUE,
        System::nanoTime));
  }

  private static Batch bytes(String key, int records, long firstRecord) {
    return new Batch(new BucketKey(List.of(), List.of(key)), Batches.filler(SCHEMA, records), 1, Batch.Reason.BYTES,
        firstRecord, 0);
  }

  @Test
  void commit_ofAFileOfSeveralFlushes_whenEveryAttemptFails_holdsEveryRowGroupInTheRecoveryStore() throws Exception {
    MemorySink sink = new MemorySink(Integer.MAX_VALUE);
    List<Batch> released = new CopyOnWriteArrayList<>();
    RecoveryStore store = RecoveryStores.at(dir.resolve("rec"), Clock.systemUTC());
    Flusher flusher = rolling(sink, released).recoverInto(store);

    flusher.submit(bytes("a", 5, 0));
    flusher.submit(bytes("a", 6, 5));
    flusher.submit(bytes("a", 7, 11));
    flusher.close();

    assertThat(released).hasSize(3);
    assertThat(flusher.stats().failedRecords()).isZero();
    assertThat(flusher.stats().recordsInRecovery()).isEqualTo(18);
    RecoveryStore.Entry e = store.list().get(0);
    assertThat(e.path()).isEqualTo("a-run-000000000.parquet");
    assertThat(e.records()).isEqualTo(18);
    Path held = dir.resolve("held.parquet");
    try (InputStream in = store.open(e)) {
      Files.copy(in, held);
    }
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(held), ParquetReadOptions.builder().build())) {
      assertThat(reader.getRowGroups()).extracting(b -> b.getRowCount()).containsExactly(5L, 6L, 7L);
    }
    assertThat(sink.aborted).containsOnly("a-run-000000000.parquet").hasSize(Flusher.RETRIES + 1);
  }

  @Test
  void append_toAFileOfEarlierFlushes_whenTheStreamFailsOnce_isRetriedWithTheEarlierRowGroupsReadBack()
      throws Exception {
    MemorySink sink = new MemorySink(0);
    List<Batch> released = new CopyOnWriteArrayList<>();
    Flusher flusher = rolling(sink, released);

    flusher.submit(bytes("a", 5, 0));
    flusher.submit(bytes("a", 6, 5));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> released.size() == 2);
    sink.failWriteOnce.set(0); // the next write of the third batch's row group breaks halfway
    flusher.submit(bytes("a", 7, 11));
    flusher.close();

    assertThat(released).hasSize(3);
    assertThat(flusher.stats().failedRecords()).isZero();
    assertThat(flusher.stats().records()).isEqualTo(18);
    assertThat(sink.aborted).containsExactly("a-run-000000000.parquet");
    Path written = dir.resolve("written.parquet");
    Files.write(written, sink.committed.get("a-run-000000000.parquet"));
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(written), ParquetReadOptions.builder().build())) {
      assertThat(reader.getRecordCount()).isEqualTo(18);
      assertThat(reader.getRowGroups()).extracting(b -> b.getRowCount()).containsExactly(5L, 6L, 7L);
    }
  }

  @Test
  void append_whenTheSinkCannotReadBackEarlierRowGroups_countsThemAsLostAndWritesTheRest() throws Exception {
    MemorySink sink = new MemorySink(0);
    sink.readBack = false;
    List<Batch> released = new CopyOnWriteArrayList<>();
    Flusher flusher = rolling(sink, released);

    flusher.submit(bytes("a", 5, 0));
    flusher.submit(bytes("a", 6, 5));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> released.size() == 2);
    sink.failWriteOnce.set(0);
    flusher.submit(bytes("a", 7, 11));
    flusher.close();

    assertThat(released).hasSize(3);
    assertThat(flusher.stats().failedRecords()).as(flusher.stats().failures().toString()).isEqualTo(11);
    assertThat(flusher.stats().failures()).singleElement().asString()
        .startsWith("Cannot write 11 records of key [a] in partition [] (in memory:a-run-000000000.parquet): "
            + "java.io.IOException: stream broke; nor read them back to retry: ")
        .endsWith("; these records are lost");
    assertThat(flusher.stats().records()).isEqualTo(7);
    assertThat(flusher.stats().records() + flusher.stats().failedRecords()).isEqualTo(18);
  }

  private static Batch batch(String key) {
    return batch(key, 1);
  }

  private static Batch batch(String key, int records) {
    return new Batch(new BucketKey(List.of(), List.of(key)), Batches.filler(SCHEMA, records), 1, Batch.Reason.SHUTDOWN);
  }

  /** Keeps committed files in memory; the first {@code failures} commits throw. */
  private static final class MemorySink implements Sink {
    final Map<String, byte[]> committed = new ConcurrentHashMap<>();
    final List<String> aborted = new CopyOnWriteArrayList<>();
    /** Counts down on every write of an array; the write that finds it at 0 fails halfway (once). */
    final AtomicInteger failWriteOnce = new AtomicInteger(-1);
    /** Whether aborted files give their bytes back. */
    volatile boolean readBack = true;
    private final AtomicInteger failuresLeft;

    MemorySink(int failures) {
      this.failuresLeft = new AtomicInteger(failures);
    }

    @Override
    public boolean delete(String relativePath) {
      return committed.remove(relativePath) != null;
    }

    @Override
    public Pending create(String relativePath) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      OutputStream stream = new OutputStream() {
        @Override
        public void write(int b) {
          bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          if (failWriteOnce.getAndDecrement() == 0) {
            bytes.write(b, off, len / 2);
            throw new IOException("stream broke");
          }
          bytes.write(b, off, len);
        }
      };
      return new Pending() {
        @Override
        public OutputStream stream() {
          return stream;
        }

        @Override
        public void commit() throws IOException {
          if (failuresLeft.getAndDecrement() > 0) {
            throw new IOException("disk full");
          }
          committed.put(relativePath, bytes.toByteArray());
        }

        @Override
        public void abort() {
          aborted.add(relativePath);
        }

        @Override
        public InputStream abortAndReadBack() {
          abort();
          return readBack ? new java.io.ByteArrayInputStream(bytes.toByteArray()) : null;
        }
      };
    }

    @Override
    public String locate(String relativePath) {
      return "memory:" + relativePath;
    }

    @Override
    public void close() {}
  }
}
