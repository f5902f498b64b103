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
 * @param fatal the error that stopped the run early, or null
 */
public record RunResult(long records, long written, long deadLettered, long inRecovery, long failed, long files,
    long bytesOut, long bytesIn, double seconds, String dlqFile, String recoverWith, List<String> failures,
    String fatal) {

  public boolean ok() {
    return failed == 0 && inRecovery == 0 && fatal == null;
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
    if (inRecovery > 0) {
      s.append("; ").append(inRecovery).append(" records in recovery (recover with: ").append(recoverWith).append(')');
    }
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
