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
}
