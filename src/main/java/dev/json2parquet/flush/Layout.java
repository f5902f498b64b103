package dev.json2parquet.flush;

import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.record.PathTemplate;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names files: {@code <partition path>/<key slug>-<run id>-<sequence>.parquet}. The partition path
 * and key slug come from the templates with every value escaped; the sequence is unique within the
 * run, so names never collide and never contain a colon. Thread-safe.
 */
public final class Layout {
  private final PathTemplate partition;
  private final PathTemplate key;
  private final String runId;
  private final AtomicLong sequence = new AtomicLong();

  public Layout(PathTemplate partition, PathTemplate key, String runId) {
    this.partition = partition;
    this.key = key;
    this.runId = runId;
  }

  public String nextFile(BucketKey bucket) {
    String dir = partition.path(bucket.partition());
    String slug = key.placeholders() == 0 && key.text().isEmpty()
        ? "part"
        : key.path(bucket.key()).replace(':', '.').replace('/', '.');
    String name = slug + "-" + runId + "-" + zeroPadded(sequence.incrementAndGet(), 6) + ".parquet";
    return dir.isEmpty() ? name : (dir.endsWith("/") ? dir : dir + "/") + name;
  }

  /** {@code n} in decimal, left-padded with zeros to {@code width} digits (String.format is slow to start). */
  public static String zeroPadded(long n, int width) {
    String digits = Long.toString(n);
    return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
  }
}
