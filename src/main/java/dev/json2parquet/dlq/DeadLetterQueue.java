package dev.json2parquet.dlq;

import java.io.IOException;

/** Receives input that could not become a record. Thread-safe. */
public interface DeadLetterQueue extends AutoCloseable {

  /**
   * Stores one rejected line durably enough that {@link #close()} returning means it is on disk.
   *
   * @param error why it was rejected, for a person
   * @param source the input's name (file name or {@code stdin})
   * @param line 1-based line number in the source
   * @param raw the line's bytes, exactly as read (without its line break)
   * @param totalBytes the line's full length; more than {@code rawLength} when the line was too long to keep
   */
  void reject(String error, String source, long line, byte[] raw, int rawOffset, int rawLength, long totalBytes)
      throws IOException;

  /**
   * Stores one rejected record whose key ({@code key} template rendered) is known, e.g. a record
   * a flusher gave up on; a store that files dead letters by key (Redis) files it under {@code key},
   * the others ignore it. Otherwise as {@link #reject}.
   */
  default void rejectKeyed(String key, String error, String source, long line, byte[] raw, int rawOffset,
      int rawLength, long totalBytes) throws IOException {
    reject(error, source, line, raw, rawOffset, rawLength, totalBytes);
  }

  /** Where the dead letters go, for messages (a file, Redis keys and the address). */
  String location();

  /** Lines rejected so far. */
  long count();

  @Override
  void close() throws IOException;
}
