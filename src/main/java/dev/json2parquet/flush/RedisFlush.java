package dev.json2parquet.flush;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.json2parquet.buffer.Batch;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.buffer.RedisLock;
import dev.json2parquet.buffer.RedisStreams;
import dev.json2parquet.config.Config;
import dev.json2parquet.dlq.FileDeadLetterQueue;
import dev.json2parquet.dlq.RecoveryStore;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.redis.RedisRetry;
import dev.json2parquet.sink.LocalSink;
import dev.json2parquet.sink.Sink;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Flushes what the Redis buffer holds into Parquet files, key by key, one flusher per key at a
 * time across processes ({@link RedisLock}).
 *
 * <p>Holding a key's lock, the flusher first writes the key's batches that were claimed and never
 * acknowledged (a flusher died or lost its lock mid-batch), then claims new batches of at most
 * {@link #batchRecords} entries ({@link RedisStreams#claim}) until the stream is drained. Each batch
 * is parsed with the {@link JsonRecordReader}, split by partition and key, and written by a
 * {@link Flusher} (its encoder, retries and sink) as one file per partition, named by {@link Layout}
 * after the batch's identity: {@code <key>-<first id>_<last id>-000000000.parquet}. Only after every
 * file of the batch is committed is the batch acknowledged and deleted ({@link RedisStreams#ACK}).
 * So a flusher that lost its lock and one that took over write the same names with the same
 * records, and a crash anywhere repeats at most the writing of one batch under the same names:
 * every record ends up in the output exactly once, whatever the lock did.
 *
 * <p>A batch whose files still fail after the flusher's retries stays in Redis, unacknowledged, and is
 * recorded in {@code redis_recovery_key} (key, first and last id, records, attempts, last error);
 * flushes leave it alone and {@link #recover} writes it again. Lines that fail to convert (possible
 * only when the flusher's schema differs from the receiver's) go to the key's dead-letter stream
 * {@code <redis_dlq_prefix>:{KEY}} in the same atomic step that acknowledges the batch, so once.
 *
 * <p>Thread-safe: {@link #flushKey} may run for several keys at once (and {@link #flush} does so).
 */
public final class RedisFlush implements AutoCloseable {
  /** A test hook: halt the JVM (as kill -9 would) just before the N-th file commit. */
  public static final String TEST_HALT_BEFORE_COMMIT = "json2parquet.test.haltBeforeCommit";
  /** A test hook: halt the JVM just before the N-th batch acknowledgement (its files are committed). */
  public static final String TEST_HALT_BEFORE_ACK = "json2parquet.test.haltBeforeAck";
  /**
   * A test hook: halt the JVM just after the N-th claim read its entries from Redis and before it
   * made them a batch (nothing has changed yet: the next flusher reads them again).
   */
  public static final String TEST_HALT_AFTER_CLAIM_READ = "json2parquet.test.haltAfterClaimRead";
  /** Entries per claimed batch at most: a batch is held in memory (lines and columns) while it is written. */
  public static final int MAX_BATCH = RedisStreams.MAX_CLAIM;
  /**
   * A test hook: {@code N:PATH} pauses before the N-th acknowledgement (its files committed) and every
   * later one: the N-th creates {@code PATH.paused}; each waits until {@code PATH} exists (so a test can
   * stop Redis or send a signal meanwhile).
   */
  public static final String TEST_PAUSE_BEFORE_ACK = "json2parquet.test.pauseBeforeAck";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What one key's flush did.
   *
   * @param skipped true when another instance held the key's lock
   */
  public record KeyReport(String key, long records, long files, long deadLettered, long batchesInRecovery,
      boolean skipped, String error, long left, long lockMillis) {
    public KeyReport(String key, long records, long files, long deadLettered, long batchesInRecovery, boolean skipped,
        String error) {
      this(key, records, files, deadLettered, batchesInRecovery, skipped, error, 0, 0);
    }

    public String line() {
      if (skipped) {
        return "skipped " + key + ": locked by another flusher (" + left + " records stay in Redis; the lock expires in "
            + seconds(lockMillis) + " unless its holder renews it)";
      }
      return "flushed " + key + ": " + records + " records in " + files + " files"
          + (deadLettered > 0 ? ", " + deadLettered + " dead-lettered" : "")
          + (batchesInRecovery > 0 ? ", " + batchesInRecovery + " batches in the recovery store" : "")
          + (error != null ? "; " + error : "");
    }
  }

  /** {@code ms} as whole seconds, rounded up ("3 s"). */
  public static String seconds(long ms) {
    return Math.max(0, (ms + 999) / 1000) + " s";
  }

  private final Config config;
  private final RecordType type;
  private final PathTemplate partition;
  private final PathTemplate keyTemplate;
  private final Sink sink;
  private final UnifiedJedis jedis;
  private final RedisStreams streams;
  private final Clock clock;
  private final PrintStream err;
  private final String token;
  private final String consumer;
  private final int batchRecords;
  private final ScheduledExecutorService timer;
  private final int haltBeforeCommit = Integer.getInteger(TEST_HALT_BEFORE_COMMIT, -1);
  private final int haltBeforeAck = Integer.getInteger(TEST_HALT_BEFORE_ACK, -1);
  private final int haltAfterClaimRead = Integer.getInteger(TEST_HALT_AFTER_CLAIM_READ, -1);
  private final java.util.concurrent.atomic.AtomicInteger claimReads = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger commits = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger acks = new java.util.concurrent.atomic.AtomicInteger();
  /** Keys flushed at once. */
  static final int WORKERS = 4;
  private boolean renewLocks = true;
  private Flusher.CommitHook testCommitHook;

  public RedisFlush(Config config, RecordType type, PathTemplate partition, PathTemplate keyTemplate, Sink sink,
      UnifiedJedis jedis, RedisStreams streams, Clock clock, PrintStream err) {
    this.config = config;
    this.type = type;
    this.partition = partition;
    this.keyTemplate = keyTemplate;
    this.sink = sink;
    this.jedis = jedis;
    this.streams = streams;
    this.clock = clock;
    this.err = err;
    // the lock value names the instance; the suffix tells two processes of one instance name apart
    this.token = streams.settings().instance() + " " + UUID.randomUUID();
    this.consumer = streams.settings().instance();
    this.batchRecords = Math.max(1, Math.min(config.bufferSize(), MAX_BATCH));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redis-lock-renewal");
      t.setDaemon(true);
      return t;
    });
    // this process is alive while the key lives: its private temporary files are not another's to remove
    long ttl = streams.settings().lockTtlMillis();
    Runnable beat = () -> {
      try {
        jedis.set(aliveKey(streams.settings(), LocalSink.PROCESS), token,
            redis.clients.jedis.params.SetParams.setParams().px(ttl));
      } catch (JedisException e) {
        // a lost Redis fails the flush itself, which says so
      }
    };
    beat.run();
    timer.scheduleAtFixedRate(beat, Math.max(1, ttl / 3), Math.max(1, ttl / 3), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * {@code <redis_data_prefix>:flusher:<process>}: set while a flushing process lives
   * ({@link LocalSink#PROCESS}); not under the lock prefix, which holds only the keys' locks.
   */
  static String aliveKey(dev.json2parquet.redis.RedisSettings settings, String process) {
    return settings.dataPrefix() + ":flusher:" + process;
  }

  /**
   * Removes the temporary files ({@code .j2p-<process>-*.inprogress}) that flushing processes which
   * died (kill -9, a crash) left under {@code root}: a process is dead when its key
   * {@code <redis_data_prefix>:flusher:<process>}, renewed every third of {@code redis_lock_ttl} while it
   * runs, has expired; a live flusher's files stay. Returns how many were removed.
   */
  public long removeDeadTemps(java.nio.file.Path root) throws IOException {
    return LocalSink.removePrivateTemps(root, process -> !jedis.exists(aliveKey(streams.settings(), process)));
  }

  /** For tests: stop renewing locks (a paused process) and run {@code hook} before each commit. */
  public RedisFlush testing(boolean renewLocks, Flusher.CommitHook hook) {
    this.renewLocks = renewLocks;
    this.testCommitHook = hook;
    return this;
  }

  /** The keys holding records ({@code redis_keys}), sorted. */
  public List<String> keys() {
    return new ArrayList<>(new TreeSet<>(jedis.smembers(streams.settings().keysKey())));
  }

  /**
   * Flushes every key, or only {@code only} when not null, {@link #WORKERS} keys at a time (each
   * file's commit waits on the disk's sync, so keys are written side by side); one report per key,
   * in key order.
   */
  public List<KeyReport> flush(String only) throws InterruptedException {
    delivered.clear();
    List<String> keys = only != null ? List.of(only) : retry("list the keys to flush", this::keys);
    List<java.util.concurrent.Future<KeyReport>> futures = new ArrayList<>();
    java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(WORKERS, r -> {
      Thread t = new Thread(r, "redis-flush");
      t.setDaemon(true);
      return t;
    });
    try {
      for (String k : keys) {
        futures.add(pool.submit(() -> stop.getAsBoolean() && lost == null ? null : flushKey(k)));
      }
      List<KeyReport> out = new ArrayList<>();
      for (java.util.concurrent.Future<KeyReport> f : futures) {
        try {
          KeyReport r = f.get();
          if (r == null) {
            notStarted.incrementAndGet();
            continue;
          }
          out.add(r);
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
      }
      if (lost != null) {
        throw new LostException(lost, out);
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Redis was lost past the retry budget while flushing: {@link #getMessage} is the one line that
   * says so; {@link #reports} what each key did (keys not started: none written).
   */
  public static final class LostException extends RuntimeException {
    private final transient List<KeyReport> reports;

    LostException(String message, List<KeyReport> reports) {
      super(message);
      this.reports = reports;
    }

    public List<KeyReport> reports() {
      return reports;
    }
  }

  private java.util.function.BooleanSupplier stop = () -> false;
  private final java.util.concurrent.atomic.AtomicInteger notStarted = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Stops when {@code stop} says so (a signal): each key stops after its current batch, releasing its
   * lock; keys not started yet are left (counted by {@link #notStarted}). Call before {@link #flush}.
   */
  public RedisFlush stopWhen(java.util.function.BooleanSupplier stop) {
    this.stop = stop;
    return this;
  }

  /** Keys the last {@link #flush} left alone because it was asked to stop. */
  public int notStarted() {
    return notStarted.get();
  }

  /** The first give-up's message; once set, keys not yet started are not tried. */
  private volatile String lost;
  private final java.util.concurrent.atomic.AtomicBoolean saidRetrying = new java.util.concurrent.atomic.AtomicBoolean();

  /** {@code op} with the receive path's bounded retries; one "retrying" line per flusher. */
  private <T> T retry(String action, RedisRetry.Op<T> op) {
    return RedisRetry.call(streams.settings(), action, m -> {
      if (!saidRetrying.getAndSet(true)) {
        err.println("json2parquet: " + m);
      }
    }, op);
  }

  /**
   * Flushes one key, unless another instance holds its lock. A lost Redis is retried (the whole key
   * again: open batches are rewritten under the same names, so nothing doubles); past the budget the
   * report carries the error and later keys are not tried.
   */
  public KeyReport flushKey(String key) {
    long[] totals = new long[4];
    if (lost != null) {
      return new KeyReport(key, 0, 0, 0, 0, false, "not tried: Redis was lost");
    }
    try {
      boolean skipped = retry("flush key " + key, () -> flushKeyOnce(key, totals));
      if (skipped) {
        // what the holder has still to write, and how long until another flusher may take it (PTTL, ms)
        long[] held = retry("read key " + key, () -> new long[] {jedis.xlen(streams.stream(key)),
            jedis.pttl(streams.settings().lockKey(key))});
        return new KeyReport(key, 0, 0, 0, 0, true, null, held[0], held[1]);
      }
      return new KeyReport(key, totals[0], totals[1], totals[2], totals[3], false, null);
    } catch (RedisRetry.GaveUpException e) {
      if (lost == null) {
        lost = e.getMessage();
      }
      return new KeyReport(key, totals[0], totals[1], totals[2], totals[3], false, e.getMessage()
          + "; what was not acknowledged stays in Redis for the next flush");
    }
  }

  /** One attempt; true when another flusher holds the key's lock. */
  private boolean flushKeyOnce(String key, long[] totals) {
    RedisLock lock = RedisLock.take(jedis, streams.settings().lockKey(key), token,
        streams.settings().lockTtlMillis(), renewLocks ? timer : null);
    if (lock == null) {
      return true;
    }
    try (lock) {
      streams.adopt(jedis, key); // an earlier version's flusher that died between claiming and recording a batch
      Map<String, String> inRecovery = recoveryOf(key);
      for (Map.Entry<String, String> b : streams.openBatches(jedis, key).entrySet()) {
        if (stop.getAsBoolean()) {
          return false;
        }
        if (!inRecovery.containsKey(b.getKey())) {
          String first = b.getKey();
          List<RedisStreams.Entry> entries = streams.range(jedis, key, first, b.getValue());
          // delivered once more only when another flusher had it: this one's own retries (a lost Redis) do not count
          long deliveries = delivered.add(key + " " + first) ? streams.deliver(jedis, key, consumer, first) : 0;
          int max = streams.settings().maxDeliveries();
          if (max > 0 && deliveries > max && !entries.isEmpty()) {
            deadLetterUndeliverable(key, first, b.getValue(), entries, deliveries, max, totals);
          } else {
            write(key, first, b.getValue(), entries, 0, 0, false, totals);
          }
        }
      }
      while (!lock.lost() && !stop.getAsBoolean()) {
        RedisStreams.Batch batch = streams.claim(jedis, key, token, consumer, batchRecords, () -> {
          if (claimReads.incrementAndGet() == haltAfterClaimRead) {
            Runtime.getRuntime().halt(137);
          }
        });
        if (batch == null || batch.isEmpty()) {
          forgetIfEmpty(key);
          break;
        }
        delivered.add(key + " " + batch.first());
        write(key, batch.first(), batch.last(), batch.entries(), 0, 0, false, totals);
      }
    }
    return false;
  }

  /**
   * Open batches this process claimed or took over and has not finished ("key first-id"): taking one
   * of them up again (after a lost Redis) is not a new delivery. Cleared at each {@link #flush}, so it
   * holds at most the batches of one round.
   */
  private final java.util.Set<String> delivered = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A batch delivered to more than {@code redis_max_deliveries} flushers, each of which ended (died,
   * was killed, lost its lock) before writing it or recording it as failed: a batch that kills its
   * flusher would otherwise block its key for ever. Its lines go to the key's dead-letter stream in
   * the step that acknowledges the batch ({@link RedisStreams#ACK}), so once; the key's later batches
   * flow on. A batch the sink refused is not counted here: it is in the recovery store, which flushes
   * leave alone.
   */
  private void deadLetterUndeliverable(String key, String first, String last, List<RedisStreams.Entry> entries,
      long deliveries, int max, long[] totals) {
    String reason = "its batch was delivered to " + deliveries + " flushers (more than redis_max_deliveries, " + max
        + ") and none wrote it: each ended (killed, crashed or lost its lock) while writing it";
    List<String> envelopes = new ArrayList<>(entries.size());
    String now = clock.instant().toString();
    for (RedisStreams.Entry e : entries) {
      try {
        envelopes.add(new String(FileDeadLetterQueue.envelope(reason, e.source(), e.lineNumber(), now, e.line(), 0,
            e.line().length, e.line().length), StandardCharsets.UTF_8));
      } catch (IOException x) {
        throw new java.io.UncheckedIOException(x);
      }
    }
    long removed = streams.ack(jedis, key, first, last, entries, envelopes);
    delivered.remove(key + " " + first);
    if (removed >= 0) {
      totals[2] += entries.size();
      err.println("json2parquet: batch " + first + "_" + last + " of key " + key + " (" + entries.size() + " records)"
          + " was delivered to " + deliveries + " flushers and none wrote it; its records are in the dead-letter queue "
          + streams.settings().dlqKey(key) + " (json2parquet dlq list --buffer redis), the key's other batches flow on");
    }
  }

  private static void pauseForTest(int ack) {
    String spec = System.getProperty(TEST_PAUSE_BEFORE_ACK);
    int n = spec == null ? -1 : Integer.parseInt(spec.substring(0, spec.indexOf(':')));
    if (spec == null || ack < n) {
      return;
    }
    java.nio.file.Path go = java.nio.file.Path.of(spec.substring(spec.indexOf(':') + 1));
    try {
      if (ack == n) {
        java.nio.file.Files.createFile(go.resolveSibling(go.getFileName() + ".paused"));
      }
      while (!java.nio.file.Files.exists(go)) {
        Thread.sleep(10);
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("test pause: " + e, e);
    }
  }

  /** Removes an empty key from {@code redis_keys}; puts it back if a receiver added to it meanwhile. */
  private void forgetIfEmpty(String key) {
    String stream = streams.stream(key);
    if (jedis.xlen(stream) == 0 && jedis.hlen(streams.batches(key)) == 0) {
      jedis.srem(streams.settings().keysKey(), key);
      if (jedis.xlen(stream) > 0) {
        jedis.sadd(streams.settings().keysKey(), key);
      }
    }
  }

  /**
   * Writes one batch and acknowledges it, or records it in the recovery store. {@code attempts}: the
   * batch's attempts before this one. Returns whether it was written.
   */
  private boolean write(String key, String first, String last, List<RedisStreams.Entry> entries, int attempts,
      int autoAttempts, boolean automatic, long[] totals) {
    if (entries.isEmpty()) {
      streams.ack(jedis, key, first, last, entries, List.of()); // acknowledged by another flusher meanwhile: forget its bounds
      return true;
    }
    String batchName = first + "_" + last;
    JsonRecordReader reader = new JsonRecordReader(type);
    // the ingest time (from the entry id) is read only when a template needs it (no event time)
    RedisStreams.Entry[] current = new RedisStreams.Entry[1];
    PathTemplate.Renderer parts = partition.renderer(() -> current[0].ingestMicros());
    PathTemplate.Renderer keys = keyTemplate.renderer(() -> current[0].ingestMicros());
    Map<BucketKey, ColumnBatch> buckets = new LinkedHashMap<>();
    long dead = 0;
    List<String> deadLetters = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    // A key's stream holds one record key, and a batch mostly one partition: while every record
    // parsed so far has the same bucket key, they are parsed straight into the batch that becomes
    // that bucket (no copy). From the first record with another bucket key on, records are parsed
    // into a staging batch and handed to the buckets a run of equal bucket keys at a time (one bulk
    // copy per run and column, as the memory path's RecordRouter does).
    ColumnBatch staging = new ColumnBatch(type.schema());
    BucketKey single = null;
    boolean mixed = false;
    BucketKey[] keyOf = new BucketKey[Math.min(STAGE, entries.size())];
    int staged = 0;
    try {
      for (RedisStreams.Entry e : entries) {
        current[0] = e;
        try {
          reader.append(e.line(), 0, e.line().length, staging);
        } catch (RecordException x) {
          deadLetters.add(new String(FileDeadLetterQueue.envelope(x.getMessage(), e.source(), e.lineNumber(),
              clock.instant().toString(), e.line(), 0, e.line().length, e.line().length), StandardCharsets.UTF_8));
          dead++;
          continue;
        }
        List<String> pv = parts.values(staging);
        List<String> kv = keys.values(staging);
        if (!mixed) {
          if (single == null) {
            single = new BucketKey(pv, kv);
            continue;
          }
          if (single.is(pv, kv)) {
            continue;
          }
          // the first record of another bucket: the records before it go to their bucket, it stays staged
          mixed = true;
          ColumnBatch.Cursor at = staging.cursor();
          ColumnBatch before = new ColumnBatch(type.schema());
          before.appendFrom(staging, at, staging.records() - 1);
          buckets.put(single, before);
          ColumnBatch rest = new ColumnBatch(type.schema());
          rest.appendFrom(staging, at, 1);
          staging = rest;
          keyOf[staged++] = new BucketKey(pv, kv);
          continue;
        }
        BucketKey prev = staged > 0 ? keyOf[staged - 1] : null;
        keyOf[staged++] = prev != null && prev.is(pv, kv) ? prev : new BucketKey(pv, kv);
        if (staged == keyOf.length) {
          handOver(staging, keyOf, staged, buckets);
          staged = 0;
        }
      }
      if (mixed) {
        handOver(staging, keyOf, staged, buckets);
      } else if (single != null) {
        buckets.put(single, staging);
      }
    } catch (IOException x) {
      failures.add("Cannot read batch " + batchName + " of key " + key + ": " + x.getMessage());
    }
    long valid = entries.size() - dead;
    Held held = new Held(key, batchName);
    Flusher f = new Flusher(config.threads(), sink, new Layout(partition, keyTemplate, batchName), type.schema(),
        config.writerSettings(), Map.of("json2parquet.version", dev.json2parquet.Version.NUMBER), b -> { })
        .recoverInto(held)
        .beforeCommit((path, records) -> {
          if (commits.incrementAndGet() == haltBeforeCommit) {
            Runtime.getRuntime().halt(137);
          }
          if (testCommitHook != null) {
            testCommitHook.beforeCommit(path, records);
          }
        });
    if (failures.isEmpty()) {
      for (Map.Entry<BucketKey, ColumnBatch> b : buckets.entrySet()) {
        f.submit(new Batch(b.getKey(), b.getValue(), b.getValue().usedBytes(), Batch.Reason.SHUTDOWN, 0, Long.MAX_VALUE));
      }
    }
    try {
      f.close();
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      failures.add("interrupted");
    }
    failures.addAll(f.stats().failures());
    if (held.error != null) {
      failures.add(held.error);
    }
    if (failures.isEmpty() && f.stats().records() == valid) {
      int ack = acks.incrementAndGet();
      if (ack == haltBeforeAck) {
        Runtime.getRuntime().halt(137);
      }
      pauseForTest(ack);
      streams.ack(jedis, key, first, last, entries, deadLetters);
      jedis.hdel(streams.settings().recoveryKey(), recoveryField(key, first));
      delivered.remove(key + " " + first);
      totals[0] += valid;
      totals[1] += f.stats().files();
      totals[2] += dead;
      return true;
    }
    String error = failures.isEmpty() ? "only " + f.stats().records() + " of " + valid + " records were written"
        : failures.get(failures.size() - 1);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", key);
    m.put("first", first);
    m.put("last", last);
    m.put("records", entries.size());
    m.put("attempts", attempts + 1);
    m.put("auto_attempts", autoAttempts + (automatic ? 1 : 0));
    m.put("last_error", error);
    m.put("time", clock.instant().toString());
    try {
      jedis.hset(streams.settings().recoveryKey(), recoveryField(key, first), JSON.writeValueAsString(m));
    } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
      throw new IllegalStateException(x);
    }
    totals[3]++;
    delivered.remove(key + " " + first);
    err.println("json2parquet: Cannot write batch " + batchName + " of key " + key + " (" + entries.size()
        + " records): " + error + "; it stays in Redis and is recorded in " + streams.settings().recoveryKey()
        + " (recover with: json2parquet recover --buffer redis)");
    return false;
  }

  /** Records parsed before they are handed to their buckets. */
  private static final int STAGE = 4096;

  /** Moves the {@code n} records of {@code staging} to their buckets, a run of equal keys at a time, and clears it. */
  private void handOver(ColumnBatch staging, BucketKey[] keyOf, int n, Map<BucketKey, ColumnBatch> buckets) {
    ColumnBatch.Cursor at = staging.cursor();
    int a = 0;
    while (a < n) {
      int b = a + 1;
      while (b < n && keyOf[b] == keyOf[a]) {
        b++;
      }
      buckets.computeIfAbsent(keyOf[a], k -> new ColumnBatch(type.schema())).appendFrom(staging, at, b - a);
      a = b;
    }
    staging.clear();
  }

  /** The recovery store's field of a batch: its first id, a space, its key. */
  static String recoveryField(String key, String first) {
    return first + " " + key;
  }

  /** This key's batches in the recovery store: first id to the stored JSON. */
  private Map<String, String> recoveryOf(String key) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : jedis.hgetAll(streams.settings().recoveryKey()).entrySet()) {
      int sp = e.getKey().indexOf(' ');
      if (sp > 0 && e.getKey().substring(sp + 1).equals(key)) {
        m.put(e.getKey().substring(0, sp), e.getValue());
      }
    }
    return m;
  }

  /** What {@link #recover} did. */
  public record Recovered(int batches, long records, int failed, int locked) {
    public boolean ok() {
      return failed == 0 && locked == 0;
    }
  }

  /**
   * Writes the batches in the recovery store again (re-read by their id range, written to the same
   * names, then acknowledged and removed from the store), each under its key's lock; a batch whose
   * key is locked elsewhere is left for later. Reports each batch on {@code out}. With
   * {@code automatic} ({@code try_auto_recover}), a batch that already had {@code autoLimit}
   * automatic attempts (when above 0: {@code recovery_attempts}) is left for a person, and said so.
   */
  public Recovered recover(PrintStream out, boolean automatic, int autoLimit) {
    int done = 0;
    int failed = 0;
    int locked = 0;
    long records = 0;
    Map<String, String> all = jedis.hgetAll(streams.settings().recoveryKey());
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(all).entrySet()) {
      Map<?, ?> m;
      try {
        m = JSON.readValue(e.getValue(), Map.class);
      } catch (IOException x) {
        err.println("json2parquet: Cannot read recovery entry " + e.getKey() + ": " + x.getMessage());
        failed++;
        continue;
      }
      String key = (String) m.get("key");
      String first = (String) m.get("first");
      String last = (String) m.get("last");
      int attempts = ((Number) m.get("attempts")).intValue();
      int autoAttempts = m.get("auto_attempts") instanceof Number a ? a.intValue() : 0;
      if (automatic && autoLimit > 0 && autoAttempts >= autoLimit) {
        err.println("json2parquet: batch " + first + "_" + last + " of key " + key + " had " + autoAttempts
            + " automatic attempts (recovery_attempts); left for json2parquet recover --buffer redis");
        failed++;
        continue;
      }
      RedisLock lock = RedisLock.take(jedis, streams.settings().lockKey(key), token,
          streams.settings().lockTtlMillis(), timer);
      if (lock == null) {
        err.println("json2parquet: batch " + first + "_" + last + " of key " + key + " left for later: another flusher holds the key's lock");
        locked++;
        continue;
      }
      try (lock) {
        List<RedisStreams.Entry> entries = streams.range(jedis, key, first, last);
        long[] totals = new long[4];
        if (write(key, first, last, entries, attempts, autoAttempts, automatic, totals)) {
          jedis.hdel(streams.settings().recoveryKey(), e.getKey());
          out.println("recovered batch " + first + "_" + last + " of key " + key + " (" + totals[0] + " records in "
              + totals[1] + " files)");
          done++;
          records += totals[0];
        } else {
          failed++;
        }
      }
    }
    return new Recovered(done, records, failed, locked);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * The Flusher's recovery store for one batch: nothing is copied, since the batch's records stay
   * in Redis, unacknowledged, and the batch is recorded in {@code redis_recovery_key} once its
   * Flusher is done.
   */
  private final class Held implements RecoveryStore {
    private final String key;
    private final String batch;
    volatile String error;

    Held(String key, String batch) {
      this.key = key;
      this.batch = batch;
    }

    @Override
    public String location() {
      return streams.settings().recoveryKey() + " in Redis (batch " + batch + " of key " + key + " stays in its stream)";
    }

    @Override
    public Entry hold(Entry manifest, Body body) {
      error = "Cannot write " + sink.locate(manifest.path()) + ": " + manifest.lastError();
      return manifest;
    }

    @Override
    public List<Entry> list() {
      return List.of();
    }

    @Override
    public InputStream open(Entry entry) throws IOException {
      throw new IOException("Cannot open " + entry.path() + ": its records are in Redis");
    }

    @Override
    public void update(Entry entry) {
    }

    @Override
    public void remove(Entry entry) {
    }

    @Override
    public long discardRun(String runId) {
      return 0;
    }
  }
}
