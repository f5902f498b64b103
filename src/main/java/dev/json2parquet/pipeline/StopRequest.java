package dev.json2parquet.pipeline;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A request to stop a conversion early (a signal): the reader stops at the next line boundary and
 * everything read is flushed and committed. The first {@link #request} wins and runs the listeners
 * (on the calling thread, in the order added: the progress bar is cleared first); later requests
 * return false so that the caller can abort at once. Thread-safe.
 */
public final class StopRequest {
  private volatile String signal;
  private volatile int exitCode;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /**
   * Asks the run to stop.
   *
   * @param signal the signal's name without {@code SIG}, e.g. {@code TERM}
   * @param exitCode the exit code the run ends with (128 + the signal's number)
   * @return true for the first request, false when a stop was already requested
   */
  public boolean request(String signal, int exitCode) {
    synchronized (this) {
      if (this.signal != null) {
        return false;
      }
      this.exitCode = exitCode;
      this.signal = signal;
    }
    for (Runnable r : listeners) {
      r.run();
    }
    return true;
  }

  /** Whether a stop was requested; one volatile read, cheap enough to ask after every line. */
  public boolean requested() {
    return signal != null;
  }

  /** The signal that stopped the run, e.g. {@code TERM}, or null. */
  public String signal() {
    return signal;
  }

  public int exitCode() {
    return exitCode;
  }

  /** Runs {@code r} when the stop is requested, or at once when it already was. */
  public void onStop(Runnable r) {
    listeners.add(r);
    if (requested()) {
      r.run();
    }
  }

  /** Forgets {@code r} (a listener of a component that has finished). */
  public void remove(Runnable r) {
    listeners.remove(r);
  }
}
