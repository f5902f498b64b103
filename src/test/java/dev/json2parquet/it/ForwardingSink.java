package dev.json2parquet.it;

import dev.json2parquet.sink.Sink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A test sink that passes everything to the real one, with two places to step in: the stream a
 * pending file is written through ({@link #stream}) and the moment before its commit
 * ({@link #beforeCommit}). The fault-injecting wrappers installed through {@code Sinks.TEST_WRAPPER}
 * extend it.
 */
abstract class ForwardingSink implements Sink {
  final Sink real;

  ForwardingSink(Sink real) {
    this.real = real;
  }

  /** The stream {@code relativePath} is written through; the real one by default. */
  OutputStream stream(String relativePath, OutputStream real) {
    return real;
  }

  /** Runs before {@code relativePath} is committed; throwing fails the commit. */
  abstract void beforeCommit(String relativePath) throws IOException;

  @Override
  public final Pending create(String relativePath) throws IOException {
    Pending p = real.create(relativePath);
    return new Pending() {
      @Override
      public OutputStream stream() {
        return ForwardingSink.this.stream(relativePath, p.stream());
      }

      @Override
      public void commit() throws IOException {
        beforeCommit(relativePath);
        p.commit();
      }

      @Override
      public void abort() {
        p.abort();
      }

      @Override
      public InputStream abortAndReadBack() throws IOException {
        return p.abortAndReadBack();
      }

      @Override
      public void pause() throws IOException {
        p.pause();
      }

      @Override
      public Kept keep(long length) throws IOException {
        return p.keep(length);
      }
    };
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
