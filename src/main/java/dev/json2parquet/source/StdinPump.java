package dev.json2parquet.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stream that can be stopped while its reader waits: a daemon thread reads the underlying stream
 * (stdin, whose {@code read} cannot be interrupted) in chunks of up to {@link #CHUNK} bytes into a
 * hand-off of {@link #CHUNKS} chunks; {@link #read} waits on that hand-off. After {@link #stop()},
 * {@code read} returns the chunks already taken from the OS and then ends the stream, and
 * {@link #cutShort()} tells the line reader that its last line may be incomplete. A chunk the
 * thread receives after the stream ended is kept for {@link #takeLate()}, so that nothing read from
 * the OS is silently dropped. Memory: at most {@code (CHUNKS + 1) * CHUNK} bytes. {@code read} is
 * for one thread; {@code stop} may be called from any thread.
 */
public final class StdinPump extends InputStream implements LineReader.CutShort {
  static final int CHUNK = 1 << 16;
  static final int CHUNKS = 4;

  private final InputStream in;
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private final List<byte[]> late = new ArrayList<>();
  private byte[] current = new byte[0];
  private int pos;
  /** Guarded by {@code this}. */
  private boolean eof;
  private boolean stopped;
  private boolean ended;
  private IOException error;

  public StdinPump(InputStream in) {
    this.in = in;
    Thread t = new Thread(this::pump, "stdin-pump");
    t.setDaemon(true);
    t.start();
  }

  private void pump() {
    byte[] buf = new byte[CHUNK];
    try {
      while (true) {
        int n = in.read(buf, 0, CHUNK);
        synchronized (this) {
          if (n < 0) {
            eof = true;
            notifyAll();
            return;
          }
          if (n == 0) {
            continue;
          }
          while (chunks.size() >= CHUNKS && !stopped) {
            wait();
          }
          if (ended) {
            late.add(Arrays.copyOf(buf, n));
            return;
          }
          chunks.add(Arrays.copyOf(buf, n));
          notifyAll();
          if (stopped) {
            return;
          }
        }
      }
    } catch (IOException e) {
      synchronized (this) {
        error = e;
        notifyAll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos == current.length && !next()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  private synchronized boolean next() throws IOException {
    try {
      while (chunks.isEmpty() && !eof && !stopped && error == null) {
        wait();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for stdin");
    }
    byte[] c = chunks.poll();
    if (c != null) {
      notifyAll();
      current = c;
      pos = 0;
      return true;
    }
    if (error != null && !stopped) {
      throw error;
    }
    ended = true;
    return false;
  }

  @Override
  public synchronized int available() {
    int n = current.length - pos;
    for (byte[] c : chunks) {
      n += c.length;
    }
    return n;
  }

  /** Ends the stream after the chunks already received; wakes a waiting reader. Idempotent. */
  public synchronized void stop() {
    stopped = true;
    notifyAll();
  }

  @Override
  public synchronized boolean cutShort() {
    return stopped && !(eof && chunks.isEmpty() && late.isEmpty());
  }

  /** Bytes received after the stream ended (normally none); each call returns them once. */
  public synchronized byte[] takeLate() {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (byte[] c : late) {
      all.writeBytes(c);
    }
    late.clear();
    return all.toByteArray();
  }

  /**
   * {@code in} (a stream read from this pump, such as a sample's replay or a byte counter around
   * it) marked as cut short whenever this pump is, for the line reader.
   */
  public InputStream marking(InputStream stream) {
    final class Marked extends java.io.FilterInputStream implements LineReader.CutShort {
      Marked() {
        super(stream);
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
      }

      @Override
      public boolean cutShort() {
        return StdinPump.this.cutShort();
      }
    }
    return new Marked();
  }

  /** Does not close the underlying stream: a thread may be blocked reading it. */
  @Override
  public void close() {
    stop();
  }
}
