package dev.json2parquet.cli;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.config.Sizes;
import dev.json2parquet.pipeline.StopRequest;
import dev.json2parquet.redis.RedisClients;
import dev.json2parquet.redis.RedisSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import redis.clients.jedis.UnifiedJedis;

/** {@code json2parquet flush}: writes what the Redis buffer holds to Parquet, key by key, honouring other flushers' locks. */
@Command(name = "flush", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Writes the records buffered in Redis (convert --buffer redis --redis-skip-flush, or serve) to"
        + " Parquet files, every key or one (--only-key), each under a lock so that one flusher at a time writes a key;"
        + " keys locked by another flusher are skipped and reported, even with -q. Prints one line per key.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:every key was flushed, or was locked by another flusher, or there was nothing to flush (said on stderr,"
          + " as is an --only-key that no record is buffered under)",
      "1:some batches could not be written (they stay in Redis, in the recovery store) or Redis failed",
      "2:usage or configuration error (Redis unreachable, wrong password, ...)",
      "143/130/129:stopped by SIGTERM/SIGINT/SIGHUP after the batches being written (locks released; the rest"
          + " stays in Redis for the next flush)"})
final class FlushCommand implements Callable<Integer> {
  private final Context ctx;

  @Mixin
  StoreOptions store;

  @Mixin
  ConversionOptions conversion;

  @Mixin
  S3Options s3;

  @Mixin
  RedisOptions redis;

  @Option(names = "--only-key", paramLabel = "KEY",
      description = "Flush only this key, as listed in redis_keys (--key is the key template, as in convert).")
  String key;

  @Option(names = "--every", paramLabel = "DURATION",
      description = "Keep running: flush every DURATION (60s, 5m, or seconds) until SIGTERM or SIGINT.")
  String every;

  @Option(names = {"-q", "--quiet"}, description = "Only errors.")
  boolean quiet;

  FlushCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = redis.apply(s3.apply(conversion.apply(store.loader(ctx))));
    if (redis.bufferType == null) {
      loader.flag("buffer_type", "redis", "--buffer");
    }
    Config cfg = loader.build();
    if (!cfg.bufferType().equals("redis")) {
      throw new ConfigException("Cannot flush with buffer_type = \"" + cfg.bufferType() + "\": flush writes what the"
          + " Redis buffer holds (buffer_type redis)");
    }
    long everyNanos = every == null ? 0 : parseDuration(every);
    StopRequest stop = new StopRequest();
    CountDownLatch stopped = new CountDownLatch(1);
    stop.onStop(stopped::countDown);
    try (UnifiedJedis jedis = RedisClients.open(RedisSettings.of(cfg));
        Signals signals = Signals.install(stop, ctx.err(), Signals.REDIS_FLUSH_HALTED)) {
      if (cfg.tryAutoRecover()) {
        RedisRuns.recover(cfg, ctx, true);
      }
      for (boolean first = true; ; first = false) {
        // dead flushers' temporary files are looked for once, at start (a walk of the output tree)
        boolean ok = RedisRuns.flush(cfg, ctx, jedis, key, quiet, quiet, stop, first);
        if (every == null || stop.requested()) {
          return !ok ? ExitCodes.FAILURE : stop.requested() ? stop.exitCode() : ExitCodes.OK;
        }
        if (stopped.await(everyNanos, TimeUnit.NANOSECONDS)) {
          return stop.exitCode();
        }
      }
    }
  }

  /** {@code 60s}, {@code 5m}, {@code 1h}, {@code 250ms} or plain seconds, in nanoseconds. */
  static long parseDuration(String text) {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    double unit = 1e9;
    if (t.endsWith("ms")) {
      unit = 1e6;
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      unit = 60e9;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      unit = 3600e9;
      t = t.substring(0, t.length() - 1);
    }
    double v;
    try {
      v = Sizes.parseNumber(t);
    } catch (RuntimeException e) {
      v = -1;
    }
    if (!(v > 0)) {
      throw new ConfigException("Invalid --every " + text + ": give a positive duration such as 60s, 5m or 1h");
    }
    return (long) (v * unit);
  }
}
