package dev.json2parquet.cli;

/** The one table of exit codes. */
public final class ExitCodes {
  private ExitCodes() {}

  /** Every record was written. */
  public static final int OK = 0;
  /** Failure: the message says what was and was not written. */
  public static final int FAILURE = 1;
  /** Usage or configuration error; nothing was written. */
  public static final int USAGE = 2;
  /** Finished, but some records went to the dead-letter queue. */
  public static final int DEAD_LETTERED = 3;
  /** Stopped by SIGHUP after committing what was read (128 + signal number, as shells report it). */
  public static final int HANGUP = 129;
  /** Stopped by SIGINT (Ctrl-C) after committing what was read. */
  public static final int INTERRUPTED = 130;
  /** Stopped by SIGTERM after committing what was read. */
  public static final int TERMINATED = 143;

}
