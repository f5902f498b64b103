package dev.json2parquet.dlq;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.redis.RedisClients;
import dev.json2parquet.redis.RedisSettings;
import java.time.Clock;

/**
 * Chooses where a run writes its dead letters; the only place that names a {@link DeadLetterQueue}
 * implementation. The switch is {@code buffer_type}: with {@code memory}, the file
 * {@code <dlq_path>/dlq-<run id>.jsonl}; with {@code redis}, the Redis streams
 * {@code <redis_dlq_prefix>:{<key>}} (see {@link RedisDeadLetterQueue}), so that a run whose
 * records wait in Redis keeps its dead letters there too, where every instance and the {@code dlq}
 * verbs of any machine see them.
 */
public final class DeadLetterQueues {
  private DeadLetterQueues() {}

  /** Opens the dead-letter queue of one run; the {@code Converter} takes one to write elsewhere ({@code dlq replay}). */
  @FunctionalInterface
  public interface Opener {
    DeadLetterQueue open(Config config, String runId, Clock clock);
  }

  /**
   * The queue run {@code runId} writes into. The file queue creates its file on the first
   * rejection; the Redis queue connects (and checks the connection) here.
   *
   * @throws ConfigException (one line, exit 2) when Redis cannot be reached or refuses the credentials
   */
  public static DeadLetterQueue open(Config config, String runId, Clock clock) {
    if (config.bufferType().equals("redis")) {
      RedisSettings settings = RedisSettings.of(config);
      return new RedisDeadLetterQueue(RedisClients.open(settings), true, settings, runId, clock);
    }
    return new FileDeadLetterQueue(config.dlqDir(), runId, clock);
  }
}
