package dev.json2parquet.redis;

import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * One-line messages for what Redis answered or failed to answer, in the project's
 * {@code Cannot <action>: <reason>} form, naming the address and the setting to look at. The error
 * prefixes ({@code WRONGPASS}, {@code NOAUTH}, {@code OOM}, {@code ERR DB index is out of range},
 * {@code READONLY}, {@code LOADING}) are the ones the Redis server sends (Redis documentation,
 * "Redis serialization protocol specification", simple errors; AUTH, SELECT and maxmemory pages).
 * Stateless.
 */
public final class RedisErrors {
  private RedisErrors() {
  }

  /**
   * A message for {@code e}, thrown while trying to {@code action} (e.g. "connect to Redis").
   *
   * @param action what was tried, without "Cannot"
   */
  public static String describe(String action, RedisSettings settings, Throwable e) {
    String at = " at " + settings.address();
    String raw = rootMessage(e);
    String upper = raw.toUpperCase(java.util.Locale.ROOT);
    if (upper.startsWith("WRONGPASS") || upper.contains("INVALID PASSWORD") || upper.contains("INVALID USERNAME-PASSWORD")) {
      return "Cannot " + action + at + ": wrong user name or password (redis_password, redis_username or the URL)";
    }
    if (upper.startsWith("NOAUTH") || upper.contains("AUTHENTICATION REQUIRED")) {
      return "Cannot " + action + at + ": the server needs a password (set redis_password or give it in the URL)";
    }
    if (upper.contains("DB INDEX IS OUT OF RANGE")) {
      return "Cannot " + action + at + ": db " + settings.db() + " does not exist on that server (redis_db;"
          + " the server's `databases` setting caps it)";
    }
    if (upper.startsWith("OOM")) {
      return "Cannot " + action + at + ": Redis is out of memory (maxmemory reached: \"" + firstLine(raw)
          + "\"); raise maxmemory or flush keys, nothing acknowledged was lost";
    }
    if (upper.startsWith("READONLY")) {
      return "Cannot " + action + at + ": the server is a read-only replica; point redis_host at the primary";
    }
    if (upper.startsWith("LOADING")) {
      return "Cannot " + action + at + ": Redis is still loading its data set; try again in a moment";
    }
    if (e instanceof JedisAccessControlException) {
      return "Cannot " + action + at + ": access denied (" + firstLine(raw) + ")";
    }
    if (e instanceof JedisConnectionException || e instanceof JedisClusterOperationException
        || hasCause(e, java.net.ConnectException.class) || hasCause(e, java.net.UnknownHostException.class)) {
      return "Cannot " + action + at + ": " + unreachable(e, raw) + " (redis_host; is redis-server running there?)";
    }
    return "Cannot " + action + at + ": " + firstLine(raw);
  }

  private static String unreachable(Throwable e, String raw) {
    if (hasCause(e, java.net.ConnectException.class)) {
      return "connection refused";
    }
    if (hasCause(e, java.net.UnknownHostException.class)) {
      return "unknown host";
    }
    if (hasCause(e, java.net.SocketTimeoutException.class)) {
      return "timed out (redis_timeout)";
    }
    return "not reachable (" + firstLine(raw) + ")";
  }

  /**
   * Whether the server's error {@code e} passes by itself: {@code LOADING} (a restarted server
   * reading its data set back), {@code BUSY} (a script running), {@code TRYAGAIN},
   * {@code CLUSTERDOWN} and {@code MASTERDOWN} (a cluster or replica resynchronising); such commands
   * may be sent again after a backoff.
   */
  public static boolean isTransient(Throwable e) {
    String m = rootMessage(e).toUpperCase(java.util.Locale.ROOT);
    return m.startsWith("LOADING") || m.startsWith("BUSY") || m.startsWith("TRYAGAIN")
        || m.startsWith("CLUSTERDOWN") || m.startsWith("MASTERDOWN");
  }

  /** The message of the innermost cause that has one. */
  static String rootMessage(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        m = c.getMessage();
      }
    }
    // a server error wrapped by the pool keeps the server's text deepest; prefer it over the wrapper
    return m;
  }

  /** Whether {@code e}, a cause or a suppressed exception (Jedis adds one per address it tried) is a {@code type}. */
  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
      for (Throwable s : c.getSuppressed()) {
        if (hasCause(s, type)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
