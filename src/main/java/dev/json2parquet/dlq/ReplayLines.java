package dev.json2parquet.dlq;

import dev.json2parquet.source.Input;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The raw lines of the replayable envelopes, each followed by a line break, after one blank
 * line (so that a line starting with a byte order mark keeps it: the line reader drops a BOM
 * only at the start of its input). Keeps the origins of the lines it has yielded whose line break
 * the reader may not have handled yet: the line reader handles every complete line it holds
 * before it reads again, so at each read the origins of lines already yielded whole are dropped,
 * which bounds them by one read's worth of lines.
 */
final class ReplayLines extends InputStream implements Input.Origins {
  private static final int EXAMPLES = 10;

  private record Pending(long lineNumber, Input.Origin origin, boolean whole) {}

  /** The envelopes of a store in store order, read one at a time (a file store's files, a Redis store's streams). */
  interface Letters extends AutoCloseable {
    /** The next readable envelope, or null at the end; unreadable entries are skipped. */
    DeadLetter next() throws IOException;

    @Override
    void close() throws IOException;
  }

  private final DeadLetterFilter filter;
  private final Letters letters;
  private final ArrayDeque<Pending> origins = new ArrayDeque<>();
  private byte[] chunk = {'\n'};
  private int pos;
  private long lineNumber = 1; // of the line in chunk
  private Input.Origin chunkOrigin;
  long replayed;
  long notReplayable;
  final List<String> examples = new ArrayList<>();

  ReplayLines(DeadLetterFilter filter, Letters letters) {
    this.filter = filter;
    this.letters = letters;
  }

  /** Loads the next replayable line into chunk; false at the end. */
  private boolean advance() throws IOException {
    DeadLetter d = null;
    while (d == null) {
      DeadLetter e = letters.next();
      if (e == null) {
        return false;
      }
      if (!filter.test(e)) {
        continue;
      }
      String why = e.whyNotReplayable();
      if (why == null) {
        d = e;
      } else {
        notReplayable++;
        if (examples.size() < EXAMPLES) {
          examples.add(e.source() + ":" + e.line() + ": " + why);
        }
      }
    }
    chunk = Arrays.copyOf(d.raw(), d.raw().length + 1);
    chunk[chunk.length - 1] = '\n';
    pos = 0;
    lineNumber++;
    chunkOrigin = new Input.Origin(d.source(), d.line());
    origins.add(new Pending(lineNumber, chunkOrigin, false));
    replayed++;
    return true;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (!origins.isEmpty() && origins.peek().whole()) {
      origins.poll();
    }
    int n = 0;
    while (n < len) {
      if (pos == chunk.length && !advance()) {
        break;
      }
      int k = Math.min(len - n, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off + n, k);
      pos += k;
      n += k;
      if (pos == chunk.length && chunkOrigin != null) {
        origins.pollLast();
        origins.add(new Pending(lineNumber, chunkOrigin, true));
        chunkOrigin = null;
      }
    }
    return n == 0 && len > 0 ? -1 : n;
  }

  @Override
  public int available() {
    return chunk.length - pos;
  }

  @Override
  public void close() throws IOException {
    letters.close();
  }

  @Override
  public Input.Origin of(long line) {
    while (!origins.isEmpty() && origins.peek().lineNumber() < line) {
      origins.poll(); // asked in increasing order: never asked again
    }
    Pending p = origins.peek();
    return p != null && p.lineNumber() == line ? p.origin() : null;
  }
}
