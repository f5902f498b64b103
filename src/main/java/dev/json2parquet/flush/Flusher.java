package dev.json2parquet.flush;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.dlq.RecoveryStore;
import dev.json2parquet.parquet.BatchEncoder;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.sink.Sink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches into Parquet files on a fixed pool of encoder threads, one encoder per thread, so
 * that several keys are encoded in parallel while the reader keeps parsing.
 *
 * <p><b>Rolling files</b> ({@link #rollFiles}): each (partition, key) has at most one open file, a
 * {@link RollingFile}; every batch of the key becomes one or more row groups appended to it, in the
 * order the batches were submitted. The file is completed (footer written, then committed: for
 * local files an fsync and a rename) when it holds {@link Rolling#maxRecords} records (a batch that
 * would overflow it is split, and the rest starts the next file), when it reaches
 * {@link Rolling#maxBytes} or {@link #MAX_ROW_GROUPS} row groups, when its oldest record has waited {@link Rolling#intervalNanos}
 * ({@link #completeExpired}), when a batch flushed for the interval or at shutdown arrives, at
 * {@link #completeAll} / {@link #close}, or when opening another file would exceed
 * {@link Rolling#maxOpenFiles}: then the least recently written file is completed. An open file
 * holds only its footer metadata and its sink stream; a batch is released as soon as its row groups
 * are written. Which records go to which file depends only on the order of the submitted batches
 * and the settings, never on thread timing; files are named after their first record
 * ({@link Layout#file}). Without {@link #rollFiles} every batch is a file of its own.
 *
 * <p><b>Encoder threads help each other</b>: a row group of a large batch has its column chunks
 * encoded on every encoder thread that is idle at that moment (queued plus running tasks fewer than
 * the threads; {@link BatchEncoder.Helpers}), so that a single key's batches, which one thread
 * appends at a time, do not leave the other cores idle once the input has ended. The file's bytes
 * are the same whichever thread encodes which column chunk.
 *
 * <p><b>Commits</b> mostly wait on the disk, so they run on {@link #COMMITTERS} threads of their own
 * while the encoders go on; when {@link #COMMIT_QUEUE} files already wait, the encoder commits its
 * file itself. The {@link CommitHook} runs on that thread just before each commit.
 *
 * <p><b>Failures</b>: a failed write, footer or commit is retried {@link #RETRIES} times after a
 * backoff ({@link #backoffNanos}), under the same name. The row groups already written are not in
 * memory any more, so before a retry the file's bytes up to its last complete row group are kept
 * ({@link Sink.Pending#keep}: read back into a temporary file on local disk, streamed; the S3 sink
 * leaves the parts already uploaded in the open upload and keeps only the rest locally), and the
 * retry continues the file from them. After
 * the last attempt, the file (those bytes, the batch being written, a footer) goes to the recovery
 * store ({@link #recoverInto}) and its records count as in recovery; only when that fails too (or
 * there is no store, or the sink cannot give its bytes back) do they count as failed, with a message
 * that says what was lost. Every batch is handed back to {@code release} exactly once, written or
 * not.
 *
 * <p>Thread-safe: {@link #submit}, {@link #completeExpired} and {@link #completeAll} may be called
 * from any thread.
 */
public final class Flusher implements AutoCloseable {
  /** Created at first use: setting up logging takes ~50 ms of start-up, and most runs log nothing. */
  static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
  }

  /** Whether each file written is logged (at debug level). */
  volatile boolean debug;
  static final int RETRIES = 2;
  /**
   * A file is also completed at this many row groups: its footer metadata (some hundred bytes per
   * column chunk, kept in memory while it is open) stays bounded, so max_open_files bounds memory
   * even when the budget forces keys out in small row groups.
   */
  public static final int MAX_ROW_GROUPS = 32;
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

  /**
   * Called on the committing thread just before a file becomes visible at its path: the run
   * journal's write-ahead record. An exception fails the commit, which is retried like any failed
   * commit.
   */
  @FunctionalInterface
  public interface CommitHook {
    /**
     * @param relativePath the file's path in the sink
     * @param records the records in the file
     */
    void beforeCommit(String relativePath, long records) throws IOException;
  }

  /**
   * Told what became of each file, per key (the {@code serve} statistics and readiness). Called on
   * encoder and committer threads, never under the flusher's lock; must be thread-safe and quick.
   */
  public interface Listener {
    /** A file of {@code key} holding {@code records} records ({@code bytes} of Parquet) was committed at {@code path}. */
    default void committed(BucketKey key, String path, long records, long bytes) { }

    /** {@code records} of {@code key} failed every attempt and are held in the recovery store. */
    default void held(BucketKey key, long records, String error) { }

    /** {@code records} of {@code key} are lost: neither written nor held in the recovery store. */
    default void lost(BucketKey key, long records, String error) { }
  }

  /**
   * When rolling files are completed.
   *
   * @param maxRecords records per file (buffer_size), at least 1
   * @param maxBytes bytes of Parquet per file (max_file_bytes): the file is completed after the row
   *     group that reaches it, so a file exceeds it by less than one row group
   * @param maxOpenFiles files open at once (max_open_files), at least 1
   * @param intervalNanos a file is completed once its oldest record has waited this long (flush_interval)
   * @param ticker the clock the interval is measured on: the buffer's, so tests move it by hand
   */
  public record Rolling(long maxRecords, long maxBytes, int maxOpenFiles, long intervalNanos, Ticker ticker) {
    public Rolling {
      if (maxRecords < 1 || maxBytes < 1 || maxOpenFiles < 1 || intervalNanos < 1) {
        throw new IllegalArgumentException("Cannot roll files: limits must be positive");
      }
    }
  }

  private final ExecutorService encoderThreads;
  private final int threads;
  /** Tasks handed to the encoder threads and not yet finished (queued or running). */
  private final AtomicInteger encoderTasks = new AtomicInteger();
  /** Idle encoder threads, offered to help encode a large row group's columns. */
  final BatchEncoder.Helpers helpers = this::help;
  /** Helper tasks handed to idle encoder threads so far (for tests). */
  final java.util.concurrent.atomic.LongAdder helpersStarted = new java.util.concurrent.atomic.LongAdder();
  private final ExecutorService committerThreads;
  private final ThreadLocal<BatchEncoder> encoders;
  final Sink sink;
  final Layout layout;
  private final Consumer<Batch> release;
  final FlushStats stats = new FlushStats();
  final Map<String, String> metadata;
  /** Batches submitted and not yet released, plus files completed and not yet committed or given up. Guarded by {@code this}. */
  private int unfinished;
  private final ScheduledThreadPoolExecutor retryTimer;
  private volatile Scheduler scheduler;
  volatile RecoveryStore recovery;
  private volatile CommitHook commitHook;
  volatile Listener listener = new Listener() { };
  final AtomicBoolean warnedRecovery = new AtomicBoolean();
  private Rolling rolling;
  /** The open rolling files by key, least recently written first. Guarded by {@code this}. */
  private final LinkedHashMap<BucketKey, RollingFile> open = new LinkedHashMap<>(64, 0.75f, true);

  public Flusher(int threads, Sink sink, Layout layout, RecordSchema schema, WriterSettings settings,
      Map<String, String> metadata, Consumer<Batch> release) {
    this.encoderThreads = Executors.newFixedThreadPool(threads, daemons("encoder-"));
    this.threads = threads;
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

  /** Appends each key's batches to one open file until {@code limits} complete it. Call before the first {@link #submit}. */
  public synchronized Flusher rollFiles(Rolling limits) {
    this.rolling = limits;
    return this;
  }

  /**
   * Files that fail every attempt go to {@code store} instead of being counted as failed. Call
   * before the first {@link #submit}.
   */
  public Flusher recoverInto(RecoveryStore store) {
    this.recovery = store;
    return this;
  }

  /** Runs {@code hook} on the committing thread just before each file is committed. Call before the first {@link #submit}. */
  public Flusher beforeCommit(CommitHook hook) {
    this.commitHook = hook;
    return this;
  }

  /** Tells {@code l} what becomes of each file. Call before the first {@link #submit}. */
  public Flusher listener(Listener l) {
    this.listener = l;
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

  /** Batches queued or being written, and files not yet committed or given up; thread-safe. */
  public synchronized int unfinished() {
    return unfinished;
  }

  /**
   * Waits until no batch is queued or being written and no file waits for its commit, at most
   * {@code nanos}; returns whether that was reached. Thread-safe.
   */
  public synchronized boolean awaitIdle(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    while (unfinished > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Files open for appending now; thread-safe. */
  public synchronized int openFiles() {
    return open.size();
  }

  /**
   * Queues a batch to be appended to its key's open file (or to a new one); returns at once. The
   * decisions that pick the file (which file the open-file cap completes, whether this batch
   * completes its file) are made here, in submission order.
   */
  public void submit(Batch batch) {
    synchronized (this) {
      unfinished++;
      BucketKey key = batch.key();
      RollingFile file = open.get(key);
      if (file == null) {
        file = new RollingFile(this, key, rolling == null ? Long.MAX_VALUE : rolling.maxRecords(),
            rolling == null ? Long.MAX_VALUE : rolling.maxBytes());
        if (rolling != null) {
          if (open.size() >= rolling.maxOpenFiles()) {
            Iterator<RollingFile> eldest = open.values().iterator();
            eldest.next().complete();
            eldest.remove();
            stats.completedByOpenFileCap.increment();
          }
          open.put(key, file);
        }
        stats.opened(key.partition(), key.key());
      }
      file.oldest = Math.min(file.oldest, batch.firstNanos());
      boolean complete = rolling == null || batch.reason() == Batch.Reason.INTERVAL
          || batch.reason() == Batch.Reason.SHUTDOWN;
      file.enqueue(batch, complete);
      if (complete && rolling != null) {
        open.remove(key);
        if (batch.reason() == Batch.Reason.INTERVAL) {
          stats.completedByInterval.increment();
        }
      }
    }
  }

  /** Completes every open file whose oldest record has waited the flush interval. */
  public synchronized void completeExpired() {
    if (rolling == null) {
      return;
    }
    long now = rolling.ticker().read();
    Iterator<RollingFile> it = open.values().iterator();
    while (it.hasNext()) {
      RollingFile f = it.next();
      if (f.oldest != Long.MAX_VALUE && now - f.oldest >= rolling.intervalNanos()) {
        f.complete();
        it.remove();
        stats.completedByInterval.increment();
      }
    }
  }

  /** Nanoseconds until the next open file's interval is up (at most the interval; 0 when one is due). */
  public synchronized long nanosUntilNextExpiry() {
    if (rolling == null) {
      return Long.MAX_VALUE;
    }
    long now = rolling.ticker().read();
    long next = rolling.intervalNanos();
    for (RollingFile f : open.values()) {
      if (f.oldest != Long.MAX_VALUE) {
        next = Math.min(next, f.oldest + rolling.intervalNanos() - now);
      }
    }
    return Math.max(0, next);
  }

  /** Completes the open files of the keys {@code which} selects (their queued batches are written first). Returns at once. */
  public synchronized void complete(java.util.function.Predicate<BucketKey> which) {
    Iterator<Map.Entry<BucketKey, RollingFile>> it = open.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<BucketKey, RollingFile> e = it.next();
      if (which.test(e.getKey())) {
        e.getValue().complete();
        it.remove();
      }
    }
  }

  /** Completes every open file (their queued batches are written first). Returns at once. */
  public synchronized void completeAll() {
    List<RollingFile> all = new ArrayList<>(open.values());
    open.clear();
    all.forEach(RollingFile::complete);
  }

  BatchEncoder encoder() {
    return encoders.get();
  }

  void execute(Runnable task) {
    encoderTasks.incrementAndGet();
    encoderThreads.execute(counted(task));
  }

  private Runnable counted(Runnable task) {
    return () -> {
      try {
        task.run();
      } finally {
        encoderTasks.decrementAndGet();
      }
    };
  }

  /**
   * Gives {@code task} to at most {@code max} encoder threads that have nothing else to do: while
   * fewer tasks than threads are queued or running, so that a helper never waits behind another
   * key's batch (and a helper that starts late finds its row group done and returns).
   */
  private int help(int max, Consumer<BatchEncoder> task) {
    int given = 0;
    while (given < max) {
      int now = encoderTasks.get();
      if (now >= threads) {
        break;
      }
      if (encoderTasks.compareAndSet(now, now + 1)) {
        try {
          encoderThreads.execute(counted(() -> task.accept(encoders.get())));
        } catch (java.util.concurrent.RejectedExecutionException e) {
          encoderTasks.decrementAndGet();
          break;
        }
        given++;
        helpersStarted.increment();
      }
    }
    return given;
  }

  void retryLater(Runnable task, int attempt) {
    scheduler.schedule(() -> execute(task), backoffNanos(attempt));
  }

  /** Commits on a committer thread (or this one, when they are all busy). */
  void commitLater(Runnable task) {
    committerThreads.execute(task);
  }

  void beforeCommit(String path, long records) throws IOException {
    CommitHook hook = commitHook;
    if (hook != null) {
      hook.beforeCommit(path, records);
    }
  }

  /** A file was started: it is unfinished until committed or given up. */
  synchronized void started() {
    unfinished++;
  }

  void released(Batch batch) {
    try {
      release.accept(batch);
    } finally {
      finished();
    }
  }

  synchronized void finished() {
    unfinished--;
    notifyAll();
  }

  void lost(BucketKey key, long records, String message) {
    stats.failedRecords.add(records);
    stats.fail(message);
    listener.lost(key, records, message);
  }

  /** Completes every open file, waits for every queued batch and file to be written and committed, then stops the threads. */
  @Override
  public void close() throws InterruptedException {
    completeAll();
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
