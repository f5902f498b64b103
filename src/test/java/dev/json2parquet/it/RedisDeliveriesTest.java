package dev.json2parquet.it;

import static dev.json2parquet.it.RedisBufferTest.args;
import static dev.json2parquet.it.RedisBufferTest.assertExactlyOnce;
import static dev.json2parquet.it.RedisBufferTest.awaitLocksExpired;
import static dev.json2parquet.it.RedisBufferTest.generate;
import static dev.json2parquet.it.RedisBufferTest.redisDeadLetters;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis_max_deliveries}: a batch that kills every flusher that takes it (a flusher child JVM
 * halted before its first commit, as kill -9 would) goes to the Redis DLQ once it was delivered to
 * more flushers than the setting allows, exactly once, and the key's other batches are written; a
 * sink that refuses every write dead-letters nothing (its batches stay in the recovery store).
 */
class RedisDeliveriesTest {
  @TempDir
  Path tmp;

  @Test
  void batchThatKillsItsFlusher_goesToTheDlqAfterMaxDeliveries_onceAndTheKeyFlowsOn() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 3000, 1);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result r = Cli.run("convert", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(),
          "-o", out.toString(), in.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(3); // a few lines of the generator's are invalid on purpose
      String key = redis.cli("smembers", "keys").strip();
      long receiveDead = redisDeadLetters(redis);
      String[] flush = args("flush", "--buffer-size", "1000", "--redis-lock-ttl", "0.5", "--redis-max-deliveries", "2",
          "--redis-host", redis.address(), "-o", out.toString());
      // deliveries 1 and 2: each flusher dies before committing the batch's file
      for (int i = 1; i <= 2; i++) {
        try (Child c = Child.start(tmp.resolve("err" + i), List.of("-Djson2parquet.test.haltBeforeCommit=1"), flush)) {
          assertThat(c.waitFor()).isEqualTo(137);
        }
        awaitLocksExpired(redis);
      }
      assertThat(DuckDb.parquetFiles(out)).isEmpty();
      // delivery 3 > 2: dead-lettered, and the key's other two batches are written
      Cli.Result f = Cli.run(flush);
      assertThat(f.exit()).as(f.err()).isZero();
      assertThat(f.err()).contains("of key " + key + " (1000 records) was delivered to 3 flushers and none wrote it",
          "dlq:{" + key + "}");
      String dead = redis.cli("xrange", "dlq:{" + key + "}", "-", "+");
      assertThat(dead.lines().filter(l -> l.contains("its batch was delivered to 3 flushers (more than"
          + " redis_max_deliveries, 2)")).count()).isEqualTo(1000);
      assertThat(redisDeadLetters(redis)).isEqualTo(receiveDead + 1000);
      assertThat(DuckDb.messageIds(out)).hasSize(2000 - (int) receiveDead);
      assertExactlyOnce(in, out, redis);
      // once: a later flush finds nothing, and dead-letters nothing again
      Cli.Result again = Cli.run(flush);
      assertThat(again.exit()).isZero();
      assertThat(redisDeadLetters(redis)).isEqualTo(receiveDead + 1000);
      assertExactlyOnce(in, out, redis);
      assertThat(redis.cli("scard", "keys")).isEqualTo("0");
    }
  }

  @Test
  void sinkThatRefusesEveryWrite_deadLettersNothing_theBatchesWaitInRecovery() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 1500, 2);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.run("convert", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(), "-o",
          out.toString(), in.toString());
      long receiveDead = redisDeadLetters(redis);
      String[] flush = args("flush", "-q", "--buffer-size", "500", "--redis-max-deliveries", "1", "--redis-host",
          redis.address(), "-o", out.toString());
      for (int i = 0; i < 3; i++) {
        Cli.Result f = FaultySink.with("always", () -> Cli.run(flush));
        assertThat(f.exit()).as(f.err()).isIn(0, 1);
      }
      assertThat(redisDeadLetters(redis)).isEqualTo(receiveDead);
      assertThat(Long.parseLong(redis.cli("hlen", "recovery"))).isPositive();
      Cli.Result rec = Cli.run("recover", "--buffer", "redis", "--redis-max-deliveries", "1", "--redis-host",
          redis.address(), "-o", out.toString());
      assertThat(rec.exit()).as(rec.err()).isZero();
      assertExactlyOnce(in, out, redis);
    }
  }
}
