package dev.json2parquet.pipeline;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.buffer.Buffer;
import dev.json2parquet.buffer.Buffers;
import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.config.Config;
import dev.json2parquet.dlq.DeadLetterQueue;
import dev.json2parquet.dlq.DeadLetterQueues;
import dev.json2parquet.dlq.RecoveryStores;
import dev.json2parquet.flush.FlushStats;
import dev.json2parquet.flush.Flusher;
import dev.json2parquet.flush.IntervalFlusher;
import dev.json2parquet.flush.Layout;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.source.LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The long-lived pipeline that {@code convert} and {@code serve} drive: record reader and router →
 * buffer ({@link Buffers#open}) → {@link Flusher} (encoders, rolling files, retries, recovery store) →
 * sink, with the interval flusher and the dead-letter queue beside them. It knows nothing of runs,
 * journals or signals: its owner passes the run id (which names files and the DLQ file) and the
 * journal's commit hook, and decides when to {@link #close}.
 *
 * <p>Lines enter through a <em>feed</em>: {@code convert} uses the single {@link #router()} on its
 * reading thread; {@code serve} calls {@link #accept(InputStream, String)} or
 * {@link #accept(List, String)} from any number of threads at once, each call on a feed of its own
 * (a record reader and a staging batch taken from a pool). A line is <em>accepted</em> once the
 * buffer holds its record (see {@link Buffers} for the contract, which a durable buffer keeps too),
 * and <em>rejected</em> once the DLQ has it with the reason; {@code accept} returns after both, so its
 * answer may be acknowledged to a client.
 *
 * <p>Thread safety: {@code accept}, {@link #flush}, {@link #stats} and {@link #health} may be called
 * from any thread; {@link #router()} only from one; {@link #close} once, after the feeds are done.
 */
public final class Pipeline implements AutoCloseable {
  private final int openFileCap;
  private final Config config;
  private final RecordType type;
  private final PathTemplate partition;
  private final PathTemplate key;
  private final Clock clock;
  private final Buffer buffer;
  private final Flusher flusher;
  private final IntervalFlusher interval;
  private final DeadLetterQueue dlq;
  private final boolean perKey;
  /** With buffer_type redis ({@code serve}): the Redis intake and its client; buffer, flusher and interval are null. */
  private final RedisIntake redis;
  private final redis.clients.jedis.UnifiedJedis jedis;
  private final ConcurrentHashMap<String, KeyStats> keys = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Feed> feeds = new ConcurrentLinkedQueue<>();
  private final AtomicLong feedLines = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicReference<String> sinkFailing = new AtomicReference<>();
  private final AtomicReference<String> recoveryFailing = new AtomicReference<>();
  private RecordRouter router;
  private boolean finished;

  /** Counters of one key (the key template's values joined by {@code :}), across its partitions. Thread-safe. */
  public static final class KeyStats {
    final AtomicLong appended = new AtomicLong();
    final AtomicLong written = new AtomicLong();
    final AtomicLong inRecovery = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong files = new AtomicLong();
    volatile String lastFlush;
    volatile String lastError;

    /** Records accepted and not yet written, held in recovery or lost. */
    public long buffered() {
      // never below 0: with the Redis buffer an instance may flush records another instance (or an earlier run) buffered
      return Math.max(0, appended.get() - written.get() - inRecovery.get() - lost.get());
    }

    public long written() {
      return written.get();
    }

    public long inRecovery() {
      return inRecovery.get();
    }

    public long lost() {
      return lost.get();
    }

    public long files() {
      return files.get();
    }

    /** When the key's last file was committed (ISO-8601), or null. */
    public String lastFlush() {
      return lastFlush;
    }

    /** The last failure of the key's files, or null. */
    public String lastError() {
      return lastError;
    }
  }

  /** One line a feed turned down: its 1-based number within the call and why. */
  public record Rejection(long line, String error) { }

  /** What one {@code accept} call did: records the buffer holds, lines the DLQ holds. */
  public record Result(long accepted, List<Rejection> rejected) { }

  /** Whether the pipeline can take records: null reasons when it can. */
  public record Health(String sinkFailing, String recoveryFailing, long heldBytes, long budgetBytes,
      String bufferFailing) {
    /** The buffer holds its whole budget: new records would wait. */
    public boolean bufferFull() {
      return heldBytes >= budgetBytes;
    }
  }

  /**
   * Opens the pipeline: the DLQ file {@code dlq-<runId>.jsonl}, the flusher's threads, the buffer
   * and the interval flusher. The sink stays the caller's (it is not closed here).
   *
   * @param beforeCommit the run journal's write-ahead hook for each file (null: none)
   * @param perKey keep the counters of {@link #stats} (serve); convert leaves them off
   */
  public Pipeline(Config config, String runId, Sink sink, RecordType type, PathTemplate partition, PathTemplate key,
      Clock clock, Ticker ticker, boolean debug, Flusher.CommitHook beforeCommit, boolean perKey) {
    this(config, runId, sink, type, partition, key, clock, ticker, debug, beforeCommit, perKey, DeadLetterQueues::open);
  }

  /**
   * As above, with the dead-letter queue opened by {@code deadLetters} (the factory
   * {@link DeadLetterQueues#open} chooses a file or Redis from the config; {@code dlq replay} sends
   * lines that fail again back to the store it replays).
   */
  public Pipeline(Config config, String runId, Sink sink, RecordType type, PathTemplate partition, PathTemplate key,
      Clock clock, Ticker ticker, boolean debug, Flusher.CommitHook beforeCommit, boolean perKey,
      DeadLetterQueues.Opener deadLetters) {
    this.config = config;
    this.type = type;
    this.partition = partition;
    this.key = key;
    this.clock = clock;
    this.perKey = perKey;
    if (config.bufferType().equals("redis")) {
      // serve over Redis: records go to Redis as they arrive, RedisFlush writes them (see RedisIntake)
      this.jedis = dev.json2parquet.redis.RedisClients.open(dev.json2parquet.redis.RedisSettings.of(config));
      try {
        this.dlq = deadLetters.open(config, runId, clock);
        this.redis = new RedisIntake(config, type, partition, key, runId, sink, jedis, clock, System.err);
      } catch (RuntimeException e) {
        jedis.close();
        throw e;
      }
      this.flusher = null;
      this.buffer = null;
      this.interval = null;
      this.openFileCap = 0;
      return;
    }
    this.jedis = null;
    this.redis = null;
    this.dlq = deadLetters.open(config, runId, clock);
    Buffer[] b = new Buffer[1];
    this.flusher = new Flusher(config.threads(), sink, new Layout(partition, key, runId), type.schema(),
        config.writerSettings(), Map.of("json2parquet.version", Converter.VERSION), batch -> b[0].release(batch))
        .logEachFile(debug).beforeCommit(beforeCommit).recoverInto(RecoveryStores.open(config, clock))
        .listener(new Outcomes());
    this.openFileCap = sink.readsBack() ? Math.min(config.maxOpenFiles(), sink.maxOpenFiles()) : 0;
    if (sink.readsBack()) {
      // a sink that cannot keep a failed file's earlier row groups writes a file per batch; the S3
      // sink caps open files by the memory of their part buffers
      flusher.rollFiles(new Flusher.Rolling(config.bufferSize(), config.maxFileBytes(),
          openFileCap, Math.max(1, (long) (config.flushIntervalSeconds() * 1e9)), ticker));
    }
    Buffer opened = Buffers.open(config, type.schema(), ticker, flusher::submit);
    this.buffer = perKey ? new Counting(opened) : opened;
    b[0] = opened;
    this.interval = new IntervalFlusher(opened, flusher);
    interval.start();
  }

  /** The name stats and {@code flush?key=} use for a bucket: its key values joined by {@code :}. */
  public static String keyName(BucketKey k) {
    StringBuilder sb = new StringBuilder();
    List<String> values = k.key();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(values.get(i) == null ? "" : values.get(i));
    }
    return sb.toString();
  }

  private KeyStats of(BucketKey k) {
    return keys.computeIfAbsent(keyName(k), n -> new KeyStats());
  }

  /** Counts each key's accepted records as the buffer takes them. */
  private final class Counting implements Buffer {
    private final Buffer inner;

    Counting(Buffer inner) {
      this.inner = inner;
    }

    @Override
    public void append(BucketKey k, ColumnBatch src, ColumnBatch.Cursor at, int records) throws InterruptedException {
      inner.append(k, src, at, records);
      of(k).appended.addAndGet(records);
    }

    @Override
    public int flushExpired() {
      return inner.flushExpired();
    }

    @Override
    public int flushAll() {
      return inner.flushAll();
    }

    @Override
    public int flush(Predicate<BucketKey> which) {
      return inner.flush(which);
    }

    @Override
    public long nanosUntilNextExpiry() {
      return inner.nanosUntilNextExpiry();
    }

    @Override
    public void release(Batch batch) {
      inner.release(batch);
    }

    @Override
    public long heldBytes() {
      return inner.heldBytes();
    }

    @Override
    public int keys() {
      return inner.keys();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** What became of each file: per-key counters and the sink's health. */
  private final class Outcomes implements Flusher.Listener {
    @Override
    public void committed(BucketKey k, String path, long records, long bytes) {
      sinkFailing.set(null);
      recoveryFailing.set(null);
      if (perKey) {
        KeyStats s = of(k);
        s.written.addAndGet(records);
        s.files.incrementAndGet();
        s.lastFlush = clock.instant().toString();
      }
    }

    @Override
    public void held(BucketKey k, long records, String error) {
      sinkFailing.set(error);
      if (perKey) {
        KeyStats s = of(k);
        s.inRecovery.addAndGet(records);
        s.lastError = error;
      }
    }

    @Override
    public void lost(BucketKey k, long records, String error) {
      sinkFailing.set(error);
      recoveryFailing.set(error);
      if (perKey) {
        KeyStats s = of(k);
        s.lost.addAndGet(records);
        s.lastError = error;
      }
    }
  }

  /** The feed of {@code convert}'s single reading thread (created at first use). */
  RecordRouter router() {
    if (router == null) {
      // convert's single feed parses on config.threads() parser threads, in input order
      router = new RecordRouter(new JsonRecordReader(type), partition, key,
          () -> clock.instant().toEpochMilli() * 1000, buffer, dlq, config.maxLineBytes(), config.threads());
    }
    return router;
  }

  private RecordRouter newRouter(DeadLetterQueue q) {
    return new RecordRouter(new JsonRecordReader(type), partition, key,
        () -> clock.instant().toEpochMilli() * 1000, buffer, q, config.maxLineBytes());
  }

  /** A router with the DLQ wrapped so that each call learns which of its lines were turned down and why. */
  private final class Feed implements DeadLetterQueue {
    final RecordRouter router = newRouter(this);
    final LineReader lineReader = new LineReader(config.maxLineBytes());
    final List<Rejection> rejected = new ArrayList<>();

    @Override
    public void reject(String error, String source, long line, byte[] raw, int off, int len, long totalBytes)
        throws IOException {
      dlq.reject(error, source, line, raw, off, len, totalBytes);
      rejected.add(new Rejection(line, error));
    }

    @Override
    public void rejectKeyed(String key, String error, String source, long line, byte[] raw, int off, int len,
        long totalBytes) throws IOException {
      dlq.rejectKeyed(key, error, source, line, raw, off, len, totalBytes);
      rejected.add(new Rejection(line, error));
    }

    @Override
    public String location() {
      return dlq.location();
    }

    @Override
    public long count() {
      return rejected.size();
    }

    @Override
    public void close() { }
  }

  private Feed borrow(String source) {
    Feed f = feeds.poll();
    if (f == null) {
      f = new Feed();
    }
    f.rejected.clear();
    f.router.lines = 0;
    f.router.source(source);
    return f;
  }

  private Result finish(Feed f) throws IOException {
    f.router.drain();
    long lines = f.router.lines;
    long rejected = f.rejected.size();
    feedLines.addAndGet(lines);
    accepted.addAndGet(lines - rejected);
    Result r = new Result(lines - rejected, List.copyOf(f.rejected));
    feeds.add(f);
    return r;
  }

  /**
   * Reads JSON lines from {@code in} (CRLF, a byte order mark and blank lines as in {@code convert};
   * lines over max_line_bytes are rejected) and returns once every record is in the buffer and every
   * rejected line in the DLQ, under {@code source} with line numbers from 1.
   *
   * @throws IOException when {@code in} fails or the DLQ cannot be written; what was accepted before stays accepted
   */
  public Result accept(InputStream in, String source) throws IOException {
    return accept(in, source, (b, o, l) -> null);
  }

  /**
   * Rewrites a line before it is read (serve: Fluent Bit's {@code date} to {@code time}); returns
   * null to keep the line as it is. Called on the accepting thread.
   */
  @FunctionalInterface
  public interface LineRewrite {
    byte[] rewrite(byte[] buf, int off, int len);
  }

  /** As {@link #accept(InputStream, String)}, each line passed through {@code rewrite} first. */
  public Result accept(InputStream in, String source, LineRewrite rewrite) throws IOException {
    return accept(in, source, rewrite, null);
  }

  /**
   * As {@link #accept(InputStream, String, LineRewrite)}; {@code chunk} (null: none) makes the lines
   * go into Redis at most once within the marker window, as a forward chunk id does (serve: an HTTP
   * request's Idempotency-Key); the memory buffer ignores it.
   */
  public Result accept(InputStream in, String source, LineRewrite rewrite, String chunk) throws IOException {
    if (redis != null) {
      return counted(redis.accept(in, source, rewrite, chunk));
    }
    Feed f = borrow(source);
    LineReader.Handler h = new LineReader.Handler() {
      @Override
      public void line(byte[] buf, int off, int len, long lineNumber) throws IOException {
        byte[] r = rewrite.rewrite(buf, off, len);
        if (r == null) {
          f.router.line(buf, off, len, lineNumber);
        } else {
          f.router.line(r, 0, r.length, lineNumber);
        }
      }

      @Override
      public void idle() throws IOException {
        f.router.idle();
      }

      @Override
      public void cut(byte[] buf, int off, int len, long totalBytes, long lineNumber) throws IOException {
        f.router.cut(buf, off, len, totalBytes, lineNumber);
      }

      @Override
      public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException {
        f.router.oversized(prefix, prefixLen, totalBytes, lineNumber);
      }
    };
    try {
      f.lineReader.read(in, h, LineReader.Position.START, () -> false);
    } catch (IOException | RuntimeException e) {
      f.router.drain();
      feeds.add(f);
      throw e;
    }
    return finish(f);
  }

  /**
   * Dead-letters one input that never became a line (serve: a forward event whose record cannot be
   * turned into JSON), with the reason.
   */
  public void reject(String error, String source, byte[] raw) throws IOException {
    if (redis != null) {
      redis.reject(error, source, raw);
      feedLines.incrementAndGet();
      return;
    }
    dlq.reject(error, source, 1, raw, 0, raw.length, raw.length);
    feedLines.incrementAndGet();
  }

  /** As {@link #accept(InputStream, String)} for records given one JSON object each (line i is {@code records.get(i - 1)}). */
  public Result accept(List<byte[]> records, String source) throws IOException {
    return accept(records, source, null);
  }

  /**
   * As {@link #accept(List, String)}; {@code chunk} is the forward protocol's chunk id (null: none).
   * With the Redis buffer the records of a chunk id go into Redis at most once (for an hour), even
   * across restarts; the memory buffer ignores it (the server remembers recent ids itself).
   */
  public Result accept(List<byte[]> records, String source, String chunk) throws IOException {
    if (redis != null) {
      return counted(redis.accept(records, source, chunk));
    }
    Feed f = borrow(source);
    try {
      long n = 0;
      for (byte[] r : records) {
        f.router.line(r, 0, r.length, ++n);
      }
    } catch (IOException | RuntimeException e) {
      f.router.drain();
      feeds.add(f);
      throw e;
    }
    return finish(f);
  }

  /**
   * A record given as something other than a JSON line (serve: a forward event's msgpack map),
   * which may put itself into the columns without a JSON line.
   */
  public interface RecordInput {
    /** Appends the record to {@code batch} as its last record; false, with the batch as it was, when it must be read from {@link #json}. */
    boolean appendTo(ColumnBatch batch);

    /**
     * The record as one JSON object (a line for the JSON reader, the DLQ and Redis).
     *
     * @throws RecordException when it can never be a record ({@link #raw} is dead-lettered with the reason)
     */
    byte[] json() throws RecordException, IOException;

    /** The record's own bytes, for the DLQ. */
    byte[] raw();

    /** Its size in bytes (counts towards the staging limit). */
    int size();
  }

  /**
   * As {@link #accept(List, String, String)} for records that may put themselves into the columns
   * ({@link RecordInput#appendTo}), read from their JSON text otherwise, so what is buffered and
   * what is dead-lettered (and why) is the same as for their JSON lines. Line {@code i} is the
   * i-th record that became a record or a JSON line; one that cannot become JSON at all is
   * dead-lettered as line 1 with its raw bytes (as {@link #reject} does) and listed in the result.
   */
  public Result acceptRecords(List<? extends RecordInput> records, String source, String chunk) throws IOException {
    List<Rejection> notJson = new ArrayList<>();
    if (redis != null) {
      List<byte[]> lines = new ArrayList<>(records.size());
      for (RecordInput r : records) {
        try {
          lines.add(r.json());
        } catch (RecordException e) {
          reject(e.getMessage(), source, r.raw());
          notJson.add(new Rejection(1, e.getMessage()));
        }
      }
      return withRejections(accept(lines, source, chunk), notJson);
    }
    Feed f = borrow(source);
    try {
      long n = 0;
      for (RecordInput r : records) {
        if (f.router.shredded(r::appendTo, r.size())) {
          n++;
          continue;
        }
        byte[] json;
        try {
          json = r.json();
        } catch (RecordException e) {
          reject(e.getMessage(), source, r.raw());
          notJson.add(new Rejection(1, e.getMessage()));
          continue;
        }
        f.router.line(json, 0, json.length, ++n);
      }
    } catch (IOException | RuntimeException e) {
      f.router.drain();
      feeds.add(f);
      throw e;
    }
    return withRejections(finish(f), notJson);
  }

  private static Result withRejections(Result r, List<Rejection> more) {
    if (more.isEmpty()) {
      return r;
    }
    List<Rejection> all = new ArrayList<>(more);
    all.addAll(r.rejected());
    return new Result(r.accepted(), List.copyOf(all));
  }

  /** The record type lines and records are read into. */
  public RecordType recordType() {
    return type;
  }

  private Result counted(Result r) {
    feedLines.addAndGet(r.accepted() + r.rejected().size());
    accepted.addAndGet(r.accepted());
    return r;
  }

  /**
   * Hands over the buffered records of the keys named {@code keyName} (every key when null) and
   * completes their open files, then waits up to {@code timeout} for everything handed over to be
   * committed. Returns the number of keys with buffered records handed over.
   */
  public int flush(String keyName, long timeout, TimeUnit unit) throws InterruptedException {
    if (redis != null) {
      return redis.round(keyName); // a Redis key name, as redis_keys and flush --only-key have it
    }
    Predicate<BucketKey> which = keyName == null ? k -> true : k -> keyName(k).equals(keyName);
    int n = keyName == null ? buffer.flushAll() : buffer.flush(which);
    flusher.complete(which);
    flusher.awaitIdle(unit.toNanos(timeout));
    return n;
  }

  /** Per-key counters, sorted by key name (empty unless opened with {@code perKey}). */
  public Map<String, KeyStats> stats() {
    if (redis != null) {
      return redis.stats();
    }
    return new TreeMap<>(keys);
  }

  /** Files open for appending at once (max_open_files, lowered by the S3 sink's part buffers); 0 when files do not roll. */
  public int openFileCap() {
    return openFileCap;
  }

  public FlushStats flushStats() {
    if (redis != null) {
      FlushStats s = new FlushStats();
      s.addRedis(redis.written.get(), redis.files.get(), redis.failures);
      return s;
    }
    return flusher.stats();
  }

  /** Lines dead-lettered so far. */
  public long deadLettered() {
    if (redis != null) {
      return redis.deadLettered.get();
    }
    return dlq.count();
  }

  /** Lines given to {@code accept} so far, and how many of them were accepted. */
  public long acceptedRecords() {
    return accepted.get();
  }

  public long feedLines() {
    return feedLines.get();
  }

  /** Whether records go to Redis (buffer_type redis): accepted records are durable there. */
  public boolean redisBuffered() {
    return redis != null;
  }

  /** Where the dead letters are: the DLQ file, or the Redis keys. */
  public String dlqLocation() {
    return dlq.location();
  }

  /** Batches and files not yet written. */
  public int unfinished() {
    return flusher == null ? 0 : flusher.unfinished();
  }

  public Health health() {
    if (redis != null) {
      // nothing is held here; the records wait in Redis
      return new Health(null, null, 0, config.maxBufferBytes(), redis.failing());
    }
    return new Health(sinkFailing.get(), recoveryFailing.get(), buffer.heldBytes(), config.maxBufferBytes(), null);
  }

  /**
   * Stops the interval flusher, hands over everything buffered, waits for every file to be written
   * and committed (or held in the recovery store) and stops the threads; the DLQ stays open for
   * {@link #close}. Idempotent.
   */
  public void finish() throws InterruptedException {
    if (finished) {
      return;
    }
    finished = true;
    if (redis != null) {
      try {
        redis.close();
      } finally {
        jedis.close();
      }
      return;
    }
    interval.close();
    buffer.flushAll();
    flusher.close();
    buffer.close();
  }

  /** {@link #finish}, then closes the DLQ (synced). */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      finish();
    } finally {
      dlq.close();
    }
  }
}
