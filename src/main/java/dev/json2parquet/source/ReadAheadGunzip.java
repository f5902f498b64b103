package dev.json2parquet.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.GZIPInputStream;

/**
 * Gzip-decompressed bytes, inflated ahead of the reader on a daemon thread of its own, so that
 * inflating and parsing use two cores. The thread fills {@code chunks} reused buffers of
 * {@code chunkBytes} and hands each over through a blocking queue; {@link #read} copies out of the
 * current buffer and hands it back once empty. Memory is those buffers, whatever the input size.
 *
 * <p>Inflating is the JDK's {@link GZIPInputStream}, which also decodes concatenated members
 * ({@code cat a.gz b.gz}). In JDK 17 it looks for a next member only while the compressed stream
 * reports {@code available() > 0}, which holds for files, where {@code .gz} inputs come from.
 *
 * <p>Corrupt or truncated data and I/O errors reach the reader as an {@link IOException} from
 * {@code read} that names the input; so does every later {@code read}. {@link #close} stops the
 * thread, closes the compressed stream and returns once the thread has ended, at the end of the
 * data or before it. One reading thread.
 */
final class ReadAheadGunzip extends InputStream {
  static final int CHUNK_BYTES = 1 << 20;
  static final int CHUNKS = 4;

  /** A buffer with its filled length; or, with no buffer, the end of the data or an error. */
  private static final class Chunk {
    final byte[] bytes;
    int length;
    final IOException error;

    Chunk(byte[] bytes, IOException error) {
      this.bytes = bytes;
      this.error = error;
    }
  }

  private static final Chunk END = new Chunk(null, null);

  private final String name;
  private final InputStream compressed;
  private final BlockingQueue<Chunk> empty;
  /** Room for every buffer plus the end or error that follows them, so handing over never waits on room. */
  private final BlockingQueue<Chunk> filled;
  private final Thread thread;
  private Chunk current;
  private int position;
  private IOException failure;
  private boolean ended;
  private boolean closed;

  ReadAheadGunzip(InputStream compressed, String name) {
    this(compressed, name, CHUNK_BYTES, CHUNKS);
  }

  ReadAheadGunzip(InputStream compressed, String name, int chunkBytes, int chunks) {
    this.name = name;
    this.compressed = compressed;
    this.empty = new ArrayBlockingQueue<>(chunks);
    this.filled = new ArrayBlockingQueue<>(chunks + 1);
    for (int i = 0; i < chunks; i++) {
      empty.add(new Chunk(new byte[chunkBytes], null));
    }
    this.thread = new Thread(this::inflate, "gunzip " + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** The thread: inflates into empty buffers until the data ends, fails or the reader closes. */
  private void inflate() {
    // opened here, so that a bad header also reaches the reader through the queue
    try (InputStream gzip = new GZIPInputStream(compressed, 1 << 16)) {
      while (true) {
        Chunk chunk = empty.take();
        chunk.length = 0;
        try {
          int n;
          while (chunk.length < chunk.bytes.length
              && (n = gzip.read(chunk.bytes, chunk.length, chunk.bytes.length - chunk.length)) > 0) {
            chunk.length += n;
          }
        } finally {
          // what was inflated before an error still reaches the reader, ahead of the error
          if (chunk.length > 0) {
            filled.add(chunk);
          }
        }
        if (chunk.length < chunk.bytes.length) {
          filled.add(END);
          return;
        }
      }
    } catch (InterruptedException | ClosedByInterruptException e) {
      // the reader closed the stream
    } catch (IOException e) {
      filled.add(new Chunk(null, e));
    } catch (RuntimeException | Error e) {
      filled.add(new Chunk(null, new IOException(e.toString(), e)));
    }
  }

  @Override
  public int read() throws IOException {
    if (!readable()) {
      return -1;
    }
    return current.bytes[position++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (!readable()) {
      return -1;
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current.bytes, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.length - position;
  }

  /** Makes {@code current} hold unread bytes; false at the end of the data. */
  private boolean readable() throws IOException {
    if (closed) {
      throw new IOException("Cannot read " + name + ": stream closed");
    }
    if (current != null && position < current.length) {
      return true;
    }
    if (failure != null) {
      throw failure;
    }
    if (ended) {
      return false;
    }
    if (current != null) {
      empty.add(current);
      current = null;
    }
    Chunk next;
    try {
      next = filled.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Interrupted while reading " + name);
    }
    if (next == END) {
      ended = true;
      return false;
    }
    if (next.error != null) {
      failure = new IOException("Cannot decompress " + name + ": " + next.error.getMessage(), next.error);
      throw failure;
    }
    current = next;
    position = 0;
    return true;
  }

  /** Whether the inflating thread still runs; for tests. */
  boolean inflating() {
    return thread.isAlive();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    thread.interrupt();
    // unblocks a thread waiting on the compressed stream (the thread closes it too: closing twice is harmless)
    compressed.close();
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
