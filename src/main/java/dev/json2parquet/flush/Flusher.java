package dev.json2parquet.flush;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.parquet.BatchEncoder;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.sink.Sink;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes batches into Parquet files on a fixed pool of threads, one encoder per thread, so that
 * several keys are encoded in parallel while the reader keeps parsing. A failed write is retried
 * {@code RETRIES} times with a fresh file; after that its records are counted as failed and the
 * reason kept. Every batch is handed back to {@code release} exactly once, written or not.
 */
public final class Flusher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
  static final int RETRIES = 2;
  private static final AtomicBoolean WARMED = new AtomicBoolean();

  private final ExecutorService pool;
  private final ThreadLocal<BatchEncoder> encoders;
  private final Sink sink;
  private final Layout layout;
  private final Consumer<Batch> release;
  private final FlushStats stats = new FlushStats();
  private final Map<String, String> metadata;

  public Flusher(int threads, Sink sink, Layout layout, RecordSchema schema, WriterSettings settings,
      Map<String, String> metadata, Consumer<Batch> release) {
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "encoder-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.encoders = ThreadLocal.withInitial(() -> new BatchEncoder(schema, settings));
    warmUpOnce(schema, settings);
    this.sink = sink;
    this.layout = layout;
    this.release = release;
    this.metadata = Map.copyOf(metadata);
  }

  /**
   * Once per JVM, writes a one-record file into a stream that discards it, on a background thread
   * while the reader starts on the input: parquet-java's write path loads a few thousand classes and
   * builds costly static state (a Jackson mapper, bit-packer tables) on first use, which a short run
   * would otherwise wait for after reading. A failure here only costs the head start: real writes
   * report their own errors.
   */
  private static void warmUpOnce(RecordSchema schema, WriterSettings settings) {
    if (!WARMED.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        new BatchEncoder(schema, settings).encode(ColumnBatch.filler(schema), OutputStream.nullOutputStream(), Map.of());
      } catch (Exception | LinkageError e) {
        LOG.debug("encoder warm-up failed", e);
      }
    }, "encoder-warm-up");
    t.setDaemon(true);
    t.start();
  }

  public FlushStats stats() {
    return stats;
  }

  /** Queues a batch for writing; returns at once. */
  public void submit(Batch batch) {
    pool.execute(() -> write(batch));
  }

  private void write(Batch batch) {
    try {
      Exception last = null;
      for (int attempt = 0; attempt <= RETRIES; attempt++) {
        String path = layout.nextFile(batch.key());
        Sink.Pending file = null;
        try {
          file = sink.create(path);
          long size = encoders.get().encode(batch.records(), file.stream(), metadata);
          file.commit();
          stats.records.add(batch.records().records());
          stats.files.increment();
          stats.bytes.add(size);
          LOG.debug("wrote {} records to {} ({})", batch.records().records(), path, batch.reason());
          return;
        } catch (Exception | OutOfMemoryError e) {
          last = e instanceof Exception ex ? ex : new RuntimeException(e);
          if (file != null) {
            file.abort();
          }
          LOG.warn("Cannot write {} (attempt {} of {}): {}", sink.locate(path), attempt + 1, RETRIES + 1,
              e.toString());
          LOG.debug("write failure", e);
        }
      }
      stats.failedRecords.add(batch.records().records());
      stats.fail("Cannot write " + batch.records().records() + " records of key " + batch.key().key()
          + " in partition " + batch.key().partition() + ": " + last);
    } finally {
      release.accept(batch);
    }
  }

  /** Waits for every queued batch to be written, then stops the threads. */
  @Override
  public void close() throws InterruptedException {
    pool.shutdown();
    while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
      LOG.info("waiting for the encoders to finish");
    }
  }
}
