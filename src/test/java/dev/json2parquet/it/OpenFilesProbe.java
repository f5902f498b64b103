package dev.json2parquet.it;

import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the real sink and counts the files open in it at once (created, not yet committed, kept or
 * aborted): for an S3 sink, the files that may each hold a part buffer. Installed through
 * {@link Sinks#TEST_WRAPPER} by {@link #around}.
 */
public final class OpenFilesProbe implements Sink {
  static final AtomicInteger open = new AtomicInteger();
  static final AtomicInteger most = new AtomicInteger();
  static final AtomicInteger created = new AtomicInteger();
  /** The most bytes the S3 sink's paused part buffers held at once (its field, read when it closes). */
  static final java.util.concurrent.atomic.AtomicLong pausedPeak = new java.util.concurrent.atomic.AtomicLong(-1);
  private final Sink real;

  public OpenFilesProbe(Sink real) {
    this.real = real;
  }

  /** Runs {@code body} with every sink opened meanwhile wrapped in a probe, the counts reset first. */
  static <T> T around(java.util.concurrent.Callable<T> body) throws Exception {
    open.set(0);
    most.set(0);
    pausedPeak.set(-1);
    created.set(0);
    System.setProperty(Sinks.TEST_WRAPPER, OpenFilesProbe.class.getName());
    try {
      return body.call();
    } finally {
      System.clearProperty(Sinks.TEST_WRAPPER);
    }
  }

  @Override
  public Pending create(String relativePath) throws IOException {
    Pending p = real.create(relativePath);
    created.incrementAndGet();
    most.accumulateAndGet(open.incrementAndGet(), Math::max);
    return new Pending() {
      private boolean closed;

      private void closed() {
        if (!closed) {
          closed = true;
          open.decrementAndGet();
        }
      }

      @Override
      public OutputStream stream() {
        return p.stream();
      }

      @Override
      public void commit() throws IOException {
        p.commit();
        closed();
      }

      @Override
      public void abort() {
        p.abort();
        closed();
      }

      @Override
      public void pause() throws IOException {
        p.pause();
      }

      @Override
      public Kept keep(long length) throws IOException {
        try {
          return p.keep(length);
        } finally {
          closed();
        }
      }
    };
  }

  @Override
  public boolean readsBack() {
    return real.readsBack();
  }

  @Override
  public int maxOpenFiles() {
    return real.maxOpenFiles();
  }

  @Override
  public Pending resume(String token, String relativePath) throws IOException {
    return real.resume(token, relativePath);
  }

  @Override
  public long removeRun(String runId) throws IOException {
    return real.removeRun(runId);
  }

  @Override
  public boolean delete(String relativePath) throws IOException {
    return real.delete(relativePath);
  }

  @Override
  public String locate(String relativePath) {
    return real.locate(relativePath);
  }

  @Override
  public void close() throws IOException {
    try {
      java.lang.reflect.Field f = real.getClass().getDeclaredField("pausedPeak");
      f.setAccessible(true);
      pausedPeak.set(((java.util.concurrent.atomic.AtomicLong) f.get(real)).get());
    } catch (ReflectiveOperationException e) {
      // not an S3 sink
    }
    real.close();
  }
}
