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
