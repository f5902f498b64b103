package dev.json2parquet.it;

import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the real sink and counts the files open in it at once (created, not yet committed, kept or
 * aborted): for an S3 sink, the files that may each hold a part buffer. Installed through
 * {@link Sinks#TEST_WRAPPER} by {@link #around}.
 */
public final class OpenFilesProbe extends ForwardingSink {
  static final AtomicInteger open = new AtomicInteger();
  static final AtomicInteger most = new AtomicInteger();
  static final AtomicInteger created = new AtomicInteger();
  /** The most bytes the S3 sink's paused part buffers held at once (its field, read when it closes). */
  static final java.util.concurrent.atomic.AtomicLong pausedPeak = new java.util.concurrent.atomic.AtomicLong(-1);

  public OpenFilesProbe(Sink real) {
    super(real);
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
  void beforeCommit(String relativePath) {
  }

  @Override
  void created(String relativePath) {
    created.incrementAndGet();
    most.accumulateAndGet(open.incrementAndGet(), Math::max);
  }

  @Override
  void ended(String relativePath) {
    open.decrementAndGet();
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
