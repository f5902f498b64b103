package dev.json2parquet.dlq;

import dev.json2parquet.config.Config;
import java.time.Clock;

/** Chooses the recovery store from the configuration; the only place that names an implementation. */
public final class RecoveryStores {
  private RecoveryStores() {}

  /** The store at {@code recovery_path}; opening it touches nothing on disk. */
  public static RecoveryStore open(Config config) {
    return open(config, Clock.systemUTC());
  }

  /** The store at {@code recovery_path}, stamping entries with {@code clock}'s time. */
  public static RecoveryStore open(Config config, Clock clock) {
    return at(config.recoveryDir(), clock);
  }

  /** The file store in {@code dir}. */
  public static RecoveryStore at(java.nio.file.Path dir, Clock clock) {
    return new FileRecoveryStore(dir, clock);
  }
}
