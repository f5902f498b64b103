package dev.json2parquet.flush;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.dlq.RecoveryStore;
import dev.json2parquet.parquet.BatchEncoder;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.sink.Sink;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes batches into Parquet files on a fixed pool of threads, one encoder per thread, so that
 * several keys are encoded in parallel while the reader keeps parsing. Committing a file (for local
 * files: an fsync and a rename) mostly waits on the disk, so it runs on {@link #COMMITTERS} threads
 * of its own while the encoders go on with the next batch; when {@link #COMMIT_QUEUE} files already
 * wait, the encoder commits its file itself. A failed write or commit is retried {@link #RETRIES}
 * times with a fresh file, after a backoff ({@link #backoffNanos}); after that the batch is encoded
 * into the recovery store ({@link #recoverInto}) and its records count as in recovery, and only when
 * that fails too (or there is no store) as failed, with a message that says what was lost. Every
 * batch is handed back to {@code release} exactly once, written or not, after its file is committed
 * or stored.
 */
public final class Flusher implements AutoCloseable {
  /** Created at first use: setting up logging takes ~50 ms of start-up, and most runs log nothing. */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
  }

  /** Whether each file written is logged (at debug level). */
  private volatile boolean debug;
  static final int RETRIES = 2;
  static final int COMMITTERS = 4;
  static final int COMMIT_QUEUE = 32;
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
  /** The first retry waits this long; each further one twice as long as the one before. */
  static final long BACKOFF_BASE = TimeUnit.MILLISECONDS.toNanos(200);
  /** No retry waits longer than this. */
  static final long BACKOFF_CAP = TimeUnit.SECONDS.toNanos(5);

  /** Runs a task after a delay; retries wait through it, so tests can run them at once. */
  @FunctionalInterface
  public interface Scheduler {
    void schedule(Runnable task, long delayNanos);
  }

  private final ExecutorService encoderThreads;
  private final ExecutorService committerThreads;
  private final ThreadLocal<BatchEncoder> encoders;
  private final Sink sink;
  private final Layout layout;
  private final Consumer<Batch> release;
  private final FlushStats stats = new FlushStats();
  private final Map<String, String> metadata;
  /** Batches submitted and not yet released. Guarded by {@code this}. */
  private int unfinished;
  private final ScheduledThreadPoolExecutor retryTimer;
  private volatile Scheduler scheduler;
  private volatile RecoveryStore recovery;
  private final AtomicBoolean warnedRecovery = new AtomicBoolean();

  public Flusher(int threads, Sink sink, Layout layout, RecordSchema schema, WriterSettings settings,
      Map<String, String> metadata, Consumer<Batch> release) {
    this.encoderThreads = Executors.newFixedThreadPool(threads, daemons("encoder-"));
    this.committerThreads = new ThreadPoolExecutor(COMMITTERS, COMMITTERS, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(COMMIT_QUEUE), daemons("committer-"), new ThreadPoolExecutor.CallerRunsPolicy());
    this.encoders = ThreadLocal.withInitial(() -> new BatchEncoder(schema, settings));
    this.sink = sink;
    this.layout = layout;
    this.release = release;
    this.metadata = Map.copyOf(metadata);
    this.retryTimer = new ScheduledThreadPoolExecutor(1, daemons("retry-"));
    this.scheduler = (task, delay) -> retryTimer.schedule(task, delay, TimeUnit.NANOSECONDS);
  }

  /**
   * Batches that fail every attempt go to {@code store} (encoded again, then held durably) instead
   * of being counted as failed. Call before the first {@link #submit}.
   */
  public Flusher recoverInto(RecoveryStore store) {
    this.recovery = store;
    return this;
  }

  /** Retries wait through {@code scheduler} instead of a timer thread (for tests). Call before the first submit. */
  public Flusher retryWith(Scheduler scheduler) {
    this.scheduler = scheduler;
    return this;
  }

  /**
   * How long to wait before retrying after attempt {@code attempt} (0-based) failed: exponential
   * from {@link #BACKOFF_BASE}, at most {@link #BACKOFF_CAP}.
   */
  static long backoffNanos(int attempt) {
    return attempt >= 20 ? BACKOFF_CAP : Math.min(BACKOFF_CAP, BACKOFF_BASE << attempt);
  }

  /** Called on a committer thread just before a file is made visible at {@code path}. */
  @FunctionalInterface
  public interface CommitHook {
    /**
     * @param path the file's path relative to the sink, as {@link Layout#nextFile} made it
     * @param records the records the file holds
     * @throws java.io.IOException to fail this commit (it is then retried like a failed write)
     */
    void beforeCommit(String path, long records) throws java.io.IOException;
  }

  private volatile CommitHook beforeCommit = (path, records) -> { };

  /** Sets the hook run before each commit (the run journal's write-ahead record); thread-safe. */
  public Flusher beforeCommit(CommitHook hook) {
    this.beforeCommit = hook;
    return this;
  }

  /** Logs every file written, at debug level (for --verbose / debug = true). */
  public Flusher logEachFile(boolean on) {
    this.debug = on;
    return this;
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public FlushStats stats() {
    return stats;
  }

  /** Batches queued or being written and not yet committed or given up; thread-safe. */
  public synchronized int unfinished() {
    return unfinished;
  }

  /** Queues a batch for writing; returns at once. */
  public void submit(Batch batch) {
    synchronized (this) {
      unfinished++;
    }
    encoderThreads.execute(() -> write(batch, 0));
  }

  /** On an encoder thread: encodes the batch into a new file and hands the file to a committer. */
  private void write(Batch batch, int attempt) {
    String path = null;
    Sink.Pending file = null;
    long size;
    try {
      path = layout.nextFile(batch.key());
      file = sink.create(path);
      size = encoders.get().encode(batch.records(), file.stream(), metadata);
    } catch (Exception | OutOfMemoryError e) {
      failed(batch, attempt, path, file, e);
      return;
    }
    String named = path;
    Sink.Pending written = file;
    committerThreads.execute(() -> commit(batch, attempt, named, written, size));
  }

  private void commit(Batch batch, int attempt, String path, Sink.Pending file, long size) {
    try {
      beforeCommit.beforeCommit(path, batch.records().records());
      file.commit();
    } catch (Exception e) {
      failed(batch, attempt, path, file, e);
      return;
    }
    stats.records.add(batch.records().records());
    stats.files.increment();
    stats.bytes.add(size);
    if (debug) {
      Log.LOG.debug("wrote {} records to {} ({})", batch.records().records(), path, batch.reason());
    }
    finish(batch);
  }

  /**
   * Retries the batch on an encoder thread after a backoff, or after the last attempt hands it to
   * the recovery store. Each attempt is logged at debug level only: a broken disk must not print a
   * line per retry; the outcome is counted and reported once.
   */
  private void failed(Batch batch, int attempt, String path, Sink.Pending file, Throwable e) {
    if (file != null) {
      file.abort();
    }
    Log.LOG.debug("Cannot write {} (attempt {} of {})", path == null ? "a file of key " + batch.key().key()
        : sink.locate(path), attempt + 1, RETRIES + 1, e);
    if (attempt < RETRIES) {
      scheduler.schedule(() -> encoderThreads.execute(() -> write(batch, attempt + 1)), backoffNanos(attempt));
      return;
    }
    String error = e.toString();
    if (recovery == null || path == null) {
      lost(batch, path, "Cannot write " + describe(batch, path) + ": " + error);
      return;
    }
    encoderThreads.execute(() -> keep(batch, path, error));
  }

  /** On an encoder thread: encodes the batch again, into the recovery store. */
  private void keep(Batch batch, String path, String error) {
    RecoveryStore store = recovery;
    RecoveryStore.Entry manifest = new RecoveryStore.Entry(null, path, batch.key().partition(), batch.key().key(),
        batch.records().records(), RETRIES + 1, 0, error, null, layout.runId());
    try {
      store.hold(manifest, out -> encoders.get().encode(batch.records(), out, metadata));
    } catch (Exception | OutOfMemoryError e) {
      lost(batch, path, "Cannot write " + describe(batch, path) + ": " + error + "; nor keep them in the recovery store "
          + store.location() + ": " + e + "; these records are lost");
      return;
    }
    stats.inRecovery.add(batch.records().records());
    stats.recoveryFiles.increment();
    if (warnedRecovery.compareAndSet(false, true)) {
      Log.LOG.warn("Cannot write {} after {} attempts: {}; kept it in the recovery store {} (further such files"
          + " are counted in the summary)", sink.locate(path), RETRIES + 1, error, store.location());
    }
    finish(batch);
  }

  private void lost(Batch batch, String path, String message) {
    stats.failedRecords.add(batch.records().records());
    stats.fail(message);
    finish(batch);
  }

  /** {@code N records of key [..] in partition [..] (for PATH)}: what a lost batch held. */
  private String describe(Batch batch, String path) {
    return batch.records().records() + " records of key " + batch.key().key() + " in partition "
        + batch.key().partition() + (path == null ? "" : " (for " + sink.locate(path) + ")");
  }

  private void finish(Batch batch) {
    try {
      release.accept(batch);
    } finally {
      synchronized (this) {
        unfinished--;
        notifyAll();
      }
    }
  }

  /** Waits for every queued batch to be written and committed, then stops the threads. */
  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      long next = System.nanoTime() + MINUTE;
      while (unfinished > 0) {
        long left = next - System.nanoTime();
        if (left <= 0) {
          Log.LOG.info("waiting for the encoders to finish {} files", unfinished);
          next += MINUTE;
        } else {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      }
    }
    encoderThreads.shutdown();
    committerThreads.shutdown();
    retryTimer.shutdown();
  }
}
