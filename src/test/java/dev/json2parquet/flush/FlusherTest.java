package dev.json2parquet.flush;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.Batches;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.sink.Sink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Commits run on their own threads: failures there are retried like failed writes, and close waits
 * for them. The sink is in memory because a failing fsync cannot be staged with real files.
 */
@Timeout(30)
class FlusherTest {
  private static final RecordSchema SCHEMA = RecordType.log().schema();

  @Test
  void commit_whenItFailsOnce_isRetriedWithAFreshFile() throws Exception {
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
    assertThat(sink.committed.keySet()).doesNotContainAnyElementsOf(sink.aborted);
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

  private static Flusher flusher(Sink sink, List<Batch> released) {
    Layout layout = new Layout(PathTemplate.parse("", SCHEMA), PathTemplate.parse("{level}", SCHEMA), "run");
    return new Flusher(2, sink, layout, SCHEMA, WriterSettings.defaults(), Map.of(), released::add);
  }

  private static Batch batch(String key) {
    return new Batch(new BucketKey(List.of(), List.of(key)), Batches.filler(SCHEMA, 1), 1, Batch.Reason.SHUTDOWN);
  }

  /** Keeps committed files in memory; the first {@code failures} commits throw. */
  private static final class MemorySink implements Sink {
    final Map<String, byte[]> committed = new ConcurrentHashMap<>();
    final List<String> aborted = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft;

    MemorySink(int failures) {
      this.failuresLeft = new AtomicInteger(failures);
    }

    @Override
    public Pending create(String relativePath) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      return new Pending() {
        @Override
        public OutputStream stream() {
          return bytes;
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
