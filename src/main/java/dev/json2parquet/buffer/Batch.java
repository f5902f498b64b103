package dev.json2parquet.buffer;

import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.PackedRecords;

/**
 * Records of one key taken from the buffer to be written as one file. The buffer keeps counting
 * {@code bytes} against its budget until {@link Buffer#release(Batch)} is called.
 *
 * @param reason what triggered the flush, for logs and tests
 * @param firstRecord the input ordinal (0-based, over the records appended to the buffer) of the
 *     batch's first record, which names the file it starts; -1 when unknown (then files are
 *     numbered in the order they are started)
 * @param firstNanos when the batch's first record was buffered, on the buffer's ticker: a file
 *     holding it is completed once that is flush_interval ago
 * @param packed records that follow those in {@code records}, not yet moved into its columns (see
 *     {@link #records()}); null when there are none
 */
public record Batch(BucketKey key, ColumnBatch records, long bytes, Reason reason, long firstRecord, long firstNanos,
    PackedRecords packed) {
  /** A batch without input ordinal, buffered now as far as the interval is concerned. */
  public Batch(BucketKey key, ColumnBatch records, long bytes, Reason reason) {
    this(key, records, bytes, reason, -1, Long.MAX_VALUE);
  }

  /** A batch whose records are all in {@code records}' columns. */
  public Batch(BucketKey key, ColumnBatch records, long bytes, Reason reason, long firstRecord, long firstNanos) {
    this(key, records, bytes, reason, firstRecord, firstNanos, null);
  }

  /**
   * The batch's records. Records the buffer still held packed ({@link #packed}, which follow those
   * in the columns) are moved into the columns at the first call, on the calling thread: the
   * flusher's encoder, so that the reading thread does not spend its time on it. Not thread-safe:
   * one thread at a time, as the flusher hands a batch from step to step.
   */
  @Override
  public ColumnBatch records() {
    if (packed != null && packed.records() > 0) {
      packed.unpackInto(records);
    }
    return records;
  }

  /** Why a batch left the buffer. */
  public enum Reason {
    /** The key reached buffer_size records. */
    SIZE,
    /** The key reached its share of the byte budget, or the budget forced the largest keys out. */
    BYTES,
    /** The key's oldest record reached flush_interval. */
    INTERVAL,
    /** End of input or shutdown. */
    SHUTDOWN
  }
}
