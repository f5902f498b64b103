package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.buffer.RedisStreams;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.redis.RedisClients;
import dev.json2parquet.redis.RedisSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;

/**
 * Acknowledging a batch ({@link RedisStreams#ack}) against a real redis-server: a batch at the head
 * of its stream, held by its own claim's consumer (its first entry perhaps moved to a flusher that
 * took it over), goes without an XACK of every id; any other shape takes the XACK of the ids; either
 * way exactly the batch's entries leave the stream and the pending list, once.
 */
class RedisStreamsAckTest {
  @TempDir
  Path tmp;

  @Test
  void ack_atTheHeadWithoutIds_behindAnotherOrSharedConsumerWithIds_exactlyTheBatchLeaves() throws Exception {
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      RedisSettings settings = RedisSettings.of(new ConfigLoader().flag("buffer_type", "redis", "--buffer")
          .flag("redis_host", redis.address(), "--redis-host").build());
      RedisStreams streams = new RedisStreams(settings);
      try (UnifiedJedis jedis = RedisClients.open(settings)) {
        String stream = streams.stream("k");
        for (int i = 1; i <= 11; i++) {
          jedis.xadd(stream, StreamEntryID.NEW_ENTRY, Map.of("l", "{}", "n", Integer.toString(i), "s", "in"));
        }
        jedis.set(settings.lockKey("k"), "tok");
        RedisStreams.Batch a = streams.claim(jedis, "k", "tok", "me", 1, () -> { });
        // b claimed as an earlier version did: XREADGROUP (every entry pending), then its bounds recorded
        List<String> bIds = redis.cli("xreadgroup", "group", RedisStreams.GROUP, "old@1", "count", "3", "streams", stream, ">")
            .lines().filter(l -> l.matches("[0-9]+-[0-9]+")).toList();
        RedisStreams.Batch b = new RedisStreams.Batch(bIds.get(0), bIds.get(2), streams.range(jedis, "k", bIds.get(0), bIds.get(2)));
        jedis.hset(streams.batches("k"), b.first(), b.last());
        RedisStreams.Batch c = streams.claim(jedis, "k", "tok", "me", 3, () -> { });
        RedisStreams.Batch d = streams.claim(jedis, "k", "tok", "me", 4, () -> { });
        assertThat(List.of(a.entries().size(), b.entries().size(), c.entries().size(), d.entries().size()))
            .containsExactly(1, 3, 3, 4);
        // a claim makes its batch's first entry pending, standing for the batch
        assertThat(pending(redis, stream)).isEqualTo(1 + 3 + 1 + 1);
        assertThat(redis.cli("hlen", streams.batches("k"))).isEqualTo("4");
        // a flusher that took over a and b moved their first entries to its own consumer
        assertThat(streams.deliver(jedis, "k", "other", a.first())).isEqualTo(2);
        assertThat(streams.deliver(jedis, "k", "other", b.first())).isEqualTo(2);

        // c is not at the head: the ids are sent (a second script)
        long evals = calls(redis, "eval");
        assertThat(streams.ack(jedis, "k", c.first(), c.last(), c.entries(), List.of())).isEqualTo(3);
        assertThat(calls(redis, "eval")).isEqualTo(evals + 2);
        assertThat(pending(redis, stream)).isEqualTo(5);
        // a (one entry, at the head, under "other", which holds b's first entry too): b's entry stays pending
        evals = calls(redis, "eval");
        assertThat(streams.ack(jedis, "k", a.first(), a.last(), a.entries(), List.of())).isEqualTo(1);
        assertThat(calls(redis, "eval")).isEqualTo(evals + 1);
        assertThat(pending(redis, stream)).isEqualTo(4);
        // b at the head, its first entry under "other", the rest under its claim's consumer: no ids sent
        evals = calls(redis, "eval");
        assertThat(streams.ack(jedis, "k", b.first(), b.last(), b.entries(), List.of("{\"envelope\":1}"))).isEqualTo(3);
        assertThat(calls(redis, "eval")).isEqualTo(evals + 1);
        assertThat(pending(redis, stream)).isEqualTo(1);
        assertThat(redis.cli("xlen", settings.dlqKey("k"))).isEqualTo("1");
        // d at the head: no ids sent
        evals = calls(redis, "eval");
        assertThat(streams.ack(jedis, "k", d.first(), d.last(), d.entries(), List.of())).isEqualTo(4);
        assertThat(calls(redis, "eval")).isEqualTo(evals + 1);
        assertThat(pending(redis, stream)).isZero();
        assertThat(redis.cli("xlen", stream)).isEqualTo("0");
        assertThat(redis.cli("hlen", streams.batches("k"))).isEqualTo("0");
        assertThat(redis.cli("xinfo", "consumers", stream, RedisStreams.GROUP)).isBlank();
        // a batch acknowledged already: nothing again (its dead letters not twice)
        assertThat(streams.ack(jedis, "k", b.first(), b.last(), b.entries(), List.of("{\"envelope\":1}"))).isEqualTo(-1);
        assertThat(redis.cli("xlen", settings.dlqKey("k"))).isEqualTo("1");
      }
    }
  }

  /**
   * A claim whose entries another claim took between its read and its record (a flusher that lost its
   * lock while paused) is no batch: it records nothing, and the entries are the other claim's alone.
   */
  @Test
  void claim_overtakenBetweenReadAndRecord_isNoBatch_theEntriesStayTheOtherClaims() throws Exception {
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      RedisSettings settings = RedisSettings.of(new ConfigLoader().flag("buffer_type", "redis", "--buffer")
          .flag("redis_host", redis.address(), "--redis-host").build());
      RedisStreams streams = new RedisStreams(settings);
      try (UnifiedJedis jedis = RedisClients.open(settings)) {
        String stream = streams.stream("k");
        for (int i = 1; i <= 5; i++) {
          jedis.xadd(stream, StreamEntryID.NEW_ENTRY, Map.of("l", "{}", "n", Integer.toString(i), "s", "in"));
        }
        jedis.set(settings.lockKey("k"), "tok");
        RedisStreams.Batch[] inner = new RedisStreams.Batch[1];
        RedisStreams.Batch outer = streams.claim(jedis, "k", "tok", "me", 3,
            () -> inner[0] = streams.claim(jedis, "k", "tok", "me", 2, () -> { }));
        assertThat(outer).isNull();
        assertThat(inner[0].entries()).hasSize(2);
        assertThat(jedis.hgetAll(streams.batches("k"))).containsExactly(Map.entry(inner[0].first(), inner[0].last()));
        assertThat(pending(redis, stream)).isEqualTo(1);
        RedisStreams.Batch next = streams.claim(jedis, "k", "tok", "me", 10, () -> { });
        assertThat(next.entries()).hasSize(3);
        assertThat(RedisStreams.compareIds(next.first(), inner[0].last())).isPositive();
      }
    }
  }

  private static long pending(RedisServer redis, String stream) throws Exception {
    String s = redis.cli("xpending", stream, RedisStreams.GROUP).lines().findFirst().orElse("0");
    return Long.parseLong(s.trim());
  }

  /** Calls of {@code command} so far (INFO commandstats). */
  private static long calls(RedisServer redis, String command) throws Exception {
    return redis.cli("info", "commandstats").lines().filter(l -> l.startsWith("cmdstat_" + command + ":")).findFirst()
        .map(l -> Long.parseLong(l.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"))).orElse(0L);
  }
}
