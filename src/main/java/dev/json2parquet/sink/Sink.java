package dev.json2parquet.sink;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where finished Parquet files go: a local directory now, object storage later. Implementations
 * are thread-safe: several flusher threads create files at once.
 */
public interface Sink extends AutoCloseable {

  /**
   * Starts a file at {@code relativePath} ('/'-separated, already path-safe). Nothing is visible at
   * that path until {@link Pending#commit()} returns.
   */
  Pending create(String relativePath) throws IOException;

  /**
   * Removes the committed files of run {@code runId}: those whose name carries {@code -<runId>-}
   * (the layout's {@code <key>-<run id>-<seq>.parquet}), for undoing a failed {@code dlq replay}.
   * The default removes nothing: local files are removed by the caller, which walks the directory.
   *
   * @return how many files were removed
   * @throws IOException when they cannot be listed or removed
   */
  default long removeRun(String runId) throws IOException {
    return 0;
  }

  /**
   * Removes the committed file at {@code relativePath}, if there is one (rolling back a crashed run
   * whose journal lists it). Thread-safe.
   *
   * @return whether a file was there and is now gone
   * @throws IOException when it exists but cannot be removed, or the store cannot be asked
   */
  boolean delete(String relativePath) throws IOException;

  /**
   * Whether {@link Pending#abortAndReadBack()} gives back what was written. Rolling a key's file
   * across flushes needs it: a file that fails after several row groups is retried or kept in the
   * recovery store whole only when its earlier row groups can be read back. Without it every
   * flushed batch is a file of its own, so that a failure never loses what earlier batches wrote.
   */
  default boolean readsBack() {
    return false;
  }

  /** Where {@code relativePath} ends up, for messages (a file path or a URL). */
  String locate(String relativePath);

  @Override
  void close() throws IOException;

  /** A file being written. Used by one thread at a time: written on one, maybe committed on another. */
  interface Pending {
    OutputStream stream();

    /** Makes the file visible, complete, at its path. */
    void commit() throws IOException;

    /** Discards whatever was written; idempotent, and a no-op after commit. */
    void abort();

    /**
     * Discards the file like {@link #abort} but first hands back what was written to it, so that a
     * file of several row groups whose write or commit failed can be written again (or kept in the
     * recovery store) without holding its records in memory. The stream stays readable after the
     * file is discarded; the caller closes it.
     *
     * @return the bytes written so far, or null when this sink cannot give them back (then the
     *     caller must count them as lost)
     * @throws IOException when they cannot be read; the file is discarded all the same
     */
    default java.io.InputStream abortAndReadBack() throws IOException {
      abort();
      return null;
    }
  }
}
