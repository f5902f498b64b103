package dev.json2parquet.it;

import static dev.json2parquet.it.RedisBufferTest.assertExactlyOnce;
import static dev.json2parquet.it.RedisBufferTest.awaitLocksExpired;
import static dev.json2parquet.it.RedisBufferTest.generate;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code flush} and {@code dlq} say when there is nothing to do, when keys are locked under
 * {@code -q}, what they leave behind ({@code dlq purge}'s marks, a killed flusher's temporary files),
 * found by a new-user trial; against a real redis-server.
 */
class RedisFlushUxTest {
  @TempDir
  Path tmp;

  @Test
  void flush_unknownOnlyKeyOrEmptyRedis_saysSo_exit0_nothingWritten() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 300, 2);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result empty = Cli.run("flush", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(empty.exit()).isZero();
      assertThat(empty.err()).contains("nothing to flush: the set keys in Redis at " + redis.address()
          + " db 0 lists no key (nothing is buffered under data:{KEY} there)");
      Cli.run("convert", "-q", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(), "-o",
          out.toString(), in.toString());
      List<String> keys = redis.cli("smembers", "keys").lines().filter(l -> !l.isBlank()).sorted().toList();
      Cli.Result r = Cli.run("flush", "-q", "--only-key", "nosuch", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(r.exit()).isZero();
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).contains("no such key nosuch: Redis at " + redis.address() + " holds no records under it"
          + " (data:{nosuch}), and the set keys does not list it; nothing flushed (2 keys hold records: "
          + String.join(", ", keys) + ")");
      assertThat(Files.exists(out)).isFalse();
      assertThat(redis.cli("scard", "keys")).isEqualTo("2");
    }
  }

  @Test
  void flushQuiet_aKeyLockedElsewhere_isStillSaid() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 300, 1);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.run("convert", "-q", "--buffer", "redis", "--redis-skip-flush", "--key", "", "--redis-host", redis.address(),
          "-o", out.toString(), in.toString());
      redis.cli("set", "lock:{_}", "elsewhere", "px", "60000");
      Cli.Result r = Cli.run("flush", "-q", "--key", "", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(r.exit()).isZero();
      assertThat(r.out()).contains("skipped _: locked by another flusher");
      assertThat(r.err()).contains("1 keys skipped, locked by another flusher");
    }
  }

  @Test
  void dlqVerbs_sayWhenNothingMatched_andPurgeRemovesTheDeadLetterMarksToo() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 500, 2);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.run("convert", "-q", "--buffer", "redis", "--redis-host", redis.address(), "-o", out.toString(), in.toString());
      assertThat(redis.cli("exists", "dlq:done:{_unkeyed}")).isEqualTo("1");
      long held = RedisBufferTest.redisDeadLetters(redis);
      // a filter that matches nothing says so, with what the queue holds, and changes nothing
      for (String verb : List.of("list", "export", "purge")) {
        Cli.Result none = Cli.run("dlq", verb, "--source", "nosuch*", "--buffer", "redis", "--redis-host", redis.address());
        assertThat(none.exit()).as(verb + ": " + none.err()).isZero();
        assertThat(none.err()).as(verb).contains("no dead letter in dlq:{*} at " + redis.address()
            + " matched --source nosuch* (it holds " + held + " in all): nothing to do");
      }
      assertThat(RedisBufferTest.redisDeadLetters(redis)).isEqualTo(held).isPositive();
      Cli.Result p = Cli.run("dlq", "purge", "--yes", "--buffer", "redis", "--redis-host", redis.address());
      assertThat(p.exit()).as(p.err()).isZero();
      assertThat(redis.cli("--scan", "--pattern", "dlq:*")).isEmpty();
      Cli.Result empty = Cli.run("dlq", "purge", "--yes", "--buffer", "redis", "--redis-host", redis.address());
      assertThat(empty.err()).contains("no dead letters in dlq:{*} at " + redis.address() + ": nothing to do");
    }
  }

  @Test
  void killedFlushersTempFiles_areRemovedAtTheNextStart_aLiveFlushersAreKept() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 2000, 2);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.run("convert", "-q", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(), "-o",
          out.toString(), in.toString());
      String[] flush = {"flush", "-q", "--redis-lock-ttl", "0.5", "--redis-host", redis.address(), "-o", out.toString()};
      try (Child c = Child.start(tmp.resolve("err"), List.of("-Djson2parquet.test.haltBeforeCommit=1"), flush)) {
        assertThat(c.waitFor()).isEqualTo(137);
      }
      List<Path> dead = temps(out);
      assertThat(dead).isNotEmpty();
      // a flusher that is alive (its key renewed in Redis) writing a file of its own meanwhile
      String live = "0123456789abcdef";
      Path liveTemp = Files.createDirectories(dead.get(0).getParent()).resolve(".j2p-" + live + "-fedcba9876543210.inprogress");
      Files.writeString(liveTemp, "being written");
      redis.cli("set", "data:flusher:" + live, "x", "px", "60000");
      awaitLocksExpired(redis);
      // the killed flusher's alive key was renewed after its last lock was taken: wait for it too
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .pollInterval(java.time.Duration.ofMillis(50))
          .until(() -> redis.cli("--scan", "--pattern", "data:flusher:*").strip().equals("data:flusher:" + live));
      Cli.Result r = Cli.run(flush);
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.err()).contains("removed " + dead.size() + " unfinished .j2p-*.inprogress files left under " + out
          + " by flushers that died");
      assertThat(temps(out)).containsExactly(liveTemp);
      Files.delete(liveTemp);
      assertExactlyOnce(in, out, redis);
    }
  }

  private static List<Path> temps(Path out) throws Exception {
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".j2p-")).sorted().toList();
    }
  }
}
