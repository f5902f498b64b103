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

  /** Lines rejected so far. */
  long count();

  @Override
  void close() throws IOException;

  /**
   * A queue that one resumable input dead-letters into (the Redis buffer's {@code convert}): its
   * {@link #mark} is recorded with each checkpoint of the input, and a resumed run reopens the queue
   * at that mark, dropping what was rejected after it (those lines are read, and rejected, again).
   */
  interface Resumable extends DeadLetterQueue {
    /** Makes what was rejected so far survive the process being killed, and returns the position after it. */
    long mark() throws IOException;
  }
}
