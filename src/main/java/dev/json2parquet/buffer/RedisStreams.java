package dev.json2parquet.buffer;

import dev.json2parquet.redis.RedisSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * The Redis buffer's data model and the Lua scripts that change it, in one place, so that the
 * receiving side ({@link RedisBuffer}) and the flushing side ({@code flush.RedisFlush}) agree.
 *
 * <p>Per record key {@code K} (the rendering of the key template), all in one hash slot through
 * the {@code {K}} hash tag (Redis Cluster specification, "Hash tags"), so every script below
 * touches one slot and works on a cluster:
 * <ul>
 *   <li>{@code <redis_data_prefix>:{K}}: a stream; one entry per record, fields {@code l} (the line's
 *       bytes, exactly as read), {@code n} (its line number) and {@code s} (its input's name), for
 *       the dead-letter envelope. The entry id's milliseconds are the record's ingest time.</li>
 *   <li>consumer group {@link #GROUP} on it: its last delivered id marks how far entries were claimed
 *       ({@link #claim} moves it), and the first entry of each open batch is pending in it.</li>
 *   <li>{@code <redis_data_prefix>:batches:{K}}: a hash, first entry id to last entry id of each
 *       batch claimed and not yet acknowledged. A batch is exactly the entries between its two ids
 *       (ids increase, and entries are deleted only when their whole batch is acknowledged), so a
 *       flusher that takes over re-reads the same records with {@code XRANGE} and writes the same
 *       file names.</li>
 *   <li>{@code <redis_lock_prefix>:{K}}: the flush lock (SET NX PX; value: this process's token).</li>
 *   <li>{@code <redis_data_prefix>:done:{K}}: a hash, per input id the highest line number of that
 *       input whose record is in the stream, which makes a repeated XADD of a chunk a no-op.</li>
 * </ul>
 * And across keys: the set {@code redis_keys} of keys that hold records, the hash
 * {@code <redis_data_prefix>:inputs} of resumable inputs, and the hash {@code redis_recovery_key}
 * of batches that could not be written.
 *
 * <p>Stateless; thread-safe.
 */
public final class RedisStreams {
  /** The consumer group every flusher reads through. */
  public static final String GROUP = "json2parquet";

  /**
   * XADD of one chunk of one key's records, skipping lines this input already has in the stream
   * (a chunk repeated after a crash or a lost connection), and recording the last line added.
   * KEYS: stream, done hash. ARGV: input id, source name, then line bytes and line number pairs.
   * A script runs atomically (Redis docs, "Scripting with Lua"): the records and the mark are
   * there together or not at all.
   */
  static final String XADD = marked("'l', ARGV[i], 'n', ARGV[i + 1], 's', ARGV[2]");

  /**
   * XADD of one chunk's dead letters (lines that can never be records, rejected at receive time)
   * into the dead-letter stream of {@code _unkeyed}, in the shape of {@code RedisDeadLetterQueue}
   * (fields {@code envelope} and {@code run}), skipping lines this input already dead-lettered, as
   * {@link #XADD} does for records. KEYS: dead-letter stream, its marks hash. ARGV: input id, run id,
   * then envelope and line number pairs.
   */
  static final String DLQ_XADD = marked("'envelope', ARGV[i], 'run', ARGV[2]");

  /**
   * The script shape {@link #XADD} and {@link #DLQ_XADD} share: for each (value ARGV[i], line number
   * ARGV[i + 1]) pair above the input's mark in KEYS[2] (field ARGV[1]), one XADD to KEYS[1] of
   * {@code fields}, then the mark moved to the last line added; returns the entries added.
   */
  private static String marked(String fields) {
    return """
        local done = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        local last = done
        local added = 0
        for i = 3, #ARGV, 2 do
          local n = tonumber(ARGV[i + 1])
          if n > done then
            redis.call('XADD', KEYS[1], '*', FIELDS)
            added = added + 1
            last = n
          end
        end
        if last > done then
          redis.call('HSET', KEYS[2], ARGV[1], last)
        end
        return added
        """.replace("FIELDS", fields);
  }

  /**
   * XADD of one part of a {@code serve} request under one stream, at most once per marker:
   * {@code serve} has no input offsets to resume from, so a repeated part (a forward chunk retried
   * after a lost ack, even across a restart of serve) is recognised by a marker key instead, set
   * with {@code SET NX PX} in the same script as the XADDs, so the records and the marker are there
   * together or not at all. KEYS: stream, then optionally the marker (same hash slot: it carries the
   * stream's {@code {K}} tag). ARGV: marker ttl ms, field count f, f field names, then the values of
   * each entry in groups of f. Returns the entries added, -1 when the marker was already set.
   */
  static final String XADD_ONCE = """
      if #KEYS > 1 and not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return -1 end
      local f = tonumber(ARGV[2])
      local added = 0
      for i = 3 + f, #ARGV, f do
        local args = {}
        for j = 0, f - 1 do
          args[#args + 1] = ARGV[3 + j]
          args[#args + 1] = ARGV[i + j]
        end
        redis.call('XADD', KEYS[1], '*', unpack(args))
        added = added + 1
      end
      return added
      """;

  /**
   * Lua: {@code at} = the last delivered id of group json2parquet of stream KEYS[2] ({@code XINFO
   * GROUPS}; a few small tables, one per group).
   */
  private static final String GROUP_AT = """
      local at = false
      for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[2])) do
        local name, ld
        for j = 1, #g, 2 do
          if g[j] == 'name' then name = g[j + 1] elseif g[j] == 'last-delivered-id' then ld = g[j + 1] end
        end
        if name == 'json2parquet' then at = ld end
      end""";

  /**
   * Readies a key for a claim, only while the caller holds its lock: creates the consumer group
   * when the stream has none. KEYS: lock, stream. ARGV: token. Returns false when the lock is not the
   * caller's, 0 when the stream does not exist (nothing to claim), else the group's last delivered
   * id: the next claim reads the entries after it ({@link #claim}).
   */
  static final String PREPARE = """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
      if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
      redis.pcall('XGROUP', 'CREATE', KEYS[2], 'json2parquet', '0')
      GROUP_AT
      return at
      """.replace("GROUP_AT", GROUP_AT);

  /**
   * Claims a batch read after the group's last delivered id {@code from} ({@link #claim}), only if
   * no claim moved that id meanwhile: moves the group's last delivered id to the batch's last entry
   * ({@code XGROUP SETID}), records the batch's bounds (first id to last id), and makes its first
   * entry pending under the claim's consumer with one delivery ({@code XCLAIM ... FORCE JUSTID}: the
   * entry stands for the batch in the pending list, and {@link #DELIVER} counts its deliveries), in
   * one atomic step. KEYS: lock, stream, batches. ARGV: token, from, first id, last id, claim's
   * consumer. Returns -1 when another claim took entries after {@code from} first (this read is then
   * not a batch), else 1 while the caller still holds the lock, 0 when it lost it (the batch is
   * recorded either way: writing it is harmless, and whoever holds the lock next finds it).
   */
  static final String CLAIM = """
      GROUP_AT
      if at ~= ARGV[2] then return -1 end
      redis.call('XGROUP', 'SETID', KEYS[2], 'json2parquet', ARGV[4])
      redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
      redis.call('XCLAIM', KEYS[2], 'json2parquet', ARGV[5], 0, ARGV[3], 'FORCE', 'JUSTID')
      if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
      return 0
      """.replace("GROUP_AT", GROUP_AT);

  /**
   * Lua that removes the group's consumers left without pending entries (claims acknowledged); a
   * missing group is no error. Appended to the acknowledging scripts, before their return.
   */
  private static final String DROP_IDLE_CONSUMERS = """
      local cs = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], 'json2parquet')
      if type(cs) == 'table' and not cs.err then
        for _, x in ipairs(cs) do
          local name, pending
          for j = 1, #x, 2 do
            if x[j] == 'name' then name = x[j + 1] elseif x[j] == 'pending' then pending = x[j + 1] end
          end
          if pending == 0 then redis.call('XGROUP', 'DELCONSUMER', KEYS[1], 'json2parquet', name) end
        end
      end
      """;

  /**
   * Acknowledges and deletes a batch (its entries, whose ids the caller read), forgets its bounds,
   * and adds the batch's dead letters (lines that failed at flush time, or a batch delivered too
   * often) to the key's dead-letter stream, atomically, and only while the batch's bounds are still
   * recorded: a batch is acknowledged once, so its dead letters are written once even when two
   * flushers (one that lost its lock, one that took over) both finish it. KEYS: stream, batches,
   * dead-letter stream. ARGV: first id, last id, run id, number of envelopes d, d envelopes, then the
   * batch's entry ids. Returns the entries removed, or -1 when the batch was acknowledged already.
   *
   * <p>When the batch is at the head of the stream (the usual case: batches are claimed and
   * acknowledged in order) its entries go with one exact {@code XTRIM MINID} (whole listpack nodes
   * dropped) instead of an {@code XDEL} per entry; a batch is exactly the entries between its two ids,
   * so the trim removes nothing else. Ids are unpacked 1,000 at a time (Lua's stack limit).
   */
  static final String ACK = """
      if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -1 end
      local d = tonumber(ARGV[4])
      for i = 5, 4 + d do
        redis.call('XADD', KEYS[3], '*', 'envelope', ARGV[i], 'run', ARGV[3])
      end
      local from = 5 + d
      local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
      for i = from, #ARGV, 1000 do
        redis.pcall('XACK', KEYS[1], 'json2parquet', unpack(ARGV, i, math.min(i + 999, #ARGV)))
      end
      local n = 0
      if #ARGV >= from and #head > 0 and head[1][1] == ARGV[1] then
        n = redis.call('XTRIM', KEYS[1], 'MINID', '=', ARGV[2]) + redis.call('XDEL', KEYS[1], ARGV[2])
      else
        for i = from, #ARGV, 1000 do
          n = n + redis.call('XDEL', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
      end
      redis.call('HDEL', KEYS[2], ARGV[1])
      """ + DROP_IDLE_CONSUMERS + """
      return n
      """;

  /**
   * {@link #ACK} without the batch's ids, for a batch at the head of its stream, which costs Redis
   * far less than an {@code XACK} of every id (and the Lua strings of as many arguments). A batch
   * {@link #claim}ed by this version has only its first entry pending: an {@code XACK} of it does.
   * A batch an earlier version claimed with {@code XREADGROUP} has every entry pending, under the one
   * consumer of its claim except perhaps its first entry, which a flusher that took the batch over
   * moved to itself ({@link #DELIVER}): {@code XGROUP DELCONSUMER} of that consumer removes its
   * pending entries (Redis docs, XGROUP DELCONSUMER), and an {@code XACK} the first. Then the trim
   * and the rest as in ACK. Every condition is checked before anything changes; when one does not
   * hold (the batch is not at the head; that consumer holds entries outside the batch, or not all of
   * them) the script changes nothing and returns -2, and the caller sends {@link #ACK} with the ids.
   * KEYS: as ACK. ARGV: first id, last id, run id, number of envelopes d, d envelopes, then the
   * batch's number of entries. Returns as ACK, or -2.
   */
  static final String ACK_HEAD = """
      if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -1 end
      local d = tonumber(ARGV[4])
      local n = tonumber(ARGV[5 + d])
      local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
      if #head == 0 or head[1][1] ~= ARGV[1] then return -2 end
      local c = false
      local owner = false
      if ARGV[1] ~= ARGV[2] and #redis.call('XPENDING', KEYS[1], 'json2parquet', '(' .. ARGV[1], ARGV[2], 1) > 0 then
        -- claimed by an earlier version (every entry pending): drop its claim consumer's entries
        local lastp = redis.call('XPENDING', KEYS[1], 'json2parquet', ARGV[2], ARGV[2], 1)
        local firstp = redis.call('XPENDING', KEYS[1], 'json2parquet', ARGV[1], ARGV[1], 1)
        if #lastp == 0 or #firstp == 0 then return -2 end
        c = lastp[1][2]
        owner = firstp[1][2]
        if #redis.call('XPENDING', KEYS[1], 'json2parquet', '-', '(' .. ARGV[1], 1, c) > 0 then return -2 end
        if #redis.call('XPENDING', KEYS[1], 'json2parquet', '(' .. ARGV[2], '+', 1, c) > 0 then return -2 end
        local held = -1
        for _, e in ipairs(redis.call('XPENDING', KEYS[1], 'json2parquet')[4] or {}) do
          if e[1] == c then held = tonumber(e[2]) end
        end
        if owner ~= c then n = n - 1 end
        if held ~= n then return -2 end
      end
      for i = 5, 4 + d do
        redis.call('XADD', KEYS[3], '*', 'envelope', ARGV[i], 'run', ARGV[3])
      end
      if c then redis.call('XGROUP', 'DELCONSUMER', KEYS[1], 'json2parquet', c) end
      if owner ~= c or not c then redis.call('XACK', KEYS[1], 'json2parquet', ARGV[1]) end
      local removed = redis.call('XTRIM', KEYS[1], 'MINID', '=', ARGV[2]) + redis.call('XDEL', KEYS[1], ARGV[2])
      redis.call('HDEL', KEYS[2], ARGV[1])
      """ + DROP_IDLE_CONSUMERS + """
      return removed
      """;

  /**
   * Delivers an open batch once more, to a flusher taking it over, and returns how often it has been
   * delivered: the batch's first entry stands for the batch (all its entries were delivered together);
   * {@code XCLAIM} with min-idle 0 moves it to the caller and adds one to its delivery count, which
   * {@code XPENDING} then reports (Redis docs, XCLAIM: "the retry counter is incremented" unless
   * JUSTID). KEYS: stream. ARGV: consumer, first id. Returns 0 when the entry is not pending.
   */
  static final String DELIVER = """
      local ok = redis.pcall('XCLAIM', KEYS[1], 'json2parquet', ARGV[1], 0, ARGV[2])
      if type(ok) == 'table' and ok.err then return 0 end
      local p = redis.call('XPENDING', KEYS[1], 'json2parquet', ARGV[2], ARGV[2], 1)
      if #p == 0 then return 0 end
      return p[1][4]
      """;

  /** Renews a lock only if it is still the caller's (compare-and-expire). KEYS: lock. ARGV: token, ttl ms. */
  static final String RENEW = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      return 0
      """;

  /** Releases a lock only if it is still the caller's (compare-and-delete). KEYS: lock. ARGV: token. */
  static final String RELEASE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
      return 0
      """;

  private final RedisSettings settings;

  public RedisStreams(RedisSettings settings) {
    this.settings = settings;
  }

  public RedisSettings settings() {
    return settings;
  }

  public String stream(String key) {
    return settings.dataKey(key);
  }

  /** {@code <redis_data_prefix>:batches:{K}}. */
  public String batches(String key) {
    return settings.dataPrefix() + ":batches:{" + key + "}";
  }

  /** {@code <redis_data_prefix>:done:{K}}. */
  public String done(String key) {
    return settings.dataPrefix() + ":done:{" + key + "}";
  }

  /** {@code <redis_data_prefix>:seen:{K}:<part>}: the marker of a {@code serve} part already in K's stream ({@link #XADD_ONCE}). */
  public String seen(String key, String part) {
    return settings.dataPrefix() + ":seen:{" + key + "}:" + part;
  }

  /** {@code <redis_data_prefix>:inputs}: resumable inputs by absolute path. */
  public String inputs() {
    return settings.dataPrefix() + ":inputs";
  }

  /** One buffered record read back from a stream. */
  public record Entry(String id, byte[] line, long lineNumber, String source) {
    /** The ingest time the entry id carries, microseconds since the epoch. */
    public long ingestMicros() {
      int dash = id.indexOf('-');
      return Long.parseLong(dash < 0 ? id : id.substring(0, dash)) * 1000;
    }
  }

  /**
   * Entries from an XRANGE / XREADGROUP reply: [[id, [field, value, ...]], ...]. Field names are
   * matched as bytes and an entry's source name is shared with the entry before it when equal (a
   * batch's lines come from few inputs), so that a batch costs one String per entry (its id).
   */
  static List<Entry> entries(Object reply) {
    if (!(reply instanceof List<?> list)) {
      return new ArrayList<>();
    }
    List<Entry> out = new ArrayList<>(list.size());
    byte[] lastSource = null;
    String source = "";
    for (Object o : list) {
      List<?> e = (List<?>) o;
      String id = text(e.get(0));
      List<?> fields = (List<?>) e.get(1);
      byte[] line = null;
      long n = 0;
      String src = "";
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        Object f = fields.get(i);
        Object v = fields.get(i + 1);
        int name = f instanceof byte[] b && b.length == 1 ? b[0] : -1;
        if (name == 'l' && v instanceof byte[] b) {
          line = b;
        } else if (name == 'n') {
          n = v instanceof byte[] b ? digits(b) : Long.parseLong(text(v));
        } else if (name == 's') {
          if (v instanceof byte[] b && lastSource != null && Arrays.equals(b, lastSource)) {
            src = source;
          } else {
            src = text(v);
            lastSource = v instanceof byte[] b ? b : null;
            source = src;
          }
        } else if (name == -1) {
          // a field name given as text (not from Jedis's binary replies)
          switch (text(f)) {
            case "l" -> line = v instanceof byte[] b ? b : text(v).getBytes(StandardCharsets.UTF_8);
            case "n" -> n = Long.parseLong(text(v));
            case "s" -> src = text(v);
            default -> { }
          }
        }
      }
      out.add(new Entry(id, line == null ? new byte[0] : line, n, src));
    }
    return out;
  }

  /** A line number written as decimal digits. */
  private static long digits(byte[] b) {
    long n = 0;
    for (byte c : b) {
      if (c < '0' || c > '9') {
        return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** The entries from {@code first} to {@code last} (inclusive) of {@code key}'s stream (plain XRANGE, 10,000 a page). */
  public List<Entry> range(UnifiedJedis jedis, String key, String first, String last) {
    List<Entry> all = new ArrayList<>();
    String from = first;
    byte[] stream = bytes(stream(key));
    while (true) {
      List<Entry> got = entries(jedis.xrange(stream, bytes(from), bytes(last), 10000));
      all.addAll(got);
      if (got.size() < 10000) {
        return all;
      }
      from = "(" + got.get(got.size() - 1).id();
    }
  }

  /**
   * Claims the next batch of at most {@code count} entries of {@code key} while {@code token} holds
   * its lock; null when the lock is lost before the claim (or another flusher claimed meanwhile),
   * empty when nothing is left.
   *
   * <p>A plain {@code XRANGE} reads the entries after the group's last delivered id, then
   * {@link #CLAIM} makes them a batch: it moves that id past them, records the batch's bounds and
   * makes the batch's first entry pending under a consumer name of this claim alone
   * ({@code consumer@<random>}), atomically, and only if no claim moved the id since it was read.
   * Only the first entry is pending: an {@code XREADGROUP} would make each entry pending and, for
   * each, build the {@code XCLAIM} Redis propagates to replicas, which was two thirds of its cost
   * (INFO commandstats: ~3.7 against ~1.2 us per 600-byte entry), and the acknowledgement then had to
   * drop each of them again. (One script doing the read as well cost Redis three times as much: a
   * reply read from Lua is converted into Lua tables and back.) A flusher that dies between the read
   * and the claim has changed nothing: the next one reads the same entries. {@code afterRead} runs
   * between the two steps (a test hook). Entries pending under a consumer and in no recorded batch
   * can only come from earlier versions, which read with {@code XREADGROUP}: {@link #adopt}.
   */
  public Batch claim(UnifiedJedis jedis, String key, String token, String consumer, int count, Runnable afterRead) {
    byte[] stream = bytes(stream(key));
    Object ready = jedis.eval(bytes(PREPARE), List.of(bytes(settings.lockKey(key)), stream), List.of(bytes(token)));
    if (ready == null) {
      return null;
    }
    if (ready instanceof Long l && l == 0) {
      return new Batch(null, null, List.of());
    }
    String from = text(ready);
    List<Entry> entries = entries(jedis.xrange(stream, bytes("(" + from), bytes("+"), count));
    if (entries.isEmpty()) {
      return new Batch(null, null, List.of());
    }
    afterRead.run();
    String first = entries.get(0).id();
    String last = entries.get(entries.size() - 1).id();
    String claimer = consumer + "@" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    Object claimed = jedis.eval(bytes(CLAIM), List.of(bytes(settings.lockKey(key)), stream, bytes(batches(key))),
        List.of(bytes(token), bytes(from), bytes(first), bytes(last), bytes(claimer)));
    if (claimed instanceof Long l && l < 0) {
      return null;
    }
    return new Batch(first, last, entries);
  }

  /**
   * Records as batches the entries that a flusher claimed ({@link #claim}) and died before
   * recording: for each consumer of {@code key}'s group whose first pending entry lies in no recorded
   * batch, the bounds of its pending entries (those of one claim, read together, so exactly the
   * entries between them). Call holding the key's lock, before reading {@link #openBatches}; returns
   * how many batches were adopted.
   */
  public int adopt(UnifiedJedis jedis, String key) {
    String stream = stream(key);
    redis.clients.jedis.resps.StreamPendingSummary pending;
    try {
      pending = jedis.xpending(stream, GROUP);
    } catch (redis.clients.jedis.exceptions.JedisDataException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("NOGROUP")) {
        return 0; // no stream or no group: nothing was ever claimed
      }
      throw e;
    }
    if (pending.getTotal() == 0) {
      return 0;
    }
    Map<String, String> open = openBatches(jedis, key);
    int adopted = 0;
    for (String c : pending.getConsumerMessageCount().keySet()) {
      List<redis.clients.jedis.resps.StreamPendingEntry> head = jedis.xpending(stream, GROUP,
          new redis.clients.jedis.params.XPendingParams("-", "+", 1).consumer(c));
      if (head.isEmpty() || covered(open, head.get(0).getID().toString())) {
        continue;
      }
      List<redis.clients.jedis.resps.StreamPendingEntry> all = jedis.xpending(stream, GROUP,
          new redis.clients.jedis.params.XPendingParams("-", "+", MAX_CLAIM).consumer(c));
      String first = all.get(0).getID().toString();
      String last = all.get(all.size() - 1).getID().toString();
      jedis.hset(batches(key), first, last);
      open.put(first, last);
      adopted++;
    }
    return adopted;
  }

  /** Entries one claim takes at most (the flusher's batch size is capped at this). */
  public static final int MAX_CLAIM = 50_000;

  private static boolean covered(Map<String, String> open, String id) {
    for (Map.Entry<String, String> b : open.entrySet()) {
      if (compareIds(b.getKey(), id) <= 0 && compareIds(id, b.getValue()) <= 0) {
        return true;
      }
    }
    return false;
  }

  /** A claimed batch: its bounds (null when nothing was left to claim) and its entries. */
  public record Batch(String first, String last, List<Entry> entries) {
    public boolean isEmpty() {
      return first == null;
    }
  }

  /**
   * Acknowledges and deletes the batch {@code first..last} of {@code key}, whose entries are
   * {@code entries} (as read by {@link #range} or {@link #claim}), adding {@code deadLetters}
   * (envelopes) to the key's dead-letter stream, once; returns the entries removed, or -1 when the
   * batch had been acknowledged already (its dead letters are then not added again).
   */
  public long ack(UnifiedJedis jedis, String key, String first, String last, List<Entry> entries,
      List<String> deadLetters) {
    if (!deadLetters.isEmpty()) {
      jedis.sadd(dlqIndex(), settings.dlqKey(key)); // the index first, so that no dead-letter stream is outside it
    }
    List<byte[]> args = new ArrayList<>(5 + deadLetters.size() + entries.size());
    args.add(bytes(first));
    args.add(bytes(last));
    args.add(bytes("redis-flush"));
    args.add(bytes(Integer.toString(deadLetters.size())));
    for (String d : deadLetters) {
      args.add(bytes(d));
    }
    List<byte[]> keys = List.of(bytes(stream(key)), bytes(batches(key)), bytes(settings.dlqKey(key)));
    if (!entries.isEmpty()) {
      args.add(bytes(Integer.toString(entries.size())));
      Object r = jedis.eval(bytes(ACK_HEAD), keys, args);
      if (!(r instanceof Long l && l == -2)) {
        return r instanceof Long l ? l : 0;
      }
      args.remove(args.size() - 1);
    }
    for (Entry e : entries) {
      args.add(bytes(e.id()));
    }
    Object r = jedis.eval(bytes(ACK), keys, args);
    return r instanceof Long l ? l : 0;
  }

  /**
   * Delivers the open batch starting at {@code first} of {@code key} to {@code consumer} once more
   * ({@link #DELIVER}); returns its delivery count now, 0 when its first entry is not pending.
   */
  public long deliver(UnifiedJedis jedis, String key, String consumer, String first) {
    Object r = jedis.eval(DELIVER, List.of(stream(key)), List.of(consumer, first));
    return r instanceof Long l ? l : 0;
  }

  /** The set of dead-letter streams, {@code <redis_dlq_prefix>:keys}, which the {@code dlq} verbs read (RedisDeadLetterStore). */
  public String dlqIndex() {
    return settings.dlqPrefix() + ":keys";
  }

  /** {@code <redis_dlq_prefix>:done:{K}}: per input id, the highest line dead-lettered into K's stream. */
  public String dlqDone(String key) {
    return settings.dlqPrefix() + ":done:{" + key + "}";
  }

  /** The batches of {@code key} claimed and not acknowledged: first id to last id, in id order. */
  public Map<String, String> openBatches(UnifiedJedis jedis, String key) {
    Map<String, String> m = new java.util.TreeMap<>(RedisStreams::compareIds);
    m.putAll(jedis.hgetAll(batches(key)));
    return m;
  }

  /** Orders stream ids ({@code ms-seq}) numerically. */
  public static int compareIds(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int c = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
    return c != 0 ? c : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(Object o) {
    return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
  }
}
