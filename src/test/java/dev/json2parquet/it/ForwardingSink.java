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

  /** Runs once the real sink has created {@code relativePath}'s pending file; nothing by default. */
  void created(String relativePath) {
  }

  /**
   * Runs once per pending file when it stops being open: committed, aborted, kept or read back for
   * recovery (a failed commit leaves it open); nothing by default.
   */
  void ended(String relativePath) {
  }

  @Override
  public final Pending create(String relativePath) throws IOException {
    Pending p = real.create(relativePath);
    created(relativePath);
    return new Pending() {
      private boolean ended;

      private void end() {
        if (!ended) {
          ended = true;
          ended(relativePath);
        }
      }

      @Override
      public OutputStream stream() {
        return ForwardingSink.this.stream(relativePath, p.stream());
      }

      @Override
      public void commit() throws IOException {
        beforeCommit(relativePath);
        p.commit();
        end();
      }

      @Override
      public void abort() {
        try {
          p.abort();
        } finally {
          end();
        }
      }

      @Override
      public InputStream abortAndReadBack() throws IOException {
        try {
          return p.abortAndReadBack();
        } finally {
          end();
        }
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
          end();
        }
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
