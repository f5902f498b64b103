package dev.json2parquet.buffer;

import dev.json2parquet.redis.RedisRetry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * The receiving end of the Redis buffer: lines (the original bytes, validated by the caller) are
 * collected per key into a chunk of at most {@link #maxEntries} entries or {@link #maxBytes} bytes,
 * then {@link #ship}ped as one pipeline: per key one {@link RedisStreams#XADD} script (records plus
 * the input's progress mark, atomically), and an {@code SADD} of the key to {@code redis_keys}. A
 * record counts as buffered only once {@code ship} has returned, that is once Redis acknowledged
 * every script of the pipeline. Memory is one chunk: bounded by the two limits, not by the input.
 *
 * <p>A failed pipeline (connection lost, Redis restarting) is sent again, after a backoff, up to a
 * time budget; resending is harmless, since each key's script skips the lines its stream already
 * has. A server error (maxmemory, read-only replica, no permission) is not retried. Pipelines are
 * sent on a thread of their own, one at a time, while the caller fills the next chunk. Not
 * thread-safe: one calling thread.
 */
public final class RedisBuffer {
  /** Default entries per pipeline. */
  public static final int CHUNK_ENTRIES = 2000;
  /** Default bytes of lines per pipeline. */
  public static final long CHUNK_BYTES = 4L << 20;
  /** A test hook: how many seconds a lost Redis is retried for (default {@link RedisRetry#SECONDS}). */
  public static final String TEST_RETRY_SECONDS = RedisRetry.TEST_SECONDS;
  /**
   * A test hook: halt the JVM (as kill -9 would) once Redis acknowledged the N-th pipeline, before its
   * checkpoint is recorded: the worst moment, since a re-run reads those lines again.
   */
  public static final String TEST_HALT_AFTER_CHUNKS = "json2parquet.test.haltAfterChunks";
  /**
   * A test hook: {@code N:PATH} pauses after the N-th acknowledged pipeline: creates
   * {@code PATH.paused}, then waits until {@code PATH} exists (so a test can stop Redis meanwhile).
   */
  public static final String TEST_PAUSE_AFTER_CHUNK = "json2parquet.test.pauseAfterChunk";

  /** Redis stayed unreachable (or refused the data) past the retry budget; nothing of the chunk is counted. */
  public static final class LostException extends RuntimeException {
    public LostException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final UnifiedJedis jedis;
  private final RedisStreams streams;
  private final int maxEntries;
  private final long maxBytes;
  private Map<String, List<byte[]>> chunk = new LinkedHashMap<>();
  /** Dead letters of the chunk: envelope and line number pairs. */
  private List<byte[]> dead = new ArrayList<>();
  private int entries;
  private long bytes;
  /** Written by the shipping thread only. */
  private volatile long buffered;
  /** Ships one chunk at a time while the caller fills the next. */
  private final java.util.concurrent.ExecutorService shipper = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "redis-ship");
    t.setDaemon(true);
    return t;
  });
  private java.util.concurrent.Future<?> inFlight;
  private int shipped;
  private final int haltAfter = Integer.getInteger(TEST_HALT_AFTER_CHUNKS, -1);
  private java.io.PrintStream err;

  /** Where the one line per outage ("retrying") goes; none when not set. */
  public RedisBuffer reportTo(java.io.PrintStream err) {
    this.err = err;
    return this;
  }

  public RedisBuffer(UnifiedJedis jedis, RedisStreams streams, int maxEntries, long maxBytes) {
    this.jedis = jedis;
    this.streams = streams;
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /**
   * Adds one line under {@code key} to the chunk; true when the chunk is full and should be
   * shipped at the next line boundary.
   */
  public boolean add(String key, byte[] buf, int off, int len, long lineNumber) {
    List<byte[]> args = chunk.computeIfAbsent(key, k -> new ArrayList<>());
    args.add(Arrays.copyOfRange(buf, off, off + len));
    args.add(RedisStreams.bytes(Long.toString(lineNumber)));
    entries++;
    bytes += len;
    return entries >= maxEntries || bytes >= maxBytes;
  }

  /**
   * As {@link #add(String, byte[], int, int, long)}, taking {@code line} itself (the caller no longer
   * changes it) and the line number already as its decimal text, so nothing is copied.
   */
  public boolean add(String key, byte[] line, byte[] lineNumberText) {
    List<byte[]> args = chunk.computeIfAbsent(key, k -> new ArrayList<>());
    args.add(line);
    args.add(lineNumberText);
    entries++;
    bytes += line.length;
    return entries >= maxEntries || bytes >= maxBytes;
  }

  /**
   * Adds a dead letter (an envelope, see {@code FileDeadLetterQueue#envelope}) of line
   * {@code lineNumber} to the chunk: it goes to Redis with the chunk's records, to the dead-letter
   * stream of {@code _unkeyed} (the line has no key: it is not a record). True when the chunk is full.
   */
  public boolean reject(byte[] envelope, long lineNumber) {
    dead.add(envelope);
    dead.add(RedisStreams.bytes(Long.toString(lineNumber)));
    entries++;
    bytes += envelope.length;
    return entries >= maxEntries || bytes >= maxBytes;
  }

  /** The key of dead letters that have no record key (as {@code RedisDeadLetterQueue.UNKEYED}). */
  public static final String UNKEYED = "_unkeyed";

  /** Lines added since the last ship. */
  public int pending() {
    return entries;
  }

  /** Records Redis has acknowledged (new ones; lines it already had are not counted again); call after {@link #drain}. */
  public long buffered() {
    return buffered;
  }

  /**
   * Hands the chunk for input {@code inputId} (named {@code source} in dead letters) to the shipping
   * thread and returns once the previous chunk is in Redis (so at most two chunks are held: one in
   * flight, one filling). The shipping thread sends it, then runs {@code checkpoint} (which records
   * the input's progress in Redis), retried like the chunk. The checkpoint is sent only after Redis
   * acknowledged the chunk, so it never claims lines that Redis does not have.
   *
   * @throws LostException when Redis could not take the previous chunk within the retry budget, or
   *     answered an error
   */
  public void ship(String inputId, String source, Runnable checkpoint) {
    ship(inputId, source, false, checkpoint);
  }

  /**
   * As {@link #ship(String, String, Runnable)}; {@code fresh}: {@code inputId} was made by this run,
   * so no line of it can be in Redis before this chunk's first attempt, and that attempt is sent as
   * plain XADDs and mark updates in one {@code MULTI}/{@code EXEC} instead of the scripts that skip
   * lines already there (the scripts' Lua calls cost Redis about as much again as the XADDs). The
   * transaction is applied whole or not at all, so a retry (through the scripts, which skip by the
   * marks) or a resumed run finds the marks in step with the streams. On a Redis Cluster the keys
   * live on several nodes and the scripts are used throughout.
   */
  public void ship(String inputId, String source, boolean fresh, Runnable checkpoint) {
    Taken t = take();
    boolean plain = fresh && !streams.settings().cluster();
    inFlight = shipper.submit(() -> send(t.records, t.dead, t.entries, inputId, source, checkpoint, null, -1, plain));
  }

  /**
   * {@code serve}'s ship: sends the chunk on the calling thread and returns once Redis has
   * acknowledged it (the caller may then answer its client); the chunk is cleared either way, so
   * nothing is held after the return. With {@code part} (a forward chunk id and the chunk's number
   * within the message) each key's records and the chunk's dead letters go in at most once per
   * {@code part} within {@code ttlMillis} ({@link RedisStreams#XADD_ONCE}); without it (HTTP) they
   * are always added. Dead letters get {@code run} as their run. A lost Redis is retried for
   * {@code retrySeconds} (short: a client that gets no answer retries itself).
   *
   * @throws LostException when Redis did not take the chunk; nothing of it is counted as buffered,
   *     though some keys' parts may be in Redis (a forward retry of the same part skips those)
   */
  public void shipOnce(String part, String source, String run, long ttlMillis, double retrySeconds) {
    Taken t = take();
    send(t.records, t.dead, t.entries, part, source, () -> { }, new Once(part, run, ttlMillis), retrySeconds, false);
  }
  /** The chunk filled so far (lines per stream, dead letters, entry count), leaving an empty one. */
  private record Taken(Map<String, List<byte[]>> records, List<byte[]> dead, int entries) {}

  private Taken take() {
    drain();
    Taken t = new Taken(chunk, dead, entries);
    chunk = new LinkedHashMap<>();
    dead = new ArrayList<>();
    entries = 0;
    bytes = 0;
    return t;
  }


  /** Forgets the chunk being filled (a call that failed before shipping it: its client gets no answer). */
  public void discard() {
    chunk = new LinkedHashMap<>();
    dead = new ArrayList<>();
    entries = 0;
    bytes = 0;
  }

  /** How {@link #shipOnce} sends: the marker's part name (null: none), the dead letters' run, the marker's ttl. */
  private record Once(String part, String run, long ttlMillis) { }

  /**
   * Waits until every chunk handed over is in Redis with its checkpoint.
   *
   * @throws LostException as {@link #ship}
   */
  public void drain() {
    if (inFlight == null) {
      return;
    }
    try {
      inFlight.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof LostException l ? l
          : new LostException("Cannot buffer records into Redis: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LostException("Cannot buffer records into Redis: interrupted while waiting for it", e);
    } finally {
      inFlight = null;
    }
  }

  /** Stops the shipping thread (after {@link #drain}). */
  public void close() {
    shipper.shutdownNow();
  }

  private void send(Map<String, List<byte[]>> full, List<byte[]> rejected, int n, String inputId, String source,
      Runnable checkpoint, Once once, double retrySeconds, boolean plain) {
    boolean[] sent = {n == 0};
    boolean[] tried = {false};
    long budget = retrySeconds >= 0 ? (long) (retrySeconds * 1e9) : RedisRetry.budgetNanos();
    try {
      // resending is harmless: each key's script skips the lines its stream already has
      RedisRetry.call(streams.settings(), "buffer records into Redis", budget, err == null || once != null ? null : m -> err.println(
          "json2parquet: " + m), () -> {
            if (!sent[0]) {
              boolean first = !tried[0];
              tried[0] = true;
              buffered += once != null ? pipelineOnce(full, rejected, source, once)
                  : plain && first ? transaction(full, rejected, inputId, source)
                  : pipeline(full, rejected, inputId, source);
              sent[0] = true;
              pauseForTest();
              if (shipped == haltAfter) {
                Runtime.getRuntime().halt(137); // Redis has the chunk, the input's checkpoint does not say so yet
              }
            }
            checkpoint.run();
            return null;
          });
    } catch (RedisRetry.GaveUpException e) {
      throw new LostException(e.getMessage(), e.getCause());
    }
  }

  private void pauseForTest() {
    shipped++;
    String spec = System.getProperty(TEST_PAUSE_AFTER_CHUNK);
    if (spec == null || Integer.parseInt(spec.substring(0, spec.indexOf(':'))) != shipped) {
      return;
    }
    java.nio.file.Path go = java.nio.file.Path.of(spec.substring(spec.indexOf(':') + 1));
    try {
      java.nio.file.Files.createFile(go.resolveSibling(go.getFileName() + ".paused"));
      while (!java.nio.file.Files.exists(go)) {
        Thread.sleep(10);
      }
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException("test pause: " + e, e);
    }
  }

  private long pipelineOnce(Map<String, List<byte[]>> chunk, List<byte[]> rejected, String source, Once once) {
    if (!rejected.isEmpty()) {
      jedis.sadd(streams.dlqIndex(), streams.settings().dlqKey(UNKEYED));
    }
    byte[] script = RedisStreams.bytes(RedisStreams.XADD_ONCE);
    byte[] ttl = RedisStreams.bytes(Long.toString(once.ttlMillis()));
    List<Response<Object>> replies = new ArrayList<>();
    Response<Object> deadReply = null;
    try (AbstractPipeline p = jedis.pipelined()) {
      for (Map.Entry<String, List<byte[]>> e : chunk.entrySet()) {
        List<byte[]> args = new ArrayList<>(e.getValue().size() * 3 / 2 + 5);
        args.add(ttl);
        args.add(RedisStreams.bytes("3"));
        args.add(RedisStreams.bytes("l"));
        args.add(RedisStreams.bytes("n"));
        args.add(RedisStreams.bytes("s"));
        byte[] src = RedisStreams.bytes(source);
        List<byte[]> v = e.getValue();
        for (int i = 0; i < v.size(); i += 2) {
          args.add(v.get(i));
          args.add(v.get(i + 1));
          args.add(src);
        }
        replies.add(p.eval(script, keys(streams.stream(e.getKey()), e.getKey(), once.part()), args));
      }
      if (!rejected.isEmpty()) {
        List<byte[]> args = new ArrayList<>(rejected.size() + 4);
        args.add(ttl);
        args.add(RedisStreams.bytes("2"));
        args.add(RedisStreams.bytes("envelope"));
        args.add(RedisStreams.bytes("run"));
        byte[] run = RedisStreams.bytes(once.run());
        for (int i = 0; i < rejected.size(); i += 2) {
          args.add(rejected.get(i));
          args.add(run);
        }
        deadReply = p.eval(script, keys(streams.settings().dlqKey(UNKEYED), UNKEYED, once.part()), args);
      }
      p.sync();
    }
    if (!chunk.isEmpty()) {
      jedis.sadd(streams.settings().keysKey(), chunk.keySet().toArray(new String[0]));
    }
    if (deadReply != null) {
      deadReply.get();
    }
    long added = 0;
    for (Response<Object> r : replies) {
      added += r.get() instanceof Long l && l > 0 ? l : 0;
    }
    return added;
  }

  private List<byte[]> keys(String stream, String key, String part) {
    return part == null ? List.of(RedisStreams.bytes(stream))
        : List.of(RedisStreams.bytes(stream), RedisStreams.bytes(streams.seen(key, part)));
  }

  /**
   * The first attempt of a chunk of a fresh input: per key, the XADDs of the same fields as
   * {@link RedisStreams#XADD} and the key's mark; the dead letters likewise; all in one transaction.
   */
  private long transaction(Map<String, List<byte[]>> chunk, List<byte[]> rejected, String inputId, String source) {
    if (!rejected.isEmpty()) {
      jedis.sadd(streams.dlqIndex(), streams.settings().dlqKey(UNKEYED));
    }
    byte[] id = RedisStreams.bytes(inputId);
    byte[] src = RedisStreams.bytes(source);
    byte[] star = RedisStreams.bytes("*");
    byte[] l = RedisStreams.bytes("l");
    byte[] n = RedisStreams.bytes("n");
    byte[] s = RedisStreams.bytes("s");
    long added = 0;
    // per stream: its marks hash, and the end of its commands (XADDs, then the mark) in the replies
    List<byte[]> marks = new ArrayList<>();
    List<Integer> ends = new ArrayList<>();
    int commands = 0;
    try (redis.clients.jedis.AbstractTransaction t = jedis.multi()) {
      for (Map.Entry<String, List<byte[]>> e : chunk.entrySet()) {
        byte[] stream = RedisStreams.bytes(streams.stream(e.getKey()));
        List<byte[]> v = e.getValue();
        for (int i = 0; i < v.size(); i += 2) {
          t.sendCommand(Protocol.Command.XADD, stream, star, l, v.get(i), n, v.get(i + 1), s, src);
        }
        byte[] mark = RedisStreams.bytes(streams.done(e.getKey()));
        t.hset(mark, id, v.get(v.size() - 1));
        commands += v.size() / 2 + 1;
        marks.add(mark);
        ends.add(commands);
        added += v.size() / 2;
      }
      if (!rejected.isEmpty()) {
        byte[] dlq = RedisStreams.bytes(streams.settings().dlqKey(UNKEYED));
        byte[] envelope = RedisStreams.bytes("envelope");
        byte[] run = RedisStreams.bytes("run");
        byte[] runId = RedisStreams.bytes("redis-" + inputId);
        for (int i = 0; i < rejected.size(); i += 2) {
          t.sendCommand(Protocol.Command.XADD, dlq, star, envelope, rejected.get(i), run, runId);
        }
        byte[] mark = RedisStreams.bytes(streams.dlqDone(UNKEYED));
        t.hset(mark, id, rejected.get(rejected.size() - 1));
        commands += rejected.size() / 2 + 1;
        marks.add(mark);
        ends.add(commands);
      }
      List<Object> replies;
      try {
        replies = t.exec();
      } catch (redis.clients.jedis.exceptions.JedisDataException x) {
        if (x.getMessage() == null || !x.getMessage().startsWith("EXECABORT")) {
          throw x;
        }
        // a command was refused when queued (maxmemory, say) and nothing was applied: the scripts
        // send the chunk again, and Redis's own error for it is what the caller reports
        return pipeline(chunk, rejected, inputId, source);
      }
      if (replies == null) {
        return pipeline(chunk, rejected, inputId, source); // discarded (only WATCH does that): as above
      }
      // a command that fails when run (a key of another type: WRONGTYPE) does not undo the rest of
      // the transaction: a mark set for a stream whose XADDs failed would make a resumed run skip
      // those lines, so such marks are removed (the resumed run starts at this chunk, which is past
      // every earlier line of the input, and then adds them)
      RuntimeException failed = null;
      List<byte[]> unmark = new ArrayList<>();
      for (int g = 0; g < marks.size(); g++) {
        for (int i = ends.get(g) - 1; i >= (g == 0 ? 0 : ends.get(g - 1)); i--) {
          if (replies.get(i) instanceof Exception x) {
            failed = failed != null ? failed : x instanceof RuntimeException re ? re
                : new redis.clients.jedis.exceptions.JedisDataException(x);
            unmark.add(marks.get(g));
            break;
          }
        }
      }
      if (failed != null) {
        for (byte[] m : unmark) {
          jedis.hdel(m, id);
        }
        throw failed;
      }
    }
    if (!chunk.isEmpty()) {
      jedis.sadd(streams.settings().keysKey(), chunk.keySet().toArray(new String[0]));
    }
    return added;
  }

  private long pipeline(Map<String, List<byte[]>> chunk, List<byte[]> rejected, String inputId, String source) {
    if (!rejected.isEmpty()) {
      // the index first, so that no dead-letter stream is outside it (RedisDeadLetterStore reads the index)
      jedis.sadd(streams.dlqIndex(), streams.settings().dlqKey(UNKEYED));
    }
    byte[] id = RedisStreams.bytes(inputId);
    byte[] src = RedisStreams.bytes(source);
    byte[] script = RedisStreams.bytes(RedisStreams.XADD);
    List<Response<Object>> replies = new ArrayList<>();
    Response<Object> deadReply = null;
    try (AbstractPipeline p = jedis.pipelined()) {
      for (Map.Entry<String, List<byte[]>> e : chunk.entrySet()) {
        List<byte[]> args = new ArrayList<>(e.getValue().size() + 2);
        args.add(id);
        args.add(src);
        args.addAll(e.getValue());
        replies.add(p.eval(script, List.of(RedisStreams.bytes(streams.stream(e.getKey())),
            RedisStreams.bytes(streams.done(e.getKey()))), args));
      }
      if (!rejected.isEmpty()) {
        List<byte[]> args = new ArrayList<>(rejected.size() + 2);
        args.add(id);
        args.add(RedisStreams.bytes("redis-" + inputId));
        args.addAll(rejected);
        deadReply = p.eval(RedisStreams.bytes(RedisStreams.DLQ_XADD), List.of(RedisStreams.bytes(streams.settings().dlqKey(UNKEYED)),
            RedisStreams.bytes(streams.dlqDone(UNKEYED))), args);
      }
      p.sync();
    }
    // after the XADDs were applied (on a cluster the set lives on another node, so not in the same
    // pipeline): a flusher that removed a key because its stream was empty re-checks the stream after
    if (!chunk.isEmpty()) {
      jedis.sadd(streams.settings().keysKey(), chunk.keySet().toArray(new String[0]));
    }
    long added = 0;
    if (deadReply != null) {
      deadReply.get(); // an error Redis answered (maxmemory) is thrown here
    }
    for (Response<Object> r : replies) {
      Object o = r.get();
      added += o instanceof Long l ? l : 0;
    }
    return added;
  }
}
