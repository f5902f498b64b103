package dev.json2parquet.buffer;

import dev.json2parquet.record.ColumnBatch;

/**
 * Records of one key taken from the buffer to be written as one file. The buffer keeps counting
 * {@code bytes} against its budget until {@link Buffer#release(Batch)} is called.
 *
 * @param reason what triggered the flush, for logs and tests
 */
public record Batch(BucketKey key, ColumnBatch records, long bytes, Reason reason) {
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
