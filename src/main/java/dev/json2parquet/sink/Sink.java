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
   * Whether {@link Pending#keep} keeps what was written to a failed file (read back from a local
   * file, or left in an S3 multipart upload with only the bytes not yet uploaded on local disk).
   * Rolling a key's file across flushes needs it: a file that fails after several row groups is
   * retried or kept in the recovery store whole only when its earlier row groups are kept. Without
   * it every flushed batch is a file of its own, so that a failure never loses what earlier batches
   * wrote.
   */
  default boolean readsBack() {
    return false;
  }

  /**
   * How many files this sink lets be open at once, whatever {@code max_open_files} says: each open
   * S3 file may hold up to one part in memory, so the S3 sink caps them at
   * {@code s3_buffer_bytes / s3_part_size}. Unlimited by default.
   */
  default int maxOpenFiles() {
    return Integer.MAX_VALUE;
  }

  /**
   * Continues a file that a failed run kept half-written in this sink ({@link Kept#resumeToken}), for
   * {@code recover}: the returned file already holds the bytes the sink kept; the caller writes the
   * rest (the bytes the recovery store holds) and commits.
   *
   * @throws IOException when this sink keeps no partial files, or the token is not one of its own
   */
  default Pending resume(String token, String relativePath) throws IOException {
    throw new IOException("Cannot continue " + locate(relativePath) + ": " + getClass().getSimpleName()
        + " keeps no partly written files");
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

    /**
     * The writer pauses here: what was written so far ends at a complete row group, and more may
     * follow much later (a rolling file between flushes). The S3 sink gives the memory of its part
     * buffer back to the sink-wide allowance while paused. Throws the failure of an earlier write that
     * the sink only learned about meanwhile (an S3 part upload that used up its retry budget): then
     * the file is broken and must be {@link #keep kept} for a retry.
     *
     * @throws IOException the sink's failure of an earlier write
     */
    default void pause() throws IOException {}

    /**
     * Discards the file after a failure but keeps its first {@code length} bytes (they end at a
     * complete row group) for a retry or the recovery store. By default they are read back
     * ({@link #abortAndReadBack}) into a local temporary file; the S3 sink leaves the parts already
     * uploaded in the open multipart upload and keeps only the rest on local disk.
     *
     * @return what was kept, or null when this sink cannot keep anything (then the caller must count
     *     the records as lost)
     * @throws IOException when the bytes cannot be kept; the file is discarded all the same
     */
    default Kept keep(long length) throws IOException {
      try (java.io.InputStream in = abortAndReadBack()) {
        return in == null ? null : LocalKept.copy(in, length);
      }
    }
  }

  /**
   * The first bytes of a failed file, kept for a retry ({@link #resume}) or for the recovery store
   * ({@link #copyLocal} + {@link #resumeToken}). Used by one thread at a time.
   */
  interface Kept {
    /** How many bytes of the file are kept: the next write continues at this offset. */
    long length();

    /**
     * A new pending file at the same path that already holds the kept bytes (its next byte is at
     * {@link #length}). The kept bytes stay valid until {@link #discard}: when the new file fails
     * before a write succeeded, the same kept bytes are resumed again.
     */
    Pending resume(Sink sink, String relativePath) throws IOException;

    /**
     * Writes the kept bytes that are on local disk to {@code out}: all of them, or with a
     * {@link #resumeToken} only those after what the sink itself keeps.
     */
    void copyLocal(java.io.OutputStream out) throws IOException;

    /**
     * How {@link Sink#resume} finds the bytes the sink itself keeps (an S3 multipart upload and its
     * parts), for the recovery store's manifest; null when {@link #copyLocal} writes every byte.
     */
    String resumeToken();

    /**
     * Deletes the local copy; with {@code abandon} also what the sink keeps (aborts the S3 multipart
     * upload), for records that are counted as lost. Idempotent.
     */
    void discard(boolean abandon);
  }
}
