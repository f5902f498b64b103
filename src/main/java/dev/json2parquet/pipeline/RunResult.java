package dev.json2parquet.pipeline;

import java.util.List;

/**
 * What a conversion did. Reconciliation: {@code records == written + deadLettered + failed}.
 *
 * @param records non-blank input lines read
 * @param written records in committed Parquet files
 * @param deadLettered lines in the dead-letter queue
 * @param failed records that could not be written (their reasons in {@code failures})
 * @param fatal the error that stopped the run early, or null
 */
public record RunResult(long records, long written, long deadLettered, long failed, long files, long bytesOut,
    long bytesIn, double seconds, String dlqFile, List<String> failures, String fatal) {

  public boolean ok() {
    return failed == 0 && fatal == null;
  }

  public String summary() {
    double mb = bytesIn / 1e6;
    String s = String.format("json2parquet: %d records read, %d written to %d files (%s), %d dead-lettered%s, "
            + "%.1f s, %.1f MB/s",
        records, written, files, human(bytesOut), deadLettered,
        deadLettered > 0 ? " (" + dlqFile + ")" : "", seconds, seconds > 0 ? mb / seconds : 0.0);
    if (failed > 0) {
      s += String.format("; %d records NOT written", failed);
    }
    return s;
  }

  static String human(long bytes) {
    if (bytes >= 1_000_000) {
      return String.format("%.1f MB", bytes / 1e6);
    }
    if (bytes >= 1_000) {
      return String.format("%.1f kB", bytes / 1e3);
    }
    return bytes + " B";
  }
}
