package dev.json2parquet.pipeline;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A progress bar on stderr for a terminal: appears once a run has taken more than 1.5 s, shows bytes
 * read of the total when it is known, and is erased at the end.
 */
final class Progress implements AutoCloseable {
  private static final long SHOW_AFTER_NANOS = 1_500_000_000L;
  private final PrintStream err;
  private final long total;
  private final LongSupplier read;
  private final long startNanos = System.nanoTime();
  private final Thread thread;
  private volatile boolean running = true;
  private boolean shown;

  Progress(PrintStream err, long total, LongSupplier read) {
    this.err = err;
    this.total = total;
    this.read = read;
    this.thread = new Thread(this::run, "progress");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    Object lock = new Object();
    while (running) {
      synchronized (lock) {
        try {
          lock.wait(250);
        } catch (InterruptedException e) {
          return;
        }
      }
      long elapsed = System.nanoTime() - startNanos;
      if (running && elapsed > SHOW_AFTER_NANOS) {
        draw(elapsed);
      }
    }
  }

  private synchronized void draw(long elapsed) {
    if (!running) {
      return;
    }
    long n = read.getAsLong();
    double rate = n / 1e6 / (elapsed / 1e9);
    StringBuilder sb = new StringBuilder("\r");
    if (total > 0) {
      int width = 30;
      int done = (int) Math.min(width, width * n / total);
      sb.append('[').append("#".repeat(done)).append(" ".repeat(width - done)).append("] ")
          .append(String.format("%3d%% %s of %s", 100 * n / total, RunResult.human(n), RunResult.human(total)));
    } else {
      sb.append(RunResult.human(n)).append(" read");
    }
    sb.append(String.format(" %.1f MB/s ", rate));
    err.print(sb);
    err.flush();
    shown = true;
  }

  /** Stops drawing and erases the bar; from any thread (a signal handler's too), idempotent. */
  void clear() {
    synchronized (this) {
      running = false;
      if (shown) {
        err.print("\r" + " ".repeat(100) + "\r");
        err.flush();
        shown = false;
      }
    }
    thread.interrupt();
  }

  @Override
  public void close() throws InterruptedException {
    clear();
    thread.join();
  }
}
