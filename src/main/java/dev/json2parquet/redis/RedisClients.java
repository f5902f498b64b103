package dev.json2parquet.redis;

import dev.json2parquet.config.ConfigException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Opens the Redis client of a run: a {@link JedisPooled} (a connection pool) for one server, a
 * {@link JedisCluster} for a cluster; both are {@link UnifiedJedis}, so callers do not tell them
 * apart. The client is checked with a {@code PING} (Redis command reference, PING) before it is
 * returned, so that an unreachable server, a wrong password or a wrong db is one clear line at start
 * instead of a failure mid-run. Thread-safe: the returned client may be shared by threads.
 */
public final class RedisClients {
  /** Connections per pool (one server) or per node (cluster): readers, flushers and lock renewal. */
  static final int POOL_SIZE = 16;
  /** Attempts of a cluster command across redirections and reconnects (JedisCluster's maxAttempts). */
  static final int CLUSTER_ATTEMPTS = 5;

  private RedisClients() {
  }

  /**
   * A connected client for {@code settings}; close it when done.
   *
   * @throws ConfigException (one line, naming the address) when Redis cannot be reached, refuses
   *     the credentials or the db, or answers PING with an error
   */
  public static UnifiedJedis open(RedisSettings settings) {
    JedisClientConfig client = DefaultJedisClientConfig.builder()
        .user(settings.user())
        .password(settings.password())
        .database(settings.db())
        .connectionTimeoutMillis(settings.timeoutMillis())
        .socketTimeoutMillis(settings.timeoutMillis())
        .ssl(settings.tls())
        .clientName("json2parquet-" + settings.instance().replaceAll("[^\\x21-\\x7e]", "_"))
        .build();
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(POOL_SIZE);
    pool.setMaxIdle(POOL_SIZE);
    pool.setJmxEnabled(false);
    UnifiedJedis jedis = null;
    try {
      if (settings.cluster()) {
        Set<HostAndPort> seeds = new LinkedHashSet<>(settings.nodes());
        jedis = new JedisCluster(seeds, client, CLUSTER_ATTEMPTS, pool);
      } else {
        jedis = new JedisPooled(pool, settings.nodes().get(0), client);
      }
      jedis.ping();
      return jedis;
    } catch (JedisException | IllegalStateException e) {
      if (jedis != null) {
        jedis.close();
      }
      throw new ConfigException(RedisErrors.describe("connect to Redis", settings, e));
    }
  }
}
