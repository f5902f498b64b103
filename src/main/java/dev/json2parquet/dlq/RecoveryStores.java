package dev.json2parquet.dlq;

import dev.json2parquet.config.Config;

/** Chooses the recovery store from the configuration; the only place that names an implementation. */
public final class RecoveryStores {
  private RecoveryStores() {}

  /** The store at {@code recovery_path}; opening it touches nothing on disk. */
  public static RecoveryStore open(Config config) {
    return runId -> 0; // placeholder until the file store exists
  }
}
