package dev.json2parquet.cli;

import dev.json2parquet.config.Config;
import dev.json2parquet.flush.RedisFlush;
import dev.json2parquet.pipeline.RedisConvert;
import dev.json2parquet.pipeline.StopRequest;
import dev.json2parquet.redis.RedisClients;
import dev.json2parquet.redis.RedisSettings;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/** What {@code convert}, {@code flush} and {@code recover} share over the Redis buffer: flushing and recovering, reported alike. */
final class RedisRuns {
  /** Keys whose failure is printed in full; the rest are counted. */
  static final int MAX_ERROR_LINES = 3;

  private RedisRuns() {
  }

  /**
   * Flushes every key (or {@code key}), one line per key on stdout unless {@code quiet}; returns
   * whether every key was flushed without error and no batch went to the recovery store.
   */
  static boolean flush(Config cfg, Context ctx, UnifiedJedis jedis, String key, boolean quiet, StopRequest stop)
      throws Exception {
    return flush(cfg, ctx, jedis, key, quiet, quiet, stop, true);
  }

  /**
   * As above; {@code perKeyQuiet}: key lines only for keys with an error or locked elsewhere (at most
   * {@link #MAX_ERROR_LINES} of each, then a count). Once {@code stop} is
   * requested each key stops after its current batch and releases its lock, keys not started are left
   * in Redis, and the summary says so (it is printed even when {@code quiet}). With {@code cleanTemps}
   * it first removes the temporary files that dead flushers left in a local output directory.
   */
  static boolean flush(Config cfg, Context ctx, UnifiedJedis jedis, String key, boolean perKeyQuiet, boolean quiet,
      StopRequest stop, boolean cleanTemps) throws Exception {
    RedisSettings rs = RedisSettings.of(cfg);
    if (key != null && !jedis.sismember(rs.keysKey(), key) && !jedis.exists(rs.dataKey(key))) {
      // nothing to do, said even when quiet: a mistyped key must not look like a flushed one
      List<String> known = new java.util.ArrayList<>(new java.util.TreeSet<>(jedis.smembers(rs.keysKey())));
      ctx.err().println("json2parquet: no such key " + key + ": Redis at " + rs.address() + " holds no records under it"
          + " (" + rs.dataKey(key) + "), and the set " + rs.keysKey() + " does not list it; nothing flushed ("
          + (known.isEmpty() ? "no key holds records" : known.size() + " keys hold records: "
              + String.join(", ", known.subList(0, Math.min(5, known.size()))) + (known.size() > 5 ? ", ..." : ""))
          + ")");
      return true;
    }
    try (Sink sink = Sinks.open(cfg, true);
        RedisFlush flusher = RedisConvert.flusher(cfg, jedis, sink, ctx.clock(), ctx.err()).stopWhen(stop::requested)) {
      if (cleanTemps && !cfg.writerType().equals("s3")) {
        long removed = flusher.removeDeadTemps(cfg.outDir());
        if (removed > 0) {
          ctx.err().println("json2parquet: removed " + removed + " unfinished .j2p-*.inprogress files left under "
              + cfg.outDir() + " by flushers that died (their batches stay in Redis and are written again)");
        }
      }
      List<RedisFlush.KeyReport> reports;
      String lost = null;
      try {
        reports = flusher.flush(key);
      } catch (RedisFlush.LostException e) {
        // every key failed alike: the keys that finished are listed, then one line for the outage
        reports = e.reports().stream().filter(r -> r.error() == null).toList();
        lost = e.getMessage();
      }
      boolean ok = lost == null;
      long records = 0;
      long skipped = 0;
      long left = 0;
      long lockMillis = 0;
      int errors = 0;
      int skippedLines = 0;
      for (RedisFlush.KeyReport r : reports) {
        errors += r.error() != null ? 1 : 0;
        // a lost Redis fails every key alike: a few lines say so, not one per key
        skippedLines += r.skipped() ? 1 : 0;
        if (!perKeyQuiet && r.error() == null || r.error() != null && errors <= MAX_ERROR_LINES
            || r.skipped() && skippedLines <= MAX_ERROR_LINES) {
          ctx.out().println(r.line());
        }
        ok &= r.error() == null && r.batchesInRecovery() == 0;
        records += r.records();
        skipped += r.skipped() ? 1 : 0;
        left += r.left();
        lockMillis = Math.max(lockMillis, r.lockMillis());
      }
      if (errors > MAX_ERROR_LINES) {
        ctx.out().println("... and " + (errors - MAX_ERROR_LINES) + " more keys failed");
      }
      if (perKeyQuiet && skippedLines > MAX_ERROR_LINES) {
        ctx.out().println("... and " + (skippedLines - MAX_ERROR_LINES) + " more keys skipped, locked by another flusher");
      }
      if (lost != null) {
        ctx.err().println("json2parquet: " + lost + "; " + records + " records were written and acknowledged before;"
            + " every record not yet written is safe in Redis (a batch leaves Redis only after its files are committed):"
            + " run json2parquet flush again once Redis is back");
        return false;
      }
      boolean stopped = stop.requested();
      if (reports.isEmpty() && !stopped && !quiet) {
        ctx.err().println("json2parquet: nothing to flush: the set " + rs.keysKey() + " in Redis at " + rs.address()
            + " db " + rs.db() + " lists no key (nothing is buffered under " + rs.dataPrefix() + ":{KEY} there)");
        return ok;
      }
      // a key skipped because another flusher holds it is said even when quiet: its records are not written yet
      if (!quiet || stopped || skipped > 0) {
        ctx.err().println("json2parquet: flushed " + records + " records of " + (reports.size() - skipped) + " keys"
            + (skipped > 0 ? "; " + skipped + " keys skipped, locked by another flusher: " + left + " records stay in"
                + " Redis (their flusher writes them, or its locks expire within " + RedisFlush.seconds(lockMillis)
                + ": then run flush again)" : "")
            + (stopped ? "; stopped by SIG" + stop.signal() + " after the batches being written"
                + (flusher.notStarted() > 0 ? ", " + flusher.notStarted() + " keys not started" : "")
                + ", its locks released: what was not written stays in Redis for the next flush" : ""));
      }
      return ok;
    }
  }

  /** Writes the batches of {@code redis_recovery_key} again; true when none is left. */
  static boolean recover(Config cfg, Context ctx, boolean automatic) throws Exception {
    try (UnifiedJedis jedis = RedisClients.open(RedisSettings.of(cfg));
        Sink sink = Sinks.open(cfg, true);
        RedisFlush flusher = RedisConvert.flusher(cfg, jedis, sink, ctx.clock(), ctx.err())) {
      RedisFlush.Recovered r = flusher.recover(automatic ? ctx.err() : ctx.out(), automatic, cfg.recoveryAttempts());
      if (!automatic || r.batches() + r.failed() + r.locked() > 0) {
        ctx.err().println("json2parquet: recovered " + r.batches() + " batches (" + r.records() + " records) from "
            + RedisSettings.of(cfg).recoveryKey() + (r.failed() > 0 ? "; " + r.failed() + " still fail and stay" : "")
            + (r.locked() > 0 ? "; " + r.locked() + " left for later (key locked by another flusher)" : ""));
      }
      return r.ok();
    }
  }
}
