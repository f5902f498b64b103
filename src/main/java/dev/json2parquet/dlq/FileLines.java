package dev.json2parquet.dlq;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The lines of a file, one at a time; the last one need not end with a line break. */
final class FileLines implements AutoCloseable {
  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  byte[] line = new byte[8192];

  FileLines(Path file) throws IOException {
    in = Files.newInputStream(file);
  }

  /** Reads the next line into {@code line}; its length, or -1 at the end. */
  int next() throws IOException {
    int len = 0;
    boolean any = false;
    while (true) {
      if (pos == limit) {
        int n = in.read(buf);
        if (n < 0) {
          return any ? len : -1;
        }
        pos = 0;
        limit = n;
      }
      any = true;
      int nl = pos;
      while (nl < limit && buf[nl] != '\n') {
        nl++;
      }
      int k = nl - pos;
      if (len + k > line.length) {
        line = Arrays.copyOf(line, Math.max(len + k, line.length * 2));
      }
      System.arraycopy(buf, pos, line, len, k);
      len += k;
      pos = nl;
      if (nl < limit) {
        pos++;
        return len;
      }
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
