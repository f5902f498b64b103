package dev.json2parquet.buffer;

import dev.json2parquet.record.ColumnBatch;
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

  private static final class Bucket {
    final ColumnBatch batch;
    final long firstNanos;
    final long firstRecord;
    long bytes;
    long used;

    Bucket(ColumnBatch batch, long firstNanos, long firstRecord) {
      this.batch = batch;
      this.firstNanos = firstNanos;
      this.firstRecord = firstRecord;
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
        int n = Math.min(left, maxRecords - b.batch.records());
        b.batch.appendFrom(src, at, n);
        left -= n;
        appended += n;
        long now = b.batch.allocatedBytes();
        bucketBytes += now - b.bytes;
        b.bytes = now;
        // used bytes are summed over the columns: measured after every run of records and every
        // single one of a key's first 64, then every 64th (the eviction count lags by less than that)
        if (n > 1 || b.batch.records() <= 64 || (b.batch.records() & 63) == 0) {
          long used = b.batch.usedBytes() + keyOverhead;
          usedBytes += used - b.used;
          b.used = used;
        }
        if (b.batch.records() >= maxRecords) {
          ready.add(detach(key, b, Batch.Reason.SIZE));
        } else if (b.used - keyOverhead >= maxBatchBytes && (n > 1 || (b.batch.records() & 63) == 0
            || b.batch.records() <= 64)) {
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
      long used = b.batch.usedBytes() + keyOverhead;
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

  /** Moves a key's bytes from held to in flight and makes its batch (the key already out of the map). */
  private Batch detached(BucketKey key, Bucket b, Batch.Reason reason) {
    bucketBytes -= b.bytes;
    usedBytes -= b.used;
    inFlightBytes += b.bytes;
    return new Batch(key, b.batch, b.bytes, reason, b.firstRecord, b.firstNanos);
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
        Bucket b = e.getValue();
        inFlightBytes += b.bytes;
        ready.add(new Batch(e.getKey(), b.batch, b.bytes, Batch.Reason.SHUTDOWN, b.firstRecord, b.firstNanos));
      }
      buckets.clear();
      bucketBytes = 0;
      usedBytes = 0;
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
