package dev.json2parquet.flush;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** What the flusher has done; safe to read from any thread. */
public final class FlushStats {
  final LongAdder records = new LongAdder();
  final LongAdder files = new LongAdder();
  final LongAdder bytes = new LongAdder();
  final LongAdder failedRecords = new LongAdder();
  final LongAdder inRecovery = new LongAdder();
  final LongAdder recoveryFiles = new LongAdder();
  final LongAdder smallFiles = new LongAdder();
  /** Files completed because the open-file cap needed room, or because their oldest record waited flush_interval. */
  final LongAdder completedByOpenFileCap = new LongAdder();
  final LongAdder completedByInterval = new LongAdder();
  /** Distinct partitions, keys and (partition, key) pairs that got a file, counted up to {@link #DISTINCT_CAP}. */
  private final java.util.Set<Long> partitions = new java.util.HashSet<>();
  private final java.util.Set<Long> keys = new java.util.HashSet<>();
  private final java.util.Set<Long> pairs = new java.util.HashSet<>();
  /**
   * Distinct values are counted up to this many each (as 64-bit hashes, about 50 bytes apiece), so
   * that the count costs a bounded amount of memory whatever the key count; a count at the cap means
   * at least that many.
   */
  public static final int DISTINCT_CAP = 10_000;
  /** Files under this size count as small ({@link #smallFiles}). */
  public static final long SMALL_FILE_BYTES = 1L << 20;
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  public long records() {
    return records.sum();
  }

  public long files() {
    return files.sum();
  }

  public long bytes() {
    return bytes.sum();
  }

  /** Files written of fewer than {@link #SMALL_FILE_BYTES} bytes. */
  public long smallFiles() {
    return smallFiles.sum();
  }

  /** Files completed early because {@code max_open_files} files were open and another key needed one. */
  public long completedByOpenFileCap() {
    return completedByOpenFileCap.sum();
  }

  /** Files completed because their oldest record had waited {@code flush_interval}. */
  public long completedByInterval() {
    return completedByInterval.sum();
  }

  /** Distinct partitions that got a file, up to {@link #DISTINCT_CAP}. */
  public synchronized long partitions() {
    return partitions.size();
  }

  /** Distinct keys (the key template's values) that got a file, up to {@link #DISTINCT_CAP}. */
  public synchronized long keys() {
    return keys.size();
  }

  /** Distinct (partition, key) pairs that got a file, up to {@link #DISTINCT_CAP}. */
  public synchronized long pairs() {
    return pairs.size();
  }

  /** Counts the partition and key of a file being opened (called by the flusher, under its lock). */
  synchronized void opened(java.util.List<String> partition, java.util.List<String> key) {
    long p = hash64(partition, 0x9E3779B97F4A7C15L);
    long k = hash64(key, 0xC2B2AE3D27D4EB4FL);
    add(partitions, p);
    add(keys, k);
    add(pairs, p * 31 + k);
  }

  private static void add(java.util.Set<Long> set, long h) {
    if (set.size() < DISTINCT_CAP) {
      set.add(h);
    }
  }

  /** A 64-bit hash of the values (FNV-1a over their chars, seeded), so that distinct counts rarely collide. */
  private static long hash64(java.util.List<String> values, long seed) {
    long h = seed;
    for (String v : values) {
      if (v == null) {
        h = (h ^ 0x1F) * 0x100000001B3L;
        continue;
      }
      for (int i = 0; i < v.length(); i++) {
        h = (h ^ v.charAt(i)) * 0x100000001B3L;
      }
      h = (h ^ 0x1E) * 0x100000001B3L; // a separator, so that ("ab", "c") and ("a", "bc") differ
    }
    return h;
  }

  /** Records that are lost: neither written nor held in the recovery store. */
  public long failedRecords() {
    return failedRecords.sum();
  }

  /** Records of batches that failed every attempt and are held in the recovery store. */
  public long recordsInRecovery() {
    return inRecovery.sum();
  }

  /** Files held in the recovery store. */
  public long filesInRecovery() {
    return recoveryFiles.sum();
  }

  /** Messages about records that are lost: neither written nor held in the recovery store. */
  public List<String> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  /**
   * Counts what {@code serve}'s Redis flush rounds wrote ({@code RedisFlush} keeps no FlushStats of
   * its own), and its problems (batches in the recovery store, Redis errors) as failures.
   */
  public void addRedis(long records, long files, List<String> problems) {
    this.records.add(records);
    this.files.add(files);
    synchronized (problems) {
      failures.addAll(problems);
    }
  }

  void fail(String message) {
    failures.add(message);
  }
}
