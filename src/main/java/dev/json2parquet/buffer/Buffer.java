package dev.json2parquet.buffer;

import dev.json2parquet.record.ColumnBatch;

/**
 * Holds records by key until they are flushed. Ready batches (by size, bytes or the budget) are
 * handed to the consumer given at construction, outside of any caller's control; the flusher
 * gives their memory back with {@link #release}. Implementations are thread-safe.
 */
public interface Buffer extends AutoCloseable {

  /** Adds all records of {@code record} under {@code key}; see below. */
  default void append(BucketKey key, ColumnBatch record) throws InterruptedException {
    append(key, record, record.cursor(), record.records());
  }

  /**
   * Adds the next {@code records} records of {@code src} from {@code at} on under {@code key}, and
   * moves {@code at} past them; {@code src} may be reused once this returns. Blocks while the
   * buffer is over its byte budget and the flusher has not caught up.
   */
  void append(BucketKey key, ColumnBatch src, ColumnBatch.Cursor at, int records) throws InterruptedException;

  /** Hands over every key whose oldest record has been held for the flush interval or longer. */
  int flushExpired();

  /** Hands over everything held. */
  int flushAll();

  /**
   * Hands over the keys that {@code which} selects (as {@link #flushAll} for those keys only), for
   * a flush of one key on request ({@code serve}'s {@code POST /flush?key=}). Returns the number of
   * keys handed over.
   */
  int flush(java.util.function.Predicate<BucketKey> which);

  /** The time until the next key's oldest record reaches the flush interval, in nanoseconds (the interval when nothing is held). */
  long nanosUntilNextExpiry();

  /** Called by the flusher once a batch is written (or has failed for good). */
  void release(Batch batch);

  /** Bytes held now, including batches handed over and not yet released. */
  long heldBytes();

  /** Number of keys holding records now. */
  int keys();

  @Override
  void close();
}
