package dev.json2parquet.dlq;

import java.io.IOException;

/**
 * Holds encoded Parquet files that could not be committed to the sink, with what is needed to
 * commit them later ({@code json2parquet recover}). Placeholder of the interface: the file store,
 * the flusher's use of it and {@code recover} fill it in.
 */
public interface RecoveryStore {

  /**
   * Removes every stored file of run {@code runId} (used when a crashed run is rolled back and its
   * inputs are converted again, so that nothing is doubled).
   *
   * @return the number of records the removed files held
   * @throws IOException when the store cannot be read or changed
   */
  long discardRun(String runId) throws IOException;
}
