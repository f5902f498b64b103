package dev.json2parquet.dlq;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.redis.RedisClients;
import dev.json2parquet.redis.RedisSettings;

/** Chooses the dead-letter store the {@code dlq} verbs read; the only place that names an implementation. */
public final class DeadLetterStores {
  private DeadLetterStores() {}

  /**
   * The store that runs with this configuration dead-letter into (the same switch as
   * {@link DeadLetterQueues#open}): with {@code buffer_type memory}, the files in {@code dlq_path}
   * (opening it touches nothing on disk); with {@code buffer_type redis}, the Redis streams under
   * {@code redis_dlq_prefix} (connected here, and checked with a PING). Close it when done.
   *
   * @throws ConfigException (one line, exit 2) when Redis cannot be reached or refuses the credentials or db
   */
  public static DeadLetterStore open(Config config) {
    if (config.bufferType().equals("redis")) {
      RedisSettings settings = RedisSettings.of(config);
      return new RedisDeadLetterStore(RedisClients.open(settings), settings);
    }
    return new FileDeadLetterStore(config.dlqDir());
  }
}
