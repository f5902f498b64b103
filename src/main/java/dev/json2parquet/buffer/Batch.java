package dev.json2parquet.buffer;

import dev.json2parquet.record.ColumnBatch;

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
 */
public record Batch(BucketKey key, ColumnBatch records, long bytes, Reason reason, long firstRecord, long firstNanos) {
  /** A batch without input ordinal, buffered now as far as the interval is concerned. */
  public Batch(BucketKey key, ColumnBatch records, long bytes, Reason reason) {
    this(key, records, bytes, reason, -1, Long.MAX_VALUE);
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
