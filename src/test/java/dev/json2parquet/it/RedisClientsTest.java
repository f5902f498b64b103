package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.redis.RedisClients;
import dev.json2parquet.redis.RedisErrors;
import dev.json2parquet.redis.RedisSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;

/** Connecting to real redis-server processes: each way of failing is one clear line. */
class RedisClientsTest {
  @TempDir
  Path tmp;

  private static RedisSettings settings(String host, Object... more) {
    ConfigLoader l = new ConfigLoader().flag("buffer_type", "redis", "--buffer").flag("redis_host", host, "--redis-host");
    for (int i = 0; i < more.length; i += 2) {
      l.flag((String) more[i], more[i + 1], "--" + ((String) more[i]).replace('_', '-'));
    }
    Config c = l.build();
    return RedisSettings.of(c);
  }

  @Test
  void urlsAndListsAreRead() {
    RedisSettings s = settings("rediss://app:pw@cache.example:6380/3");
    assertThat(s.nodes()).containsExactly(new HostAndPort("cache.example", 6380));
    assertThat(s.user()).isEqualTo("app");
    assertThat(s.password()).isEqualTo("pw");
    assertThat(s.db()).isEqualTo(3);
    assertThat(s.tls()).isTrue();
    assertThat(s.cluster()).isFalse();

    assertThatThrownBy(() -> settings("redis://:s3cret@h:1/x"))
        .hasMessage("Cannot use redis_host redis://:***@h:1/x: the path must be a db number, like /0");
    assertThatThrownBy(() -> settings("redis://:s3cret@h:1/1", "redis_db", "3"))
        .hasMessage("Cannot use redis_host redis://:***@h:1/1 with redis_db 3: the URL says db 1; give the db once");
    assertThat(settings("redis://:s3cret@h:1/1", "redis_db", "1").db()).isEqualTo(1);

    RedisSettings c = settings("10.0.0.1:7000, 10.0.0.2:7001,10.0.0.3");
    assertThat(c.cluster()).isTrue();
    assertThat(c.nodes()).containsExactly(new HostAndPort("10.0.0.1", 7000), new HostAndPort("10.0.0.2", 7001),
        new HostAndPort("10.0.0.3", 6379));
    assertThatThrownBy(() -> settings("a:1,b:2", "redis_db", "2"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("a cluster has only db 0");
  }

  @Test
  void aServerIsReached_andSettingsRoundTrip() throws Exception {
    try (RedisServer server = new RedisServer(tmp.resolve("r"));
        UnifiedJedis jedis = RedisClients.open(settings(server.address(), "redis_db", "2"))) {
      jedis.set("k", "v");
      assertThat(server.cli("-n", "2", "get", "k")).isEqualTo("v");
    }
  }

  @Test
  void unreachable_wrongPassword_noPassword_wrongDb_areOneLineEach() throws Exception {
    int closed = RedisServer.freePort();
    assertThatThrownBy(() -> RedisClients.open(settings("127.0.0.1:" + closed, "redis_timeout", "2")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Cannot connect to Redis at 127.0.0.1:" + closed
            + ": connection refused (redis_host; is redis-server running there?)");
    try (RedisServer server = new RedisServer(tmp.resolve("p"), "--requirepass", "s3cret")) {
      assertThatThrownBy(() -> RedisClients.open(settings(server.address(), "redis_password", "wrong")))
          .hasMessage("Cannot connect to Redis at " + server.address()
              + ": wrong user name or password (redis_password, redis_username or the URL)");
      assertThatThrownBy(() -> RedisClients.open(settings(server.address())))
          .hasMessage("Cannot connect to Redis at " + server.address()
              + ": the server needs a password (set redis_password or give it in the URL)");
      try (UnifiedJedis ok = RedisClients.open(settings("redis://:s3cret@" + server.address() + "/1"))) {
        assertThat(ok.ping()).isEqualTo("PONG");
      }
    }
    try (RedisServer server = new RedisServer(tmp.resolve("d"), "--databases", "4")) {
      assertThatThrownBy(() -> RedisClients.open(settings(server.address(), "redis_db", "9")))
          .hasMessage("Cannot connect to Redis at " + server.address() + ": db 9 does not exist on that server"
              + " (redis_db; the server's `databases` setting caps it)");
    }
  }

  @Test
  void maxmemoryReached_isOneClearLine() throws Exception {
    try (RedisServer server = new RedisServer(tmp.resolve("m"), "--maxmemory", "2mb", "--maxmemory-policy", "noeviction");
        UnifiedJedis jedis = RedisClients.open(settings(server.address()))) {
      RedisSettings s = settings(server.address());
      String big = "x".repeat(100_000);
      Throwable thrown = null;
      for (int i = 0; i < 100 && thrown == null; i++) {
        try {
          jedis.set("k" + i, big);
        } catch (RuntimeException e) {
          thrown = e;
        }
      }
      assertThat(thrown).as("maxmemory 2mb must refuse 10 MB").isNotNull();
      assertThat(RedisErrors.describe("buffer records in Redis", s, thrown))
          .startsWith("Cannot buffer records in Redis at " + server.address() + ": Redis is out of memory (maxmemory reached: \"OOM");
    }
  }

  @Test
  void aClusterIsReachedThroughItsSeedList() throws Exception {
    List<RedisServer> nodes = RedisServer.cluster(tmp.resolve("c"));
    try (UnifiedJedis jedis = RedisClients.open(settings(RedisServer.addresses(nodes)))) {
      for (int i = 0; i < 50; i++) {
        jedis.set("key" + i, "v" + i);
      }
      for (int i = 0; i < 50; i++) {
        assertThat(jedis.get("key" + i)).isEqualTo("v" + i);
      }
      long spread = nodes.stream().filter(n -> {
        try {
          return Long.parseLong(n.cli("dbsize")) > 0;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }).count();
      assertThat(spread).as("keys spread over the cluster's nodes").isEqualTo(3);
    } finally {
      for (RedisServer n : nodes) {
        n.close();
      }
    }
  }
}
