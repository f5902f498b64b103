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
 * @param notes lines for a person printed after the summary (where a stopped run would continue)
 */
public record RunResult(long records, long written, long deadLettered, long failed, long files, long bytesOut,
    long bytesIn, double seconds, String dlqFile, List<String> failures, String fatal, List<String> notes) {

  public RunResult(long records, long written, long deadLettered, long failed, long files, long bytesOut,
      long bytesIn, double seconds, String dlqFile, List<String> failures, String fatal) {
    this(records, written, deadLettered, failed, files, bytesOut, bytesIn, seconds, dlqFile, failures, fatal, List.of());
  }

  public boolean ok() {
    return failed == 0 && fatal == null;
  }

  // formatted by hand: java.util.Formatter takes tens of milliseconds to set up in a short run
  public String summary() {
    double mb = bytesIn / 1e6;
    StringBuilder s = new StringBuilder("json2parquet: ").append(records).append(" records read, ")
        .append(written).append(" written to ").append(files).append(" files (").append(human(bytesOut))
        .append("), ").append(deadLettered).append(" dead-lettered");
    if (deadLettered > 0) {
      s.append(" (").append(dlqFile).append(')');
    }
    s.append(", ").append(oneDecimal(seconds)).append(" s, ").append(oneDecimal(seconds > 0 ? mb / seconds : 0.0))
        .append(" MB/s");
    if (failed > 0) {
      s.append("; ").append(failed).append(" records NOT written");
    }
    return s.toString();
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
