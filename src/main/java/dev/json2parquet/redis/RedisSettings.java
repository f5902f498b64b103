package dev.json2parquet.redis;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The Redis settings of a run, from the original design's {@code redis_*} keys.
 *
 * <p>{@code redis_host} takes three forms: {@code host[:port]} (port 6379 when absent); a URL
 * {@code redis://[user[:password]@]host[:port][/db]} or {@code rediss://...} for TLS (the URL form
 * of the Redis URI scheme registered with IANA; parsed by Jedis's {@link JedisURIHelper}); or a
 * comma-separated list of either, which selects Redis Cluster (each entry is a seed node; the
 * cluster's slot map is read from them). Values in the URL win over {@code redis_username},
 * {@code redis_password} and {@code redis_db}. A cluster has only db 0 (Redis Cluster
 * specification, "Implemented subset"), so any other db is refused.
 *
 * <p>Immutable and thread-safe.
 *
 * @param nodes the addresses given: one for a single server, several (or one, with
 *     {@code cluster}) for a cluster
 * @param cluster whether to connect with {@code JedisCluster}
 * @param user the ACL user name, or null for the default user
 * @param password the password, or null
 * @param db the logical database (0 for a cluster)
 * @param timeoutMillis connect and socket timeout, milliseconds ({@code redis_timeout})
 * @param tls whether to use TLS ({@code rediss://} or {@code redis_tls})
 * @param dataPrefix prefix of the keys holding buffered records ({@code redis_data_prefix})
 * @param keysKey the key of the set of keys that hold data ({@code redis_keys})
 * @param lockPrefix prefix of the per-key flush locks ({@code redis_lock_prefix})
 * @param dlqPrefix prefix of the dead-letter keys ({@code redis_dlq_prefix})
 * @param recoveryKey the key of the recovery store ({@code redis_recovery_key})
 * @param lockTtlMillis how long a flush lock lives without renewal, milliseconds ({@code redis_lock_ttl})
 * @param instance this instance's name, the value of the locks it holds ({@code redis_lock_instance_name})
 * @param skipFlush whether this instance only receives ({@code redis_skip_flush})
 * @param maxDeliveries how many flushers a batch may be delivered to without being written before it
 *     is dead-lettered; 0: never ({@code redis_max_deliveries})
 */
public record RedisSettings(
    List<HostAndPort> nodes,
    boolean cluster,
    String user,
    String password,
    int db,
    int timeoutMillis,
    boolean tls,
    String dataPrefix,
    String keysKey,
    String lockPrefix,
    String dlqPrefix,
    String recoveryKey,
    long lockTtlMillis,
    String instance,
    boolean skipFlush,
    int maxDeliveries) {

  /** The default Redis port. */
  public static final int DEFAULT_PORT = 6379;

  /**
   * The settings in {@code config}.
   *
   * @throws ConfigException when {@code redis_host} cannot be read, or a cluster is given a db other than 0
   */
  public static RedisSettings of(Config config) {
    String host = str(config, "redis_host");
    String user = str(config, "redis_username");
    String password = str(config, "redis_password");
    int db = (int) (long) (Long) config.value("redis_db");
    boolean tls = Boolean.TRUE.equals(config.value("redis_tls"));
    List<HostAndPort> nodes = new ArrayList<>();
    String[] parts = host.split(",");
    for (String part : parts) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new ConfigException("Cannot use redis_host " + redact(host) + ": an empty address in the list");
      }
      if (p.startsWith("redis://") || p.startsWith("rediss://")) {
        URI uri;
        try {
          uri = new URI(p);
        } catch (URISyntaxException e) {
          throw new ConfigException("Cannot use redis_host " + redact(p) + ": not a redis:// URL (" + e.getReason() + ")");
        }
        if (uri.getHost() == null) {
          throw new ConfigException("Cannot use redis_host " + redact(p) + ": the URL names no host");
        }
        nodes.add(new HostAndPort(uri.getHost(), uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort()));
        tls |= JedisURIHelper.isRedisSSLScheme(uri);
        if (JedisURIHelper.getUser(uri) != null) {
          user = JedisURIHelper.getUser(uri);
        }
        if (JedisURIHelper.getPassword(uri) != null) {
          password = JedisURIHelper.getPassword(uri);
        }
        if (uri.getPath() != null && uri.getPath().length() > 1) {
          int urlDb;
          try {
            urlDb = Integer.parseInt(uri.getPath().substring(1));
          } catch (NumberFormatException e) {
            throw new ConfigException("Cannot use redis_host " + redact(p) + ": the path must be a db number, like /0");
          }
          if (db != 0 && db != urlDb) {
            throw new ConfigException("Cannot use redis_host " + redact(p) + " with redis_db " + db + ": the URL says db "
                + urlDb + "; give the db once");
          }
          db = urlDb;
        }
      } else {
        nodes.add(hostAndPort(p, host));
      }
    }
    boolean cluster = parts.length > 1;
    if (cluster && db != 0) {
      throw new ConfigException("Cannot use redis_db " + db + " with a Redis Cluster (" + redact(host) + "): a cluster has only db 0");
    }
    Object ttl = config.value("redis_lock_ttl");
    double ttlSeconds = ttl == null ? 1.5 * config.flushIntervalSeconds() : (Double) ttl;
    Object instance = config.value("redis_lock_instance_name");
    return new RedisSettings(List.copyOf(nodes), cluster, user, password, db,
        (int) Math.min(Integer.MAX_VALUE, Math.round((Double) config.value("redis_timeout") * 1000)), tls,
        str(config, "redis_data_prefix"), str(config, "redis_keys"), str(config, "redis_lock_prefix"),
        str(config, "redis_dlq_prefix"), str(config, "redis_recovery_key"),
        Math.max(1, Math.round(ttlSeconds * 1000)), instance == null ? "json2parquet" : instance.toString(),
        Boolean.TRUE.equals(config.value("redis_skip_flush")),
        (int) (long) (Long) config.value("redis_max_deliveries"));
  }

  /**
   * The stream holding {@code key}'s buffered records: {@code <redis_data_prefix>:{<key>}}. The
   * braces are a hash tag (Redis Cluster specification, "Hash tags"): the data, lock and dead-letter
   * keys of one record key hash to one slot, so that they work on a cluster alike.
   */
  public String dataKey(String key) {
    return dataPrefix + ":{" + key + "}";
  }

  /** The flush lock of {@code key}: {@code <redis_lock_prefix>:{<key>}} (same slot as {@link #dataKey}). */
  public String lockKey(String key) {
    return lockPrefix + ":{" + key + "}";
  }

  /** The dead letters of {@code key}: {@code <redis_dlq_prefix>:{<key>}} (same slot as {@link #dataKey}). */
  public String dlqKey(String key) {
    return dlqPrefix + ":{" + key + "}";
  }

  /**
   * The command-line flags by which another command reaches the dead letters of this Redis (for
   * hints such as "read them with: json2parquet dlq list ..."): {@code --buffer redis --redis-host
   * <address>}, then {@code --redis-tls}, {@code --redis-db N} and {@code --redis-dlq-prefix P} where
   * they differ from the defaults. Never the password or user name: a note says they are needed too.
   */
  public String dlqFlags() {
    StringBuilder b = new StringBuilder("--buffer redis --redis-host ").append(address());
    if (tls) {
      b.append(" --redis-tls");
    }
    if (db != 0) {
      b.append(" --redis-db ").append(db);
    }
    if (!"dlq".equals(dlqPrefix)) {
      b.append(" --redis-dlq-prefix ").append(shellWord(dlqPrefix));
    }
    if (password != null || user != null) {
      b.append(" (and this run's Redis user name or password)");
    }
    return b.toString();
  }

  /** {@code s} as one word for a POSIX shell: as is when plain, else in single quotes. */
  private static String shellWord(String s) {
    if (!s.isEmpty() && s.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "-_.:/@+=,".indexOf(c) >= 0))) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The addresses as given, for messages: {@code host:port} or {@code host:port,host:port,...}. */
  public String address() {
    StringBuilder b = new StringBuilder();
    for (HostAndPort n : nodes) {
      b.append(b.length() == 0 ? "" : ",").append(n);
    }
    return b.toString();
  }

  /** {@code url} with the password of its user info replaced by {@code ***}, for messages. */
  static String redact(String url) {
    return url.replaceAll("(rediss?://[^:@/]*:)[^@/]*@", "$1***@");
  }

  private static HostAndPort hostAndPort(String p, String whole) {
    int colon = p.lastIndexOf(':');
    boolean bracketed = p.startsWith("[");
    if (colon < 0 || bracketed && p.endsWith("]")) {
      return new HostAndPort(bracketed ? p.substring(1, p.length() - 1) : p, DEFAULT_PORT);
    }
    String h = p.substring(0, colon);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    try {
      int port = Integer.parseInt(p.substring(colon + 1));
      if (port < 1 || port > 65_535 || h.isEmpty()) {
        throw new NumberFormatException();
      }
      return new HostAndPort(h, port);
    } catch (NumberFormatException e) {
      throw new ConfigException("Cannot use redis_host " + redact(whole) + ": " + p + " is not host:port (e.g. localhost:6379)");
    }
  }

  private static String str(Config config, String key) {
    Object v = config.value(key);
    return v == null ? null : v.toString();
  }
}
