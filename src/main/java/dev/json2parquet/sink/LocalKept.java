package dev.json2parquet.sink;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kept bytes of a failed file in a local temporary file: the whole prefix, written again through a
 * new file of the sink on {@link #resume}. The default of {@link Sink.Pending#keep}.
 */
final class LocalKept implements Sink.Kept {
  private Path file;
  private final long length;

  private LocalKept(Path file, long length) {
    this.file = file;
    this.length = length;
  }

  /** Copies exactly {@code length} bytes of {@code in} to a new temporary file (streamed). */
  static LocalKept copy(InputStream in, long length) throws IOException {
    Path tmp = Files.createTempFile("json2parquet-retry-", ".parquet");
    boolean ok = false;
    try (OutputStream out = Files.newOutputStream(tmp)) {
      copy(in, out, length);
      ok = true;
    } finally {
      if (!ok) {
        Files.deleteIfExists(tmp);
      }
    }
    return new LocalKept(tmp, length);
  }

  /** Copies exactly {@code n} bytes. */
  static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new EOFException("Cannot read back " + n + " bytes: only " + (n - left) + " were written");
      }
      out.write(buf, 0, r);
      left -= r;
    }
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public Sink.Pending resume(Sink sink, String relativePath) throws IOException {
    Sink.Pending p = sink.create(relativePath);
    try {
      copyLocal(p.stream());
    } catch (IOException | RuntimeException e) {
      p.abort();
      throw e;
    }
    return p;
  }

  @Override
  public void copyLocal(OutputStream out) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      copy(in, out, length);
    }
  }

  @Override
  public String resumeToken() {
    return null;
  }

  @Override
  public void discard(boolean abandon) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temporary file is harmless
      }
      file = null;
    }
  }
}
