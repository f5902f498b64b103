package dev.json2parquet.flush;

import dev.json2parquet.buffer.Buffer;

/**
 * A thread that hands over each key as soon as its oldest record reaches the flush interval: it
 * sleeps until the next key's deadline (at most a second at a time, so a key is never held much
 * past its interval), not for a fixed period that could double the wait. With a rolling
 * {@link Flusher} it also completes the open files whose oldest record reached the interval.
 */
public final class IntervalFlusher implements AutoCloseable {
  private final Buffer buffer;
  private final Flusher files;
  private final Thread thread;
  private volatile boolean running = true;

  public IntervalFlusher(Buffer buffer) {
    this(buffer, null);
  }

  /** Also completes {@code files}' expired files (null: none). */
  public IntervalFlusher(Buffer buffer, Flusher files) {
    this.buffer = buffer;
    this.files = files;
    this.thread = new Thread(this::run, "interval-flusher");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    final Object lock = new Object();
    while (running) {
      buffer.flushExpired();
      long waitNanos = Math.min(buffer.nanosUntilNextExpiry(), 1_000_000_000L);
      if (files != null) {
        files.completeExpired();
        waitNanos = Math.min(waitNanos, files.nanosUntilNextExpiry());
      }
      synchronized (lock) {
        try {
          if (running && waitNanos > 0) {
            lock.wait(Math.max(1, waitNanos / 1_000_000), 0);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }
}
