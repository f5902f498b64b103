package dev.json2parquet.it;

import static dev.json2parquet.it.RedisBufferTest.assertExactlyOnce;
import static dev.json2parquet.it.RedisBufferTest.generate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.flush.RedisFlush;
import dev.json2parquet.pipeline.RedisConvert;
import dev.json2parquet.redis.RedisClients;
import dev.json2parquet.redis.RedisSettings;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/** Several flushers on one Redis: locks save work, deterministic names keep every record exactly once. */
class RedisFlushersTest {
  @TempDir
  Path tmp;

  /**
   * Records for the three-flusher test: 30,000 by default (about 20 s on a busy 2-core machine);
   * {@code -Djson2parquet.it.flusherRecords=100000} runs the issue's 100k (about 40 s there).
   */
  static final long FLUSHER_RECORDS = Long.getLong("json2parquet.it.flusherRecords", 30_000);

  @Test
  void threeFlusherProcesses_writeEveryRecordExactlyOnce() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), FLUSHER_RECORDS, 40);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result r = Cli.run("convert", "-q", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(),
          "-o", out.toString(), in.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(3);
      List<Child> flushers = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          flushers.add(Child.start(tmp.resolve("err" + i), "flush", "-q", "--buffer-size", "1500", "--redis-lock-ttl", "5",
              "--redis-lock-instance-name", "flusher-" + i, "--redis-host", redis.address(), "-o", out.toString()));
        }
        for (Child c : flushers) {
          assertThat(c.waitFor()).as(c.err()).isZero();
        }
      } finally {
        flushers.forEach(Child::close);
      }
      Cli.Result last = Cli.run("flush", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(last.err()).contains("nothing to flush");
      assertExactlyOnce(in, out, redis);
    }
  }

  private static Config config(RedisServer redis, Path out, String ttl) {
    return new ConfigLoader().flag("buffer_type", "redis", "--buffer").flag("redis_host", redis.address(), "--redis-host")
        .flag("writer_file_path", out.toString(), "-o").flag("buffer_size", "1000", "--buffer-size")
        .flag("redis_lock_ttl", ttl, "--redis-lock-ttl").build();
  }

  @Test
  void lockExpiresDuringASlowFlush_theTakeOverWritesTheSameNames_exactlyOnce() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 5000, 1);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result r = Cli.run("convert", "-q", "--buffer", "redis", "--redis-skip-flush", "--key", "", "--redis-host",
          redis.address(), "-o", out.toString(), in.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(3);
      Config slow = config(redis, out, "0.3");
      Config quick = config(redis, out, "30");
      CountDownLatch inCommit = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      AtomicInteger slowCommits = new AtomicInteger();
      PrintStream err = new PrintStream(new ByteArrayOutputStream(), true);
      try (UnifiedJedis jedis = RedisClients.open(RedisSettings.of(slow)); Sink sink = Sinks.open(slow, true);
          RedisFlush a = RedisConvert.flusher(slow, jedis, sink, Clock.systemUTC(), err)
              .testing(false, (path, records) -> {
                // a paused process: its lock is not renewed and expires while it is stuck before its first commit
                if (slowCommits.incrementAndGet() == 1) {
                  inCommit.countDown();
                  try {
                    assertThat(resume.await(60, TimeUnit.SECONDS)).isTrue();
                  } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                  }
                }
              });
          RedisFlush b = RedisConvert.flusher(quick, jedis, sink, Clock.systemUTC(), err)) {
        List<RedisFlush.KeyReport> slowReport = new ArrayList<>();
        Thread slowThread = new Thread(() -> {
          try {
            slowReport.addAll(a.flush(null));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        slowThread.start();
        assertThat(inCommit.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
            .until(() -> redis.cli("--scan", "--pattern", "lock:*").isEmpty());
        List<RedisFlush.KeyReport> quickReport = b.flush(null);
        assertThat(quickReport).singleElement().satisfies(k -> {
          assertThat(k.skipped()).isFalse();
          assertThat(k.records()).isPositive();
        });
        resume.countDown();
        slowThread.join(60_000);
        // the slow flusher finished the batch it held (same names, nothing new), then found its lock gone
        assertThat(slowReport).singleElement().satisfies(k -> assertThat(k.records()).isLessThanOrEqualTo(1000));
      }
      assertExactlyOnce(in, out, redis);
      assertThat(redis.cli("xlen", "data:{_}")).isEqualTo("0");
    }
  }

  @Test
  void flush_whenLockHeldElsewhere_skipsKey_andReportsIt() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 600, 1);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      assertThat(Cli.run("convert", "-q", "--buffer", "redis", "--redis-skip-flush", "--key", "", "--redis-host",
          redis.address(), "-o", out.toString(), in.toString()).exit()).isEqualTo(3);
      redis.cli("set", "lock:{_}", "elsewhere", "px", "60000");
      Cli.Result r = Cli.run("flush", "--key", "", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(r.exit()).isZero();
      assertThat(r.out()).contains("skipped _: locked by another flusher");
      assertThat(r.err()).contains("flushed 0 records of 0 keys; 1 keys skipped, locked by another flusher");
      // exit 0, yet the records are not written: how many stay in Redis, and when the lock expires (60 s PX)
      long left = Long.parseLong(redis.cli("xlen", "data:{_}"));
      assertThat(left).isPositive();
      assertThat(r.out()).contains("(" + left + " records stay in Redis; the lock expires in ");
      assertThat(r.err()).containsPattern(left + " records stay in Redis \\(their flusher writes them, or its locks"
          + " expire within (59|60) s: then run flush again\\)");
      assertThat(java.nio.file.Files.exists(out) ? DuckDb.parquetFiles(out) : List.of()).isEmpty();
      redis.cli("del", "lock:{_}");
      Cli.Result r2 = Cli.run("flush", "--key", "", "--only-key", "_", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(r2.out()).startsWith("flushed _: ");
      assertExactlyOnce(in, out, redis);
    }
  }

  @Test
  void flushEvery_writesWhatArrives_untilSigterm() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 2000, 5);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"));
        Child flusher = Child.start(tmp.resolve("err"), "flush", "-q", "--every", "200ms", "--redis-host", redis.address(),
            "-o", out.toString())) {
      assertThat(Cli.run("convert", "-q", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(),
          "-o", out.toString(), in.toString()).exit()).isEqualTo(3);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> redis.cli("scard", "keys").equals("0") && redis.cli("--scan", "--pattern", "lock:*").isEmpty());
      flusher.signal("TERM");
      assertThat(flusher.waitFor()).isEqualTo(143);
      assertExactlyOnce(in, out, redis);
    }
  }

  @Test
  void flush_badEveryOrMemoryBuffer_isAUsageError() {
    Cli.Result r = Cli.run("flush", "--every", "0s", "--redis-host", "127.0.0.1:1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid --every 0s: give a positive duration such as 60s, 5m or 1h");
    Cli.Result m = Cli.run("flush", "--buffer", "memory");
    assertThat(m.exit()).isEqualTo(2);
    assertThat(m.err()).contains("Cannot flush with buffer_type = \"memory\"");
    Cli.Result u = Cli.run("flush", "--redis-host", "127.0.0.1:1");
    assertThat(u.exit()).isEqualTo(2);
    assertThat(u.err()).contains("Cannot connect to Redis at 127.0.0.1:1: connection refused");
  }
}
