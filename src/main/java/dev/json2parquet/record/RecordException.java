package dev.json2parquet.record;

/** A line that cannot become a record; the message says why, naming the field at fault. */
public final class RecordException extends Exception {
  public RecordException(String message) {
    super(message, null, false, false);
  }
}
