package dev.json2parquet.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

final class CountingInputStream extends FilterInputStream {
  private final Input.ByteCounter counter;

  CountingInputStream(InputStream in, Input.ByteCounter counter) {
    super(in);
    this.counter = counter;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      counter.add(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      counter.add(n);
    }
    return n;
  }
}
