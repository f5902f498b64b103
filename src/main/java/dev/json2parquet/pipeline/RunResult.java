package dev.json2parquet.pipeline;

import java.util.List;

/**
 * What a conversion did. Reconciliation:
 * {@code records == written + deadLettered + inRecovery + failed}.
 *
 * @param records non-blank input lines read
 * @param written records in committed Parquet files
 * @param deadLettered lines in the dead-letter queue
 * @param inRecovery records in files that could not be committed and are held in the recovery store
 * @param failed records that are lost: neither written nor held (their reasons in {@code failures})
 * @param recoverWith the command that commits the held files, for the summary
 * @param droppedFields fields left out of written records because the schema does not name them
 *     ({@code unknown_fields = drop})
 * @param fatal the error that stopped the run early, or null
 * @param notes lines for a person printed after the summary (where a stopped run would continue)
 * @param placedByIngestTime records whose event time was missing or unparseable, placed in the
 *     layout by the time they were read instead
 * @param smallFiles files written of under 1 MiB, for {@link #hint}
 * @param spread how the records spread over files, for {@link #hint}
 */
public record RunResult(long records, long written, long deadLettered, long inRecovery, long failed,
    long droppedFields, long files, long bytesOut, long bytesIn, double seconds, String dlqFile, String recoverWith,
    List<String> failures, String fatal, long placedByIngestTime, long smallFiles, List<String> notes,
    Spread spread) {

  /**
   * How the files came to be: the distinct partitions, keys and (partition, key) pairs that got a
   * file (each counted up to {@code cap}: a count at the cap means at least that many), the files
   * completed early by the open-file cap ({@code maxOpenFiles}; {@code sinkCapped}: the S3 sink set
   * it below max_open_files) and by the flush interval ({@code intervalSeconds}).
   */
  public record Spread(long partitions, long keys, long pairs, long cap, long byOpenFileCap, int maxOpenFiles,
      boolean sinkCapped, long byInterval, double intervalSeconds) {
    /** Nothing known (a run that wrote no files). */
    public static final Spread NONE = new Spread(0, 0, 0, 1, 0, 0, false, 0, 0);

    String count(long n) {
      return n >= cap ? "at least " + n : String.valueOf(n);
    }
  }

  /** Files beyond this many, most of them under 1 MiB, get a {@link #hint}. */
  public static final long MANY_FILES = 100;

  /**
   * One line on what made many small files, when more than {@link #MANY_FILES} files were written and
   * their median size is under 1 MiB (more than half of them are); else null.
   */
  public String hint() {
    if (files <= MANY_FILES || smallFiles * 2 <= files) {
      return null;
    }
    StringBuilder s = new StringBuilder("json2parquet: hint: ").append(files).append(" files, most under 1 MiB (")
        .append(written / files).append(" records per file on average)");
    Spread w = spread == null ? Spread.NONE : spread;
    List<String> fixes = new java.util.ArrayList<>();
    // a cause is named when it made at least a quarter of the files
    if (w.byOpenFileCap() * 4 >= files && w.byOpenFileCap() > 0) {
      s.append("; ").append(w.byOpenFileCap()).append(" were completed early because more than max_open_files (")
          .append(w.maxOpenFiles()).append(") were open at once");
      fixes.add("--max-open-files " + Math.max(w.pairs(), (long) w.maxOpenFiles() * 2)
          + " (one per partition and key; each open file holds about 64 KiB)"
          + (w.sinkCapped() ? " with a larger --s3-buffer-bytes (open S3 files are capped at s3_buffer_bytes / s3_part_size)" : ""));
    }
    if (w.byInterval() * 4 >= files && w.byInterval() > 0) {
      s.append("; ").append(w.byInterval()).append(" were completed by flush_interval (")
          .append(oneDecimal(w.intervalSeconds())).append(" s) before they filled");
      fixes.add("a longer --flush-interval");
    }
    if (w.pairs() > 0) {
      s.append("; the records went to ").append(w.count(w.partitions())).append(w.partitions() == 1 ? " partition" : " partitions")
          .append(" x ").append(w.count(w.keys())).append(w.keys() == 1 ? " key" : " keys").append(" = ")
          .append(w.count(w.pairs())).append(" partition-key pairs, each with files of its own");
      if (w.keys() > 1) {
        fixes.add("fewer key fields (--key)");
      }
      if (w.partitions() > 1) {
        fixes.add("a partition of fewer fields or coarser time (--partition)");
      }
    } else {
      s.append("; each partition and key gets files of its own");
      fixes.add("fewer key fields (--key)");
      fixes.add("a partition of fewer fields or coarser time (--partition)");
    }
    if (!fixes.isEmpty()) {
      s.append("; larger files: ").append(String.join(" or ", fixes));
    }
    return s.toString();
  }

  /** A run that read nothing (every input empty or blank). */
  static RunResult empty() {
    return new RunResult(0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, "", "", List.of(), null, 0, 0, List.of(), Spread.NONE);
  }

  public boolean ok() {
    return failed == 0 && inRecovery == 0 && fatal == null;
  }

  /**
   * The one-line summary, e.g. {@code json2parquet: 1 record read, 1 written to 1 file (3.6 kB),
   * 0 dead-lettered, 0.4 s}; the MB/s figure only for runs of a second or more (below that it says
   * more about the JVM's start than about the conversion). Formatted by hand: java.util.Formatter
   * takes tens of milliseconds to set up in a short run.
   */
  public String summary() {
    double mb = bytesIn / 1e6;
    StringBuilder s = new StringBuilder("json2parquet: ").append(count(records, "record", "records"))
        .append(" read, ").append(written).append(" written to ").append(count(files, "file", "files"))
        .append(" (").append(human(bytesOut)).append("), ").append(deadLettered).append(" dead-lettered");
    if (deadLettered > 0) {
      s.append(" (").append(dlqFile).append(')');
    }
    if (droppedFields > 0) {
      s.append(", ").append(count(droppedFields, "field", "fields")).append(" dropped (not in the schema)");
    }
    if (placedByIngestTime > 0) {
      s.append(", ").append(placedByIngestTime).append(" placed by ingest time (event time missing or unparseable)");
    }
    s.append(", ").append(oneDecimal(seconds)).append(" s");
    if (seconds >= 1) {
      s.append(", ").append(oneDecimal(mb / seconds)).append(" MB/s");
    }
    if (inRecovery > 0) {
      s.append("; ").append(count(inRecovery, "record", "records")).append(" in recovery (recover with: ")
          .append(recoverWith).append(')');
    }
    if (failed > 0) {
      s.append("; ").append(count(failed, "record", "records")).append(" NOT written");
    }
    return s.toString();
  }

  private static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  static String human(long bytes) {
    if (bytes >= 1_000_000) {
      return oneDecimal(bytes / 1e6) + " MB";
    }
    if (bytes >= 1_000) {
      return oneDecimal(bytes / 1e3) + " kB";
    }
    return bytes + " B";
  }

  /** {@code v} (at least 0) rounded to one decimal place, as %.1f prints it. */
  static String oneDecimal(double v) {
    long tenths = Math.round(v * 10);
    return (tenths / 10) + "." + (tenths % 10);
  }
}
