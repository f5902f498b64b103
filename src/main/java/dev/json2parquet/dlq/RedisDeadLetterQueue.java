package dev.json2parquet.dlq;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.json2parquet.redis.RedisErrors;
import dev.json2parquet.redis.RedisSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Writes each rejected line to Redis: one stream entry (XADD, id chosen by Redis, so entries are in
 * time order) in the stream {@code <redis_dlq_prefix>:{<key>}}, with the fields {@code envelope}
 * (the JSON envelope of {@link FileDeadLetterQueue}, byte for byte the same shape) and {@code run}
 * (this run's id, which names the file of a file DLQ; a replay and a crash rollback find a run's
 * own dead letters by it). The key is the record's rendered key when the caller knows it
 * ({@link #rejectKeyed}), else {@link #UNKEYED}: a line that could not be read has no key. Every key
 * that holds dead letters is also added to the set {@code <redis_dlq_prefix>:keys}, the index the
 * {@code dlq} verbs read (see {@link RedisDeadLetterStore} for why a set and not SCAN).
 *
 * <p>Writes are pipelined: envelopes wait in memory until {@link #BATCH_ENTRIES} of them or
 * {@link #BATCH_BYTES} bytes are pending, then go to Redis in one round trip (per cluster node);
 * {@link #close()} sends the rest. So memory is bounded by those two constants (plus one line), and
 * {@link #close()} returning means Redis has acknowledged every envelope (as durable as the
 * server's persistence settings make it). An error Redis answers (out of memory, wrong type, read
 * only) fails that {@code reject} or {@code close} with one line from {@link RedisErrors}.
 *
 * <p>Thread-safe (methods are synchronized).
 */
public final class RedisDeadLetterQueue implements DeadLetterQueue {
  /** The key of dead letters whose record key is unknown (the line could not be read as a record). */
  public static final String UNKEYED = "_unkeyed";
  /** Envelopes pending before they are sent. */
  static final int BATCH_ENTRIES = 512;
  /** Envelope bytes pending before they are sent. */
  static final int BATCH_BYTES = 1 << 20;

  private record Pending(String stream, String envelope) {}

  private final UnifiedJedis jedis;
  private final boolean ownsClient;
  private final RedisSettings settings;
  private final String runId;
  private final Clock clock;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
  private final List<Pending> pending = new ArrayList<>();
  private long pendingBytes;
  private long count;
  private boolean closed;

  /**
   * @param jedis the client; closed by {@link #close()} when {@code ownsClient}
   * @param runId the run whose dead letters these are (stored in each entry's {@code run} field)
   */
  public RedisDeadLetterQueue(UnifiedJedis jedis, boolean ownsClient, RedisSettings settings, String runId, Clock clock) {
    this.jedis = jedis;
    this.ownsClient = ownsClient;
    this.settings = settings;
    this.runId = runId;
    this.clock = clock;
  }

  /** The set of keys that hold dead letters: {@code <redis_dlq_prefix>:keys}. */
  static String indexKey(RedisSettings settings) {
    return settings.dlqPrefix() + ":keys";
  }

  @Override
  public void reject(String error, String source, long line, byte[] raw, int off, int len, long totalBytes)
      throws IOException {
    rejectKeyed(UNKEYED, error, source, line, raw, off, len, totalBytes);
  }

  @Override
  public synchronized void rejectKeyed(String key, String error, String source, long line, byte[] raw, int off,
      int len, long totalBytes) throws IOException {
    if (closed) {
      throw new IOException("Cannot write a dead letter to " + location() + ": the queue is closed");
    }
    bytes.reset();
    try (JsonGenerator gen = FlatJson.FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
      FileDeadLetterQueue.writeEnvelope(gen, error, source, line, clock.instant().toString(), raw, off, len, totalBytes);
    }
    String envelope = bytes.toString(StandardCharsets.UTF_8);
    pending.add(new Pending(settings.dlqKey(key == null || key.isEmpty() ? UNKEYED : key), envelope));
    pendingBytes += bytes.size();
    count++;
    if (pending.size() >= BATCH_ENTRIES || pendingBytes >= BATCH_BYTES) {
      send();
    }
  }

  /** Sends the pending envelopes in one pipeline: the index first, so that no stream is ever outside it. */
  private void send() throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    Set<String> streams = new LinkedHashSet<>();
    pending.forEach(p -> streams.add(p.stream()));
    Response<Long> index;
    List<Response<StreamEntryID>> added = new ArrayList<>(pending.size());
    int sent = pending.size();
    try (PipelineBase p = jedis.pipelined()) {
      index = p.sadd(indexKey(settings), streams.toArray(String[]::new));
      for (Pending e : pending) {
        added.add(p.xadd(e.stream(), StreamEntryID.NEW_ENTRY, Map.of("envelope", e.envelope(), "run", runId)));
      }
      p.sync();
    } catch (JedisException e) {
      // the connection failed: which entries Redis applied is unknown, so none is counted
      count -= sent;
      throw new IOException(RedisErrors.describe("write " + sent + " dead letters to " + settings.dlqPrefix()
          + ":{...}", settings, e), e);
    } finally {
      pending.clear();
      pendingBytes = 0;
    }
    // Redis runs a pipeline's commands one by one: some may fail (OOM once maxmemory is reached)
    // after others were stored; only the failed ones are not dead-lettered
    JedisException first = null;
    int failed = 0;
    for (Response<?> r : added) {
      try {
        r.get();
      } catch (JedisException e) {
        failed++;
        first = first == null ? e : first;
      }
    }
    try {
      index.get();
    } catch (JedisException e) {
      first = first == null ? e : first;
    }
    if (first != null) {
      count -= failed;
      throw new IOException(RedisErrors.describe("write " + (failed > 0 ? failed + " of " + sent : "the index of "
          + sent) + " dead letters to " + settings.dlqPrefix() + ":{...}", settings, first), first);
    }
  }

  /** Sends the pending envelopes now; returning means Redis has them. */
  public synchronized void flush() throws IOException {
    send();
  }

  @Override
  public String location() {
    return settings.dlqPrefix() + ":{*} at " + settings.address();
  }

  @Override
  public synchronized long count() {
    return count;
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      send();
    } finally {
      closed = true;
      if (ownsClient) {
        jedis.close();
      }
    }
  }
}
