package dev.json2parquet.redis;

import java.util.function.Consumer;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Bounded retries of a Redis operation across an outage: a lost connection, or a server error that
 * passes by itself ({@link RedisErrors#isTransient}: LOADING after a restart, BUSY, TRYAGAIN, ...),
 * is retried with exponential backoff (100 ms doubling to 2 s) until a budget runs out; any other
 * server error ends it at once. The operation must be safe to run again (every caller's is: Redis
 * commands whose effects are idempotent or checked by the caller's scripts). Stateless; thread-safe.
 */
public final class RedisRetry {
  /** A test hook: how many seconds a lost Redis is retried for (default {@link #SECONDS}). */
  public static final String TEST_SECONDS = "json2parquet.test.redisRetrySeconds";
  /** How long a lost Redis is waited for by default, in seconds. */
  public static final double SECONDS = 20;

  private RedisRetry() {
  }

  /** One attempt of the operation. */
  @FunctionalInterface
  public interface Op<T> {
    T run();
  }

  /** Redis stayed unreachable past the budget, or refused the operation; the message is one line ("Cannot ..."). */
  public static final class GaveUpException extends RuntimeException {
    public GaveUpException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The retry budget in nanoseconds ({@link #SECONDS}, or the test hook's). */
  public static long budgetNanos() {
    return (long) (Double.parseDouble(System.getProperty(TEST_SECONDS, Double.toString(SECONDS))) * 1e9);
  }

  /**
   * Runs {@code op} until it succeeds or the budget is spent.
   *
   * @param action what is tried, for the messages, without "Cannot" (e.g. "flush key a")
   * @param retrying told once, on the first lost connection, the line that says it is being retried
   * @throws GaveUpException with a {@link RedisErrors#describe} line (and how often it was tried)
   */
  public static <T> T call(RedisSettings settings, String action, Consumer<String> retrying, Op<T> op) {
    return call(settings, action, budgetNanos(), retrying, op);
  }

  /** As above, with a budget of {@code budget} nanoseconds (serve's answers wait shorter: its clients retry). */
  public static <T> T call(RedisSettings settings, String action, long budget, Consumer<String> retrying, Op<T> op) {
    long deadline = System.nanoTime() + budget;
    long backoff = 100_000_000L;
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        return op.run();
      } catch (JedisDataException e) {
        if (!RedisErrors.isTransient(e)) {
          throw new GaveUpException(RedisErrors.describe(action, settings, e), e);
        }
        // a restarted server answers LOADING until its data set is read back: wait like for an outage
        backoff = wait(settings, action, e, attempt, budget, deadline, backoff);
      } catch (JedisException e) {
        if (attempt == 1 && retrying != null) {
          retrying.accept(RedisErrors.describe(action, settings, e) + "; retrying for up to " + Math.round(budget / 1e9)
              + " s");
        }
        backoff = wait(settings, action, e, attempt, budget, deadline, backoff);
      }
    }
  }

  private static long wait(RedisSettings settings, String action, JedisException e, int attempt, long budget,
      long deadline, long backoff) {
    if (System.nanoTime() + backoff > deadline) {
      throw new GaveUpException(RedisErrors.describe(action, settings, e) + " (tried " + attempt + " times over "
          + Math.round(budget / 1e9) + " s)", e);
    }
    try {
      Thread.sleep(backoff / 1_000_000);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new GaveUpException("Cannot " + action + ": interrupted while waiting for Redis", ie);
    }
    return Math.min(backoff * 2, 2_000_000_000L);
  }
}
