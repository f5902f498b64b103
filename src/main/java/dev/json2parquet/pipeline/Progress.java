package dev.json2parquet.pipeline;

import java.io.PrintStream;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * A progress bar on stderr for a terminal: appears once a run has taken more than 1.5 s, shows bytes
 * read of the total when it is known, then, once reading has ended, how many files are still being
 * written; it fits in the terminal's width (never reaching the last column, so that no terminal
 * wraps it) and is erased at the end. Drawn from its own daemon thread; {@link #finishing} and
 * {@link #close} may be called from any one other thread.
 */
final class Progress implements AutoCloseable {
  private static final long SHOW_AFTER_NANOS = 1_500_000_000L;
  private static final int MAX_BAR = 30;
  private static final int MIN_BAR = 5;
  private final PrintStream err;
  private final long total;
  private final LongSupplier read;
  private final int width;
  private final long startNanos = System.nanoTime();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile IntSupplier filesLeft;
  private int drawnLength;

  /**
   * @param total bytes the inputs hold, or -1 when unknown (stdin)
   * @param read bytes read so far
   * @param width the terminal's width in columns
   */
  Progress(PrintStream err, long total, LongSupplier read, int width) {
    this.err = err;
    this.total = total;
    this.read = read;
    this.width = width;
    this.thread = new Thread(this::run, "progress");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Reading has ended: from now on the bar says how many files {@code filesLeft} still has to write. */
  void finishing(IntSupplier filesLeft) {
    this.filesLeft = filesLeft;
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
    IntSupplier left = filesLeft;
    String line = render(read.getAsLong(), total, elapsed / 1e9, width, left == null ? -1 : left.getAsInt());
    StringBuilder sb = new StringBuilder("\r").append(line);
    // blank out what a longer previous line left behind
    sb.append(" ".repeat(Math.max(0, drawnLength - line.length())));
    err.print(sb);
    err.flush();
    drawnLength = Math.max(drawnLength, line.length());
  }

  /**
   * One line of the bar, at most {@code width - 1} characters: while reading ({@code filesLeft} -1)
   * {@code [#####     ] 45% 12.3 MB of 27.0 MB, 8.1 MB/s} (without the bar and the total when the
   * total is unknown), dropping the rate, then the total, then the bar as the width shrinks; after
   * reading, {@code writing the last 12 files...}.
   */
  static String render(long read, long total, double seconds, int width, int filesLeft) {
    int room = Math.max(1, width - 1);
    if (filesLeft >= 0) {
      String s = filesLeft == 0 ? "finishing..." : filesLeft == 1 ? "writing the last file..."
          : "writing the last " + filesLeft + " files...";
      return cut(s, room);
    }
    String rate = seconds > 0 ? ", " + RunResult.oneDecimal(read / 1e6 / seconds) + " MB/s" : "";
    if (total <= 0) {
      String s = RunResult.human(read) + " read";
      return cut(s.length() + rate.length() <= room ? s + rate : s, room);
    }
    String percent = Math.min(100, 100 * read / total) + "%";
    String[] texts = {
        percent + " " + RunResult.human(read) + " of " + RunResult.human(total) + rate,
        percent + " " + RunResult.human(read) + " of " + RunResult.human(total),
        percent + " " + RunResult.human(read),
        percent};
    for (String text : texts) {
      int bar = Math.min(MAX_BAR, room - text.length() - 3);
      if (bar >= MIN_BAR) {
        int done = (int) Math.min(bar, bar * read / total);
        return "[" + "#".repeat(done) + " ".repeat(bar - done) + "] " + text;
      }
    }
    for (String text : texts) {
      if (text.length() <= room) {
        return text;
      }
    }
    return cut(percent, room);
  }

  private static String cut(String s, int room) {
    return s.length() <= room ? s : s.substring(0, room);
  }

  /** Stops drawing and erases the bar; from any thread (a signal handler's too), idempotent. */
  void clear() {
    synchronized (this) {
      running = false;
      if (drawnLength > 0) {
        err.print("\r" + " ".repeat(drawnLength) + "\r");
        err.flush();
        drawnLength = 0;
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
