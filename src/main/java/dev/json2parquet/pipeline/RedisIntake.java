package dev.json2parquet.pipeline;

import dev.json2parquet.buffer.RedisBuffer;
import dev.json2parquet.buffer.RedisStreams;
import dev.json2parquet.config.Config;
import dev.json2parquet.dlq.FileDeadLetterQueue;
import dev.json2parquet.flush.RedisFlush;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.record.Utf8;
import dev.json2parquet.redis.RedisErrors;
import dev.json2parquet.redis.RedisSettings;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.source.LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code serve}'s side of the Redis buffer, which {@link Pipeline} uses with {@code buffer_type
 * redis}: each {@code accept} call validates its lines as {@code convert --buffer redis} does (a line
 * that can never be a record becomes a dead letter), keys them, and sends the valid lines' original
 * bytes and the dead letters to Redis through a {@link RedisBuffer} of its own
 * ({@link RedisBuffer#shipOnce}, chunks of at most {@link RedisBuffer#CHUNK_ENTRIES} lines or
 * {@link RedisBuffer#CHUNK_BYTES} bytes), returning only once Redis acknowledged every chunk: the
 * caller may then answer its client, and nothing of the call stays in this process.
 *
 * <p>A forward chunk id makes each chunk go in at most once within {@link #SEEN_TTL_MILLIS} (a marker
 * per key and chunk, set in the same script as the XADDs), so a retried chunk is not buffered twice,
 * even after a restart. Flushing is {@link RedisFlush}'s (per-key locks, batch-named files): every
 * {@code flush_interval} on a thread of its own, on {@link #flush}, and once at {@link #close},
 * unless {@code redis_skip_flush}.
 *
 * <p>Thread-safe: {@code accept}, {@code reject}, {@code flush}, {@code stats} and {@code failing} from
 * any thread; {@code close} once.
 */
final class RedisIntake implements AutoCloseable {
  /** How long a forward chunk id is remembered in Redis: a retry later than this is buffered again. */
  static final long SEEN_TTL_MILLIS = TimeUnit.HOURS.toMillis(1);
  /** How long one call waits for a lost Redis before failing (the client retries: HTTP 503, no forward ack). */
  static final double RETRY_SECONDS = 2;

  private final Config config;
  private final RecordType type;
  private final PathTemplate key;
  private final String runId;
  private final Clock clock;
  private final UnifiedJedis jedis;
  private final RedisStreams streams;
  private final RedisFlush flusher;
  private final ScheduledExecutorService timer;
  private final ReentrantLock flushing = new ReentrantLock();
  private final ConcurrentLinkedQueue<Feed> feeds = new ConcurrentLinkedQueue<>();
  private final ConcurrentHashMap<String, Pipeline.KeyStats> keys = new ConcurrentHashMap<>();
  private final AtomicReference<String> failing = new AtomicReference<>();
  final AtomicLong written = new AtomicLong();
  final AtomicLong files = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong batchesInRecovery = new AtomicLong();
  final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

  /**
   * Connects (the caller checked Redis at start) and, unless {@code redis_skip_flush}, starts the
   * interval flusher.
   *
   * @param sink where flushed files go (the caller's; not closed here)
   */
  RedisIntake(Config config, RecordType type, PathTemplate partition, PathTemplate key, String runId, Sink sink,
      UnifiedJedis jedis, Clock clock, PrintStream err) {
    this.config = config;
    this.type = type;
    this.key = key;
    this.runId = runId;
    this.clock = clock;
    this.jedis = jedis;
    RedisSettings settings = RedisSettings.of(config);
    this.streams = new RedisStreams(settings);
    if (settings.skipFlush()) {
      this.flusher = null;
      this.timer = null;
    } else {
      this.flusher = new RedisFlush(config, type, partition, key, sink, jedis, streams, clock, err);
      this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "redis-serve-flush");
        t.setDaemon(true);
        return t;
      });
      long every = Math.max(1_000_000L, (long) (config.flushIntervalSeconds() * 1e9));
      timer.scheduleWithFixedDelay(() -> {
        try {
          round(null);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          failing.set(e.getMessage());
        }
      }, every, every, TimeUnit.NANOSECONDS);
    }
  }

  /** One request's reader, staging batch and Redis chunk; pooled. */
  private final class Feed implements LineReader.Handler {
    final JsonRecordReader reader = new JsonRecordReader(type);
    final ColumnBatch staging = new ColumnBatch(type.schema());
    final PathTemplate.Renderer renderer = key.renderer(() -> clock.instant().toEpochMilli() * 1000);
    final RedisBuffer buffer = new RedisBuffer(jedis, streams, RedisBuffer.CHUNK_ENTRIES, RedisBuffer.CHUNK_BYTES);
    final LineReader lineReader = new LineReader(config.maxLineBytes());
    final List<Pipeline.Rejection> rejected = new ArrayList<>();
    /** Records per key of the chunk being filled, counted once Redis has the chunk. */
    final Map<String, Long> chunkKeys = new java.util.HashMap<>();
    Pipeline.LineRewrite rewrite;
    String source;
    String chunk;
    int part;
    long lines;
    long accepted;

    void start(String source, String chunk, Pipeline.LineRewrite rewrite) {
      this.source = source;
      this.chunk = chunk;
      this.rewrite = rewrite;
      part = 0;
      lines = 0;
      accepted = 0;
      rejected.clear();
      chunkKeys.clear();
    }

    @Override
    public void line(byte[] buf, int off, int len, long lineNumber) throws IOException {
      byte[] r = rewrite == null ? null : rewrite.rewrite(buf, off, len);
      if (r != null) {
        buf = r;
        off = 0;
        len = r.length;
      }
      lines++;
      staging.clear();
      try {
        reader.append(buf, off, len, staging);
      } catch (RecordException e) {
        reject(e.getMessage(), lineNumber, buf, off, len, len);
        return;
      }
      String path = key.path(renderer.values(staging));
      String k = path.isEmpty() ? "_" : path;
      chunkKeys.merge(k, 1L, Long::sum);
      if (buffer.add(k, buf, off, len, lineNumber)) {
        ship();
      }
    }

    @Override
    public void cut(byte[] buf, int off, int len, long totalBytes, long lineNumber) throws IOException {
      lines++;
      reject("the request ended inside this line; the line may be incomplete", lineNumber, buf, off, len, totalBytes);
    }

    @Override
    public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException {
      lines++;
      prefixLen = Utf8.boundaryLength(prefix, 0, prefixLen);
      reject("line of " + totalBytes + " bytes is longer than max_line_bytes (" + config.maxLineBytes()
          + "); raw holds its first " + prefixLen + " bytes", lineNumber, prefix, 0, prefixLen, totalBytes);
    }

    void reject(String error, long lineNumber, byte[] raw, int off, int len, long totalBytes) throws IOException {
      rejected.add(new Pipeline.Rejection(lineNumber, error));
      if (buffer.reject(FileDeadLetterQueue.envelope(error, source, lineNumber, clock.instant().toString(), raw, off,
          len, totalBytes), lineNumber)) {
        ship();
      }
    }

    /** Sends the chunk; returns once Redis has it (then its records count as accepted). */
    void ship() {
      if (buffer.pending() == 0) {
        return;
      }
      try {
        buffer.shipOnce(chunk == null ? null : chunk + "#" + part, source, runId, SEEN_TTL_MILLIS, RETRY_SECONDS);
      } catch (RedisBuffer.LostException e) {
        chunkKeys.clear();
        failing.set(e.getMessage());
        throw e;
      }
      failing.set(null);
      part++;
      for (Map.Entry<String, Long> e : chunkKeys.entrySet()) {
        keys.computeIfAbsent(e.getKey(), n -> new Pipeline.KeyStats()).appended.addAndGet(e.getValue());
        accepted += e.getValue();
      }
      chunkKeys.clear();
    }
  }

  private Feed borrow(String source, String chunk, Pipeline.LineRewrite rewrite) {
    Feed f = feeds.poll();
    if (f == null) {
      f = new Feed();
    }
    f.start(source, chunk, rewrite);
    return f;
  }

  private Pipeline.Result finish(Feed f) {
    try {
      f.ship();
      deadLettered.addAndGet(f.rejected.size());
      return new Pipeline.Result(f.accepted, List.copyOf(f.rejected));
    } finally {
      giveBack(f);
    }
  }

  private void giveBack(Feed f) {
    f.buffer.discard(); // a chunk left by a failure: its client gets no answer and sends it again
    f.chunkKeys.clear();
    feeds.add(f);
  }

  /** JSON lines from {@code in}, each passed through {@code rewrite} first; {@code chunk} as for a list (null: none). */
  Pipeline.Result accept(InputStream in, String source, Pipeline.LineRewrite rewrite, String chunk) throws IOException {
    Feed f = borrow(source, chunk, rewrite);
    try {
      f.lineReader.read(in, f, LineReader.Position.START, () -> false);
    } catch (IOException | RuntimeException e) {
      giveBack(f);
      throw e;
    }
    return finish(f);
  }

  /** One JSON object per element; {@code chunk}: the forward chunk id (null: none). */
  Pipeline.Result accept(List<byte[]> records, String source, String chunk) throws IOException {
    Feed f = borrow(source, chunk, null);
    try {
      long n = 0;
      for (byte[] r : records) {
        f.line(r, 0, r.length, ++n);
      }
    } catch (IOException | RuntimeException e) {
      giveBack(f);
      throw e;
    }
    return finish(f);
  }

  /** Dead-letters one input that never became a line; returns once Redis has it. */
  void reject(String error, String source, byte[] raw) throws IOException {
    Feed f = borrow(source, null, null);
    f.reject(error, 1, raw, 0, raw.length, raw.length);
    finish(f);
  }

  /**
   * One flush round: every key (or {@code keyName}, a name of {@code redis_keys}), as {@code flush}
   * does; one round at a time. Returns the keys with records written. Does nothing with
   * {@code redis_skip_flush}.
   */
  int round(String keyName) throws InterruptedException {
    if (flusher == null) {
      return 0;
    }
    flushing.lockInterruptibly();
    try {
      int n = 0;
      for (RedisFlush.KeyReport r : flusher.flush(keyName)) {
        Pipeline.KeyStats s = keys.computeIfAbsent(r.key(), k -> new Pipeline.KeyStats());
        if (r.records() > 0) {
          n++;
          s.written.addAndGet(r.records());
          s.files.addAndGet(r.files());
          s.lastFlush = clock.instant().toString();
          written.addAndGet(r.records());
          files.addAndGet(r.files());
        }
        deadLettered.addAndGet(r.deadLettered());
        if (r.batchesInRecovery() > 0) {
          batchesInRecovery.addAndGet(r.batchesInRecovery());
        }
        if (r.error() != null || r.batchesInRecovery() > 0) {
          s.lastError = r.line();
          failures.add(r.line());
          while (failures.size() > 100) {
            failures.remove(0);
          }
        }
      }
      return n;
    } finally {
      flushing.unlock();
    }
  }

  /** Per-key counters: what this instance buffered and flushed. */
  Map<String, Pipeline.KeyStats> stats() {
    return new TreeMap<>(keys);
  }

  /**
   * Why Redis cannot take records now, or null. While a failure is known, each call pings Redis
   * (bounded by {@code redis_timeout}), so readiness comes back as soon as Redis does; otherwise
   * Redis is pinged at most once a second, so a lost Redis is noticed without a failed request.
   */
  String failing() {
    String why = failing.get();
    long now = System.nanoTime();
    if (why == null && now - lastPing < PING_EVERY_NANOS) {
      return null;
    }
    lastPing = now;
    try {
      jedis.ping();
      failing.compareAndSet(why, null);
      return null;
    } catch (JedisException e) {
      String reason = RedisErrors.describe("reach Redis", streams.settings(), e);
      failing.compareAndSet(null, reason);
      return reason;
    }
  }

  /** While Redis seems well, readiness checks it at most this often (a PING). */
  private static final long PING_EVERY_NANOS = 1_000_000_000L;
  private volatile long lastPing = System.nanoTime();

  /** Stops the interval flusher and, unless {@code redis_skip_flush}, runs one final round. */
  @Override
  public void close() throws InterruptedException {
    if (timer != null) {
      // not shutdownNow: an interrupted round would record the batch it was writing as failed
      timer.shutdown();
      timer.awaitTermination(10, TimeUnit.MINUTES);
      try {
        round(null);
      } catch (RuntimeException e) {
        failures.add("Cannot flush at shutdown: " + e.getMessage());
      } finally {
        flusher.close();
      }
    }
    for (Feed f; (f = feeds.poll()) != null; ) {
      f.buffer.close();
    }
  }
}
