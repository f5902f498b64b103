package dev.json2parquet.dlq;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.json2parquet.redis.RedisErrors;
import dev.json2parquet.redis.RedisSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The dead letters {@link RedisDeadLetterQueue} wrote: the streams named in the set
 * {@code <redis_dlq_prefix>:keys}, read key by key in name order, each stream oldest entry first
 * (XRANGE pages of {@link #PAGE} entries, so memory holds one page and the key names, never the
 * whole queue).
 *
 * <p>Why an index set rather than SCAN: SCAN walks the whole keyspace (every buffered record's
 * stream too), and on a cluster it must be sent to every primary; the set is one small key, updated
 * in the same pipeline as the XADDs (index first, so a stream is never missing from it; an index
 * entry whose stream is gone is skipped).
 *
 * <p>Why streams: each entry has an id that Redis assigns in time order, so a listing is in
 * rejection order and an entry can be removed by its id (XDEL), which is idempotent; removing an
 * element from a list would need LREM by value, which cannot tell two equal envelopes apart.
 *
 * <p>Crash safety of a replay, as in {@link FileDeadLetterStore} with a Redis marker: before
 * converting, the hash {@code <redis_dlq_prefix>:replays} gets a field for the run (its filter, state
 * {@code converting}). After the conversion's files are committed and its own dead letters are in
 * Redis, the state becomes {@code converted}; then the replayed entries (those the filter matches
 * that are replayable and not written by this run) are removed with XDEL, and the field is deleted.
 * A {@code dlq} verb that finds a {@code converting} marker undoes the run (its files, and its own
 * dead letters, found by their {@code run} field); a {@code converted} one is finished (the
 * removal re-applied: XDEL of what already went is a no-op). The marker holds the filter, not entry
 * ids, so it stays small however many entries a replay reads.
 *
 * <p>The lock every verb holds is the key {@code <redis_dlq_prefix>:lock} (SET NX PX with a token,
 * renewed every third of {@link #LOCK_TTL_MILLIS} while held, released by compare-and-delete), so
 * two {@code dlq} commands on any machines never overlap; a crashed holder's lock expires.
 *
 * <p>Not thread-safe (one verb at a time); {@link #close()} closes the client.
 */
final class RedisDeadLetterStore implements DeadLetterStore {
  static final int PAGE = 500;
  static final long LOCK_TTL_MILLIS = 60_000;
  private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
  private static final String RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

  private final UnifiedJedis jedis;
  private final RedisSettings settings;

  RedisDeadLetterStore(UnifiedJedis jedis, RedisSettings settings) {
    this.jedis = jedis;
    this.settings = settings;
  }

  @Override
  public String location() {
    return settings.dlqPrefix() + ":{*} at " + settings.address();
  }

  private String markersKey() {
    return settings.dlqPrefix() + ":replays";
  }

  private String lockKey() {
    return settings.dlqPrefix() + ":lock";
  }

  /** A Redis call; what Redis answers as an error becomes one {@code Cannot ...} line. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  private <T> T redis(String action, Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (JedisException e) {
      throw new IOException(RedisErrors.describe(action, settings, e), e);
    }
  }

  @Override
  public Lock lock() throws IOException {
    // "pid@host uuid": the holder is named in the message of a verb that finds the lock taken
    String token = ManagementFactory.getRuntimeMXBean().getName() + " " + UUID.randomUUID();
    return redis("lock " + lockKey(), () -> {
      if (jedis.set(lockKey(), token, SetParams.setParams().nx().px(LOCK_TTL_MILLIS)) == null) {
        String holder = jedis.get(lockKey());
        throw new IOException("Cannot lock " + lockKey() + " at " + settings.address()
            + ": another dlq command is using these dead letters (" + (holder == null ? "it just ended; try again"
            : "held by " + (holder.lastIndexOf(' ') < 0 ? holder : holder.substring(0, holder.lastIndexOf(' ')))) + ")");
      }
      ScheduledExecutorService renew = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dlq-lock-renewal");
        t.setDaemon(true);
        return t;
      });
      long every = LOCK_TTL_MILLIS / 3;
      renew.scheduleAtFixedRate(() -> {
        try {
          jedis.eval(RENEW, List.of(lockKey()), List.of(token, Long.toString(LOCK_TTL_MILLIS)));
        } catch (JedisException e) {
          // tried again at the next tick; a lock that expires only lets another verb start
        }
      }, every, every, TimeUnit.MILLISECONDS);
      return () -> {
        renew.shutdownNow();
        redis("unlock " + lockKey(), () -> jedis.eval(RELEASE, List.of(lockKey()), List.of(token)));
      };
    });
  }

  /** The streams in the index, in name order (SSCAN may repeat a member; the set removes repeats). */
  private List<String> streams() throws IOException {
    return redis("read the index " + RedisDeadLetterQueue.indexKey(settings), () -> {
      TreeSet<String> keys = new TreeSet<>();
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams params = new ScanParams().count(PAGE);
      do {
        ScanResult<String> page = jedis.sscan(RedisDeadLetterQueue.indexKey(settings), cursor, params);
        keys.addAll(page.getResult());
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      return new ArrayList<>(keys);
    });
  }

  /** One page of {@code stream} after {@code after} (null: from the start). */
  private List<StreamEntry> page(String stream, StreamEntryID after) throws IOException {
    return redis("read the dead letters in " + stream, () ->
        jedis.xrange(stream, after == null ? "-" : "(" + after, "+", PAGE));
  }

  /** The envelope of {@code e}, or null when it cannot be read as one. */
  private static DeadLetter parse(StreamEntry e) {
    String envelope = e.getFields().get("envelope");
    if (envelope == null) {
      return null;
    }
    try {
      return DeadLetter.parse(envelope.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ex) {
      return null;
    }
  }

  @Override
  public long scan(DeadLetterFilter filter, Visitor visitor) throws IOException {
    long unreadable = 0;
    for (String stream : streams()) {
      StreamEntryID after = null;
      List<StreamEntry> page;
      while (!(page = page(stream, after)).isEmpty()) {
        for (StreamEntry e : page) {
          DeadLetter d = parse(e);
          if (d == null) {
            unreadable++;
          } else if (filter.test(d)) {
            visitor.accept(d);
          }
        }
        after = page.get(page.size() - 1).getID();
      }
    }
    return unreadable;
  }

  /** Which entries a removal takes: {@code letter} is null for an entry that is not an envelope. */
  @FunctionalInterface
  private interface Removal {
    boolean test(String run, DeadLetter letter);
  }

  /**
   * Removes the entries {@code removal} takes, a page at a time (XDEL by id, idempotent); a stream
   * left empty is deleted and taken out of the index.
   */
  private long remove(Removal removal) throws IOException {
    long removed = 0;
    for (String stream : streams()) {
      StreamEntryID after = null;
      List<StreamEntry> page;
      while (!(page = page(stream, after)).isEmpty()) {
        List<StreamEntryID> ids = new ArrayList<>();
        for (StreamEntry e : page) {
          if (removal.test(e.getFields().get("run"), parse(e))) {
            ids.add(e.getID());
          }
        }
        if (!ids.isEmpty()) {
          removed += redis("remove dead letters from " + stream, () -> jedis.xdel(stream, ids.toArray(StreamEntryID[]::new)));
        }
        after = page.get(page.size() - 1).getID();
      }
      redis("remove the empty " + stream, () -> {
        if (jedis.xlen(stream) == 0) {
          jedis.del(stream);
          jedis.srem(RedisDeadLetterQueue.indexKey(settings), stream);
          forgetMarks(stream);
        }
        return null;
      });
    }
    return removed;
  }

  /**
   * Removes the marks hash {@code <redis_dlq_prefix>:done:{K}} of an emptied stream
   * {@code <redis_dlq_prefix>:{K}} (per input id the last line a resumable {@code convert} dead-lettered
   * into it, so that a chunk sent again is not dead-lettered twice), keeping only the marks of inputs
   * still being read (unfinished in {@code <redis_data_prefix>:inputs}): a resumed run of one of those
   * could otherwise dead-letter its last chunk's lines again. A hash left without fields is gone.
   */
  private void forgetMarks(String stream) {
    String prefix = settings.dlqPrefix() + ":{";
    if (!stream.startsWith(prefix) || !stream.endsWith("}")) {
      return;
    }
    String marks = settings.dlqPrefix() + ":done:{" + stream.substring(prefix.length(), stream.length() - 1) + "}";
    java.util.Set<String> ids = jedis.hkeys(marks);
    if (ids.isEmpty()) {
      return;
    }
    java.util.Set<String> reading = new java.util.HashSet<>();
    for (String progress : jedis.hvals(settings.dataPrefix() + ":inputs")) {
      try {
        Map<String, Object> p = FlatJson.read(progress.getBytes(StandardCharsets.UTF_8));
        if (!Boolean.TRUE.equals(p.get("done")) && p.get("id") instanceof String id) {
          reading.add(id);
        }
      } catch (IOException | RuntimeException e) {
        return; // unreadable progress: keep every mark
      }
    }
    ids.removeAll(reading);
    if (!ids.isEmpty()) {
      jedis.hdel(marks, ids.toArray(String[]::new));
    }
  }

  @Override
  public long purge(DeadLetterFilter filter) throws IOException {
    return remove((run, d) -> d != null && filter.test(d));
  }

  /** Removes the dead letters run {@code runId} wrote (a replay undone, a crashed run rolled back). */
  long discardRun(String runId) throws IOException {
    return remove((run, d) -> runId.equals(run));
  }

  // ---- replay

  private void writeMarker(String runId, String state, DeadLetterFilter filter) throws IOException {
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    try (JsonGenerator g = FlatJson.FACTORY.createGenerator(json)) {
      g.writeStartObject();
      LinesReplay.writeMarkerFields(g, runId, state, filter);
      g.writeEndObject();
    }
    redis("record the replay " + runId + " in " + markersKey(),
        () -> jedis.hset(markersKey(), runId, json.toString(StandardCharsets.UTF_8)));
  }

  /** Removes the replayed envelopes: the replayable ones {@code filter} matches that run {@code runId} did not write. */
  private void removeReplayed(DeadLetterFilter filter, String runId) throws IOException {
    remove((run, d) -> d != null && !runId.equals(run) && filter.test(d) && d.replayable());
  }

  @Override
  public Replay replay(DeadLetterFilter filter, String runId) throws IOException {
    writeMarker(runId, "converting", filter);
    return new RedisReplay(filter, runId, new ReplayLines(filter, new StreamLetters(streams(), runId)));
  }

  @Override
  public List<String> recoverInterrupted(RunUndo undo) throws IOException {
    List<String> done = new ArrayList<>();
    Map<String, String> markers = redis("read " + markersKey(), () -> jedis.hgetAll(markersKey()));
    for (Map.Entry<String, String> m : new java.util.TreeMap<>(markers).entrySet()) {
      Map<String, Object> n = FlatJson.read(m.getValue().getBytes(StandardCharsets.UTF_8));
      String runId = m.getKey();
      DeadLetterFilter filter = new DeadLetterFilter((String) n.get("source"), (String) n.get("error"),
          n.get("since") instanceof String since ? Instant.parse(since) : null);
      if ("converted".equals(n.get("state"))) {
        removeReplayed(filter, runId);
        done.add("finished the interrupted replay " + runId + ": its output was committed; removed the replayed dead letters");
      } else {
        undo.undo(runId);
        discardRun(runId);
        done.add("undid the interrupted replay " + runId + ": removed what it had written; its dead letters are as before");
      }
      redis("remove the replay " + runId + " from " + markersKey(), () -> jedis.hdel(markersKey(), runId));
    }
    return done;
  }

  @Override
  public void close() {
    jedis.close();
  }

  /** The readable envelopes of the streams, a page at a time, leaving out those run {@code runId} writes meanwhile. */
  private final class StreamLetters implements ReplayLines.Letters {
    private final List<String> streams;
    private final String runId;
    private int next;
    private String stream;
    private StreamEntryID after;
    private List<StreamEntry> page = List.of();
    private int at;

    StreamLetters(List<String> streams, String runId) {
      this.streams = streams;
      this.runId = runId;
    }

    @Override
    public DeadLetter next() throws IOException {
      while (true) {
        if (at == page.size()) {
          if (stream != null) {
            page = page(stream, after);
            at = 0;
          }
          if (page.isEmpty()) {
            if (next == streams.size()) {
              return null;
            }
            stream = streams.get(next++);
            after = null;
            continue;
          }
          after = page.get(page.size() - 1).getID();
        }
        StreamEntry e = page.get(at++);
        DeadLetter d = runId.equals(e.getFields().get("run")) ? null : parse(e);
        if (d != null) {
          return d;
        }
      }
    }

    @Override
    public void close() {
      page = List.of();
    }
  }

  private final class RedisReplay extends LinesReplay {
    RedisReplay(DeadLetterFilter filter, String runId, ReplayLines stream) {
      super(filter, runId, stream);
    }

    @Override
    public void commit() throws IOException {
      // the run's own dead letters are in Redis: its queue was closed (and so sent) before this call
      writeMarker(runId, "converted", filter);
      removeReplayed(filter, runId);
      redis("remove the replay " + runId + " from " + markersKey(), () -> jedis.hdel(markersKey(), runId));
    }

    @Override
    public void abort() throws IOException {
      discardRun(runId);
      redis("remove the replay " + runId + " from " + markersKey(), () -> jedis.hdel(markersKey(), runId));
    }
  }
}
