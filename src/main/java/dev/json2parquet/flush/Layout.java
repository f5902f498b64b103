package dev.json2parquet.flush;

import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.record.PathLimits;
import dev.json2parquet.record.PathTemplate;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names files: {@code <partition path>/<key slug>-<run id>-<first record>.parquet}. The partition
 * path and key slug come from the templates with every value escaped. The first record is the input
 * ordinal of the record the file starts with, 9 digits or more ({@link #file}); a file that starts
 * inside a batch (after an earlier file of the key reached its size) is named after the batch's
 * first record and the offset into it, {@code <first record>-<offset>}. So a name depends only on
 * the input and the settings, not on which thread got there first, and names never collide and
 * never contain a colon. Batches without an ordinal are numbered in the order they are named
 * ({@link #nextFile}). Thread-safe.
 *
 * <p>Limits ({@link PathLimits}): a file name is at most {@link #NAME_BYTES} bytes, so that the
 * sink's hidden temporary name {@code .NAME.inprogress} still fits in 255; the key slug is cut (with
 * a hash suffix) to what the run id and the widest sequence leave of that, so a key's slug is the
 * same in every file of the run. The partition path is at most {@link #DIR_BYTES} bytes, so the
 * whole relative path stays within {@link PathLimits#PATH_BYTES}.
 */
public final class Layout {
  /** The longest file name: 255 less the 12 bytes of {@code .} and {@code .inprogress}. */
  public static final int NAME_BYTES = PathLimits.COMPONENT_BYTES - ".".length() - ".inprogress".length();
  /** The longest partition path: what a relative path of 1,024 bytes leaves beside a file name. */
  public static final int DIR_BYTES = PathLimits.PATH_BYTES - 1 - NAME_BYTES;
  /** Room kept for the sequence: the digits of Long.MAX_VALUE, a dash and the digits of an int. */
  private static final int SEQUENCE_DIGITS = 19 + 1 + 10;

  private final PathTemplate partition;
  private final PathTemplate key;
  private final String runId;
  private final int slugBytes;
  private final AtomicLong sequence = new AtomicLong();

  /** @throws IllegalArgumentException when the run id leaves no room for a key slug */
  public Layout(PathTemplate partition, PathTemplate key, String runId) {
    this.partition = partition;
    this.key = key;
    this.runId = runId;
    this.slugBytes = NAME_BYTES - PathLimits.utf8Length("--" + runId + ".parquet") - SEQUENCE_DIGITS;
    if (slugBytes < PathLimits.SUFFIX_BYTES) {
      throw new IllegalArgumentException("Cannot name files with run id " + runId + ": it is too long");
    }
  }

  /** The run id in every file name. */
  public String runId() {
    return runId;
  }

  /** A name numbered by a run-wide counter, for batches without an input ordinal. */
  public String nextFile(BucketKey bucket) {
    return name(bucket, zeroPadded(sequence.incrementAndGet(), 6));
  }

  /**
   * The name of the file that starts at record {@code offset} of the batch whose first record has
   * input ordinal {@code firstRecord} (-1 for a batch without one: then {@link #nextFile}).
   */
  public String file(BucketKey bucket, long firstRecord, int offset) {
    if (firstRecord < 0) {
      return nextFile(bucket);
    }
    String sequence = zeroPadded(firstRecord, 9);
    return name(bucket, offset == 0 ? sequence : sequence + "-" + offset);
  }

  private String name(BucketKey bucket, String sequence) {
    String dir = PathLimits.fitPath(partition.path(bucket.partition()), DIR_BYTES);
    String slug = key.placeholders() == 0 && key.text().isEmpty()
        ? "part"
        : PathLimits.fit(key.path(bucket.key()).replace(':', '.').replace('/', '.'), slugBytes);
    String name = slug + "-" + runId + "-" + sequence + ".parquet";
    return dir.isEmpty() ? name : (dir.endsWith("/") ? dir : dir + "/") + name;
  }

  /** {@code n} in decimal, left-padded with zeros to {@code width} digits (String.format is slow to start). */
  public static String zeroPadded(long n, int width) {
    String digits = Long.toString(n);
    return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
  }
}
