package dev.json2parquet.buffer;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * One key's flush lock, held while this process flushes the key: {@code SET lock token NX PX ttl}
 * to take it, renewed every third of its TTL by compare-and-expire, released by compare-and-delete
 * (Redis docs, "Distributed locks with Redis", single instance). The lock only saves work: a holder
 * paused past the TTL may still write, and correctness comes from deterministic file names, not
 * from the lock. Not thread-safe apart from the renewal it schedules itself.
 */
public final class RedisLock implements AutoCloseable {
  private final UnifiedJedis jedis;
  private final String lockKey;
  private final String token;
  private final long ttlMillis;
  private final ScheduledFuture<?> renewal;
  private volatile boolean lost;

  private RedisLock(UnifiedJedis jedis, String lockKey, String token, long ttlMillis, ScheduledExecutorService timer) {
    this.jedis = jedis;
    this.lockKey = lockKey;
    this.token = token;
    this.ttlMillis = ttlMillis;
    long every = Math.max(1, ttlMillis / 3);
    this.renewal = timer == null ? null : timer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  /** Takes the lock (or keeps it, when {@code token} holds it already), or returns null when another holds it; renews it on {@code timer} (null: never, for tests). */
  public static RedisLock take(UnifiedJedis jedis, String lockKey, String token, long ttlMillis,
      ScheduledExecutorService timer) {
    String ok = jedis.set(lockKey, token, SetParams.setParams().nx().px(ttlMillis));
    if (!"OK".equals(ok)) {
      // still this holder's (a retry after Redis came back, the lock kept): renew it rather than wait for it
      Object mine = jedis.eval(RedisStreams.RENEW, List.of(lockKey), List.of(token, Long.toString(ttlMillis)));
      ok = mine instanceof Long l && l == 1 ? "OK" : null;
    }
    return "OK".equals(ok) ? new RedisLock(jedis, lockKey, token, ttlMillis, timer) : null;
  }

  private void renew() {
    if (lost) {
      return;
    }
    try {
      Object r = jedis.eval(RedisStreams.RENEW, List.of(lockKey), List.of(token, Long.toString(ttlMillis)));
      if (!(r instanceof Long l) || l != 1) {
        lost = true;
      }
    } catch (RuntimeException e) {
      // Redis unreachable for a moment: the next renewal tries again; expiry is harmless (see above)
    }
  }

  /** Whether a renewal found the lock taken by another (it expired meanwhile). */
  public boolean lost() {
    return lost;
  }

  public String token() {
    return token;
  }

  /** Stops renewing and releases the lock if it is still this holder's. */
  @Override
  public void close() {
    if (renewal != null) {
      renewal.cancel(false);
    }
    try {
      jedis.eval(RedisStreams.RELEASE, List.of(lockKey), List.of(token));
    } catch (RuntimeException e) {
      // unreachable: the lock expires by its TTL
    }
  }
}
