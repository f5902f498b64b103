package dev.json2parquet.it;

import dev.json2parquet.sink.Sink;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;

/**
 * Wraps the real sink and holds every write and commit until {@link #open} is called: the flusher falls
 * behind, as with a slow disk, so the buffer's budget fills. Installed through
 * {@code Sinks.TEST_WRAPPER}.
 */
public final class GatedSink extends ForwardingSink {
  static volatile CountDownLatch gate = new CountDownLatch(1);

  public GatedSink(Sink real) {
    super(real);
  }

  static void shut() {
    gate = new CountDownLatch(1);
  }

  static void open() {
    gate.countDown();
  }

  private static void pass() throws IOException {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  OutputStream stream(String relativePath, OutputStream real) {
    return new java.io.FilterOutputStream(real) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        pass();
        out.write(b, off, len);
      }

      @Override
      public void write(int b) throws IOException {
        pass();
        out.write(b);
      }
    };
  }

  @Override
  void beforeCommit(String relativePath) throws IOException {
    pass();
  }
}
