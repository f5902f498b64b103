package dev.json2parquet.buffer;

/** A source of monotonic nanoseconds; tests inject a fake one to move time by hand. */
@FunctionalInterface
public interface Ticker {
  long read();

  static Ticker system() {
    return System::nanoTime;
  }
}
