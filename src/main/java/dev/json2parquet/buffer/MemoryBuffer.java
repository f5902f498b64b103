package dev.json2parquet.buffer;

import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.PackedRecords;
import dev.json2parquet.record.RecordSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An in-memory buffer with a byte budget over everything it holds, including batches handed to the
 * flusher but not yet written. A key is flushed when it holds {@code maxRecords} records, when it
 * uses a sixth of the budget (a quarter once array growth is counted), so that several batches can be
 * encoded while others fill, or when its
 * oldest record is {@code intervalNanos} old. When the keys' records take half of the budget the
 * largest keys are flushed until they take a quarter; if the flusher is still behind (what the keys
 * hold plus what is handed over exceeds the budget), {@link #append} waits. Memory therefore depends
 * on the budget, never on input size or key count.
 *
 * <p>Every decision to hand a key over depends only on the records appended so far, in order:
 * record counts and the bytes the records use ({@link ColumnBatch#usedBytes}, which does not depend
 * on whether a batch's arrays were reused), never on how far the flusher is behind; so the same
 * input cuts the same batches on every run. Only the interval (wall clock) depends on timing.
 *
 * <p>Written batches come back through {@link #release} and are kept (up to {@link #POOL}, counted
 * against the budget) for reuse by the next new key while few keys are held, so that a steady
 * stream does not allocate, zero and collect its largest arrays over and over.
 */
public final class MemoryBuffer implements Buffer {
  private final RecordSchema schema;
  private final int maxRecords;
  private final long maxBytes;
  private final long maxBatchBytes;
  private final long intervalNanos;
  private final Ticker ticker;
  private final Consumer<Batch> flusher;
  private final Map<BucketKey, Bucket> buckets = new HashMap<>();
  /** Bytes in buckets. */
  private long bucketBytes;
  /** Bytes handed to the flusher and not yet released. */
  private long inFlightBytes;
  private boolean closed;
  static final int POOL = 4;
  private final java.util.ArrayDeque<ColumnBatch> pool = new java.util.ArrayDeque<>();
  private long pooledBytes;
  /** Records appended so far: the next record's input ordinal. */
  private long appended;
  /** What a key costs beyond its records' used bytes in the eviction count: a new batch's arrays. */
  private final long keyOverhead;
  /** Sum over the buckets of used bytes plus {@link #keyOverhead}: what eviction decides on. */
  private long usedBytes;

  /** Runs shorter than this are packed ({@link PackedRecords}) rather than copied into the key's columns. */
  static final int PACK_BELOW = 32;
  /** A key's packed records are moved into its columns once they take this many bytes. */
  static final int UNPACK_AT = 1 << 20;

  /**
   * A key's records: in its batch's columns, followed by those still packed. Keys that get their
   * records a few at a time (thousands of keys interleaved) keep them packed until they are handed
   * over; runs of many records are copied into the columns directly.
   */
  private static final class Bucket {
    final ColumnBatch batch;
    final long firstNanos;
    final long firstRecord;
    PackedRecords packed;
    /** {@code batch.usedBytes()} and {@code batch.allocatedBytes()}, refreshed whenever records are added to its columns. */
    long batchUsed;
    long batchBytes;
    long bytes;
    long used;

    Bucket(ColumnBatch batch, long firstNanos, long firstRecord) {
      this.batch = batch;
      this.firstNanos = firstNanos;
      this.firstRecord = firstRecord;
      this.batchBytes = batch.allocatedBytes();
    }

    void add(RecordSchema schema, ColumnBatch src, ColumnBatch.Cursor at, int n) {
      if (n < PACK_BELOW) {
        if (packed == null) {
          packed = new PackedRecords(schema);
        }
        packed.append(src, at, n);
        if (packed.length() >= UNPACK_AT) {
          unpack();
        }
      } else {
        unpack();
        batch.appendFrom(src, at, n);
        batchUsed = batch.usedBytes();
        batchBytes = batch.allocatedBytes();
      }
    }

    /** Moves the packed records into the batch's columns. */
    void unpack() {
      if (packed != null && packed.records() > 0) {
        batchUsed += packed.usedBytes();
        packed.unpackInto(batch);
        batchBytes = batch.allocatedBytes();
      }
    }

    int records() {
      return packed == null ? batch.records() : batch.records() + packed.records();
    }

    /** What {@code batch.usedBytes()} would say with every record in the batch's columns. */
    long usedBytes() {
      return packed == null ? batchUsed : batchUsed + packed.usedBytes();
    }

    long allocatedBytes() {
      return packed == null ? batchBytes : batchBytes + packed.allocatedBytes();
    }
  }

  public MemoryBuffer(RecordSchema schema, int maxRecords, long maxBytes, long intervalNanos, Ticker ticker,
      Consumer<Batch> flusher) {
    if (maxRecords < 1 || maxBytes < 1 || intervalNanos < 1) {
      throw new IllegalArgumentException("Cannot create buffer: limits must be positive");
    }
    this.schema = schema;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    // arrays grow by half, so a batch using a sixth of the budget holds at most a quarter
    this.maxBatchBytes = Math.max(1, maxBytes / 6);
    this.intervalNanos = intervalNanos;
    this.ticker = ticker;
    this.flusher = flusher;
    this.keyOverhead = new ColumnBatch(schema).allocatedBytes();
  }

  @Override
  public void append(BucketKey key, ColumnBatch src, ColumnBatch.Cursor at, int records) throws InterruptedException {
    int left = records;
    while (left > 0) {
      List<Batch> ready = new ArrayList<>(1);
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("Cannot append: buffer is closed");
        }
        Bucket b = buckets.get(key);
        if (b == null) {
          b = new Bucket(newBatch(), ticker.read(), appended);
          b.used = keyOverhead;
          usedBytes += keyOverhead;
          buckets.put(key, b);
        }
        int n = Math.min(left, maxRecords - b.records());
        b.add(schema, src, at, n);
        left -= n;
        appended += n;
        int held = b.records();
        long now = b.allocatedBytes();
        bucketBytes += now - b.bytes;
        b.bytes = now;
        // used bytes are summed over the columns: measured after every run of records and every
        // single one of a key's first 64, then every 64th (the eviction count lags by less than that)
        if (n > 1 || held <= 64 || (held & 63) == 0) {
          long used = b.usedBytes() + keyOverhead;
          usedBytes += used - b.used;
          b.used = used;
        }
        if (held >= maxRecords) {
          ready.add(detach(key, b, Batch.Reason.SIZE));
        } else if (b.used - keyOverhead >= maxBatchBytes && (n > 1 || (held & 63) == 0
            || held <= 64)) {
          ready.add(detach(key, b, Batch.Reason.BYTES));
        }
        if (bucketBytes + inFlightBytes + pooledBytes > maxBytes) {
          pool.clear();
          pooledBytes = 0;
        }
        if (usedBytes > maxBytes / 2) {
          evictLargest(ready);
        }
      }
      ready.forEach(flusher);
      synchronized (this) {
        while (inFlightBytes + bucketBytes > maxBytes && inFlightBytes > 0 && !closed) {
          wait();
        }
      }
    }
  }

  private ColumnBatch newBatch() {
    ColumnBatch pooled = buckets.size() < POOL ? pool.poll() : null;
    if (pooled == null) {
      return new ColumnBatch(schema);
    }
    pooledBytes -= pooled.allocatedBytes();
    return pooled;
  }

  /**
   * Detaches the largest buckets (by used bytes, ties in input order of their first record) until
   * the buckets use at most a quarter of the budget.
   */
  private void evictLargest(List<Batch> ready) {
    List<Map.Entry<BucketKey, Bucket>> bySize = new ArrayList<>(buckets.entrySet());
    for (Map.Entry<BucketKey, Bucket> e : bySize) {
      Bucket b = e.getValue();
      long used = b.usedBytes() + keyOverhead;
      usedBytes += used - b.used;
      b.used = used;
    }
    bySize.sort((a, b) -> a.getValue().used != b.getValue().used
        ? Long.compare(b.getValue().used, a.getValue().used)
        : Long.compare(a.getValue().firstRecord, b.getValue().firstRecord));
    for (Map.Entry<BucketKey, Bucket> e : bySize) {
      if (usedBytes <= maxBytes / 4) {
        break;
      }
      ready.add(detach(e.getKey(), e.getValue(), Batch.Reason.BYTES));
    }
  }

  private Batch detach(BucketKey key, Bucket b, Batch.Reason reason) {
    buckets.remove(key);
    return detached(key, b, reason);
  }

  /**
   * Moves a key's bytes from held to in flight and makes its batch (the key already out of the
   * map). A batch whose records are all packed is handed over packed, to be moved into the columns
   * by the encoder ({@link Batch#records()}); it counts as what it takes packed, so the columns an
   * encoder fills from it (at most {@link #UNPACK_AT} bytes packed, as keys are unpacked at that
   * size) are beyond the budget: one such batch per encoder thread at a time, plus those a sink that
   * cannot read back keeps for a retry until their file is committed. Otherwise the packed records
   * are moved into the columns here, where their growth is counted.
   */
  private Batch detached(BucketKey key, Bucket b, Batch.Reason reason) {
    PackedRecords packed = null;
    if (b.packed != null && b.packed.records() > 0) {
      if (b.batch.records() == 0) {
        packed = b.packed;
      } else {
        b.unpack();
        long now = b.batchBytes; // the packed array is dropped with the bucket
        bucketBytes += now - b.bytes;
        b.bytes = now;
      }
    }
    bucketBytes -= b.bytes;
    usedBytes -= b.used;
    inFlightBytes += b.bytes;
    return new Batch(key, b.batch, b.bytes, reason, b.firstRecord, b.firstNanos, packed);
  }

  @Override
  public int flushExpired() {
    long now = ticker.read();
    return release((key, b) -> now - b.firstNanos >= intervalNanos, Batch.Reason.INTERVAL);
  }

  @Override
  public int flushAll() {
    List<Batch> ready = new ArrayList<>();
    synchronized (this) {
      for (Map.Entry<BucketKey, Bucket> e : buckets.entrySet()) {
        ready.add(detached(e.getKey(), e.getValue(), Batch.Reason.SHUTDOWN));
      }
      buckets.clear();
    }
    ready.forEach(flusher);
    return ready.size();
  }

  @Override
  public int flush(java.util.function.Predicate<BucketKey> which) {
    return release((key, b) -> which.test(key), Batch.Reason.SHUTDOWN);
  }

  /** Detaches every key {@code which} picks, as batches of {@code reason}, and hands them to the flusher. */
  private int release(java.util.function.BiPredicate<BucketKey, Bucket> which, Batch.Reason reason) {
    List<Batch> ready = new ArrayList<>();
    synchronized (this) {
      Iterator<Map.Entry<BucketKey, Bucket>> it = buckets.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<BucketKey, Bucket> e = it.next();
        if (which.test(e.getKey(), e.getValue())) {
          it.remove();
          ready.add(detached(e.getKey(), e.getValue(), reason));
        }
      }
    }
    ready.forEach(flusher);
    return ready.size();
  }

  /** The time until the next key expires, in nanoseconds (the interval when nothing is held). */
  @Override
  public synchronized long nanosUntilNextExpiry() {
    long now = ticker.read();
    long next = intervalNanos;
    for (Bucket b : buckets.values()) {
      next = Math.min(next, b.firstNanos + intervalNanos - now);
    }
    return Math.max(0, next);
  }

  @Override
  public synchronized void release(Batch batch) {
    inFlightBytes -= batch.bytes();
    if (batch.packed() != null) {
      batch.packed().clear(); // a batch never written may still hold some: not worth moving now
    }
    ColumnBatch records = batch.records();
    if (!closed && pool.size() < POOL && bucketBytes + inFlightBytes + pooledBytes + records.allocatedBytes() <= maxBytes) {
      records.clear();
      pool.add(records);
      pooledBytes += records.allocatedBytes();
    }
    notifyAll();
  }

  @Override
  public synchronized long heldBytes() {
    return bucketBytes + inFlightBytes + pooledBytes;
  }

  @Override
  public synchronized int keys() {
    return buckets.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    pool.clear();
    pooledBytes = 0;
    notifyAll();
  }
}
