package dev.json2parquet.dlq;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;

/** Chooses the dead-letter store the {@code dlq} verbs read; the only place that names an implementation. */
public final class DeadLetterStores {
  private DeadLetterStores() {}

  /**
   * The store that runs with this configuration dead-letter into: with {@code buffer_type memory},
   * the files in {@code dlq_path}. Opening it touches nothing on disk.
   *
   * @throws ConfigException for a buffer type whose store is not built yet
   */
  public static DeadLetterStore open(Config config) {
    if (config.bufferType().equals("memory")) {
      return new FileDeadLetterStore(config.dlqDir());
    }
    throw new ConfigException("Cannot open the dead-letter queue of buffer_type = \"" + config.bufferType()
        + "\": this version reads the file DLQ only (buffer_type \"memory\")");
  }

  /**
   * The queue {@code convert --buffer redis} dead-letters one input's lines into: the file
   * {@code dlq_path/dlq-redis-<inputId>.jsonl}, cut back to {@code mark} (see
   * {@link DeadLetterQueue.Resumable}). A Redis dead-letter store plugs in here.
   *
   * @throws IOException when it cannot be opened
   */
  public static DeadLetterQueue.Resumable forInput(Config config, String inputId, long mark, java.time.Clock clock)
      throws java.io.IOException {
    return FileDeadLetterQueue.resuming(config.dlqDir(), "redis-" + inputId, mark, clock);
  }

  /**
   * The queue a Redis flusher dead-letters one batch's failed lines into, named after the batch and
   * written anew when the batch is written again: {@code dlq_path/dlq-redis-<batch>.jsonl}. Created
   * on the first rejection.
   */
  public static DeadLetterQueue forBatch(Config config, String batch, java.time.Clock clock) {
    return new FileDeadLetterQueue(config.dlqDir(), "redis-" + batch, clock);
  }
}
