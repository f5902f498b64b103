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
public final class GatedSink implements Sink {
  static volatile CountDownLatch gate = new CountDownLatch(1);
  private final Sink real;

  public GatedSink(Sink real) {
    this.real = real;
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
  public Pending create(String relativePath) throws IOException {
    Pending p = real.create(relativePath);
    return new Pending() {
      @Override
      public OutputStream stream() {
        OutputStream real = p.stream();
        return new java.io.FilterOutputStream(real) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            pass();
            real.write(b, off, len);
          }

          @Override
          public void write(int b) throws IOException {
            pass();
            real.write(b);
          }
        };
      }

      @Override
      public void commit() throws IOException {
        pass();
        p.commit();
      }

      @Override
      public void abort() {
        p.abort();
      }

      @Override
      public java.io.InputStream abortAndReadBack() throws IOException {
        return p.abortAndReadBack();
      }
    };
  }

  @Override
  public boolean readsBack() {
    return real.readsBack();
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
    real.close();
  }
}
