package dev.json2parquet.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it. Accepts LF and CRLF endings and a UTF-8
 * byte order mark at the start; skips blank and whitespace-only lines (their numbers still count).
 * A line longer than {@code maxLineBytes} is not held in memory: the handler gets its first
 * {@link #OVERSIZE_PREFIX} bytes and its full length. Not thread-safe.
 */
public final class LineReader {
  /** How much of an oversized line is kept for the dead-letter queue. */
  public static final int OVERSIZE_PREFIX = 64 * 1024;

  /** Receives lines; {@code buf} is valid only during the call. */
  public interface Handler {
    void line(byte[] buf, int off, int len, long lineNumber) throws IOException;

    void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException;

    /** Called before a read that may block (no input is available yet): pass on what is held. */
    default void idle() throws IOException {}

    /**
     * The last line of an input that was cut short (see {@link CutShort}): it has no line break and
     * may be incomplete. {@code len} bytes of {@code totalBytes} are kept. Defaults to {@link #line}.
     */
    default void cut(byte[] buf, int off, int len, long totalBytes, long lineNumber) throws IOException {
      line(buf, off, len, lineNumber);
    }

    /**
     * Called after each line break: the next line, number {@code nextLine}, starts at byte
     * {@code offset} of the decoded input. A handler that records progress records it here, on a
     * line boundary. The default does nothing.
     */
    default void boundary(long offset, long nextLine) throws IOException {}
  }

  /** A stream that may end early because reading was stopped, not because its input ended. */
  public interface CutShort {
    /** Whether the end of this stream was caused by a stop rather than by the end of its input. */
    boolean cutShort();
  }

  /**
   * A place in an input: {@code offset} bytes of the decoded stream and the number of the line that
   * starts there (1-based).
   */
  public record Position(long offset, long line) {
    public static final Position START = new Position(0, 1);
  }

  /**
   * Where a read ended: {@code next} is the position after the last line handed to the handler;
   * {@code atEnd} whether the input was read to its end (false when stopped or cut short).
   */
  public record Ended(Position next, boolean atEnd) {}

  private final int maxLineBytes;
  private byte[] buf;

  public LineReader(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
    this.buf = new byte[1 << 20];
  }

  /** Reads {@code in} to its end, calling the handler for each non-blank line. */
  public void read(InputStream in, Handler handler) throws IOException {
    read(in, handler, Position.START, () -> false);
  }

  /**
   * Reads {@code in}, which is positioned at {@code from} of its input, to its end or until
   * {@code stop} returns true; {@code stop} is asked after each line and before each read, so a
   * stop always falls on a line boundary (a byte order mark is looked for only at offset 0).
   */
  public Ended read(InputStream in, Handler handler, Position from, java.util.function.BooleanSupplier stop)
      throws IOException {
    int start = 0; // start of the current line in buf
    int limit = 0; // end of valid data in buf
    int scan = 0; // where to continue looking for '\n'
    long base = from.offset(); // offset in the input of buf[0]
    long lineNumber = from.line();
    boolean first = from.offset() == 0;
    long skipping = -1; // >= 0: bytes seen so far of an oversized line being skipped
    byte[] prefix = null;
    int prefixLen = 0;
    byte lastSkipped = 0; // the last byte of an oversized line skipped so far
    while (true) {
      int nl = indexOfNewline(buf, scan, limit);
      if (nl >= 0) {
        if (skipping >= 0) {
          prefixLen = keep(prefix, prefixLen, start, nl);
          skipping += nl - start;
          if (lastByte(start, nl, lastSkipped) == '\r') {
            skipping--; // the line's length, like a line found whole, leaves out a CR before the LF
          }
          handler.oversized(prefix, prefixLen, skipping, lineNumber);
          skipping = -1;
          prefix = null;
        } else {
          if (first) {
            start = skipBom(start, nl);
            first = false;
          }
          emit(handler, start, nl, lineNumber);
        }
        lineNumber++;
        start = nl + 1;
        scan = start;
        handler.boundary(base + start, lineNumber);
        if (stop.getAsBoolean()) {
          return new Ended(new Position(base + start, lineNumber), false);
        }
        continue;
      }
      // no newline in [scan, limit): the line continues; one byte of slack for a CR before its LF
      if (skipping < 0 && limit - start > maxLineBytes + 1) {
        prefix = new byte[OVERSIZE_PREFIX];
        prefixLen = 0;
        skipping = 0;
      }
      if (skipping >= 0) {
        prefixLen = keep(prefix, prefixLen, start, limit);
        if (limit > start) {
          lastSkipped = buf[limit - 1];
        }
        skipping += limit - start;
        start = limit;
      }
      if (start > 0) {
        System.arraycopy(buf, start, buf, 0, limit - start);
        limit -= start;
        base += start;
        start = 0;
      }
      if (limit == 0 && skipping < 0 && stop.getAsBoolean()) {
        return new Ended(new Position(base, lineNumber), false);
      }
      scan = limit;
      if (limit == buf.length) {
        // only reached while a line of at most maxLineBytes is still being assembled
        buf = Arrays.copyOf(buf, Math.max(buf.length + 1, Math.min(buf.length * 2, maxLineBytes + 2)));
      }
      if (in.available() <= 0) {
        handler.idle();
      }
      int n = in.read(buf, limit, buf.length - limit);
      if (n < 0) {
        break;
      }
      limit += n;
    }
    boolean cut = in instanceof CutShort c && c.cutShort();
    if (skipping >= 0) {
      if (lastSkipped == '\r') {
        skipping--;
      }
      if (cut) {
        handler.cut(prefix, 0, prefixLen, skipping, lineNumber);
      } else {
        handler.oversized(prefix, prefixLen, skipping, lineNumber);
      }
    } else if (limit > start) {
      if (first) {
        start = skipBom(start, limit);
      }
      if (cut) {
        handler.cut(buf, start, Math.min(limit - start, OVERSIZE_PREFIX), limit - start, lineNumber);
      } else {
        emit(handler, start, limit, lineNumber);
      }
    } else {
      return new Ended(new Position(base + limit, lineNumber), !cut);
    }
    return new Ended(new Position(base + limit, lineNumber + 1), !cut);
  }

  /** Copies {@code buf[from, to)} into the prefix while it has room; returns its new length. */
  private int keep(byte[] prefix, int prefixLen, int from, int to) {
    int n = Math.min(to - from, prefix.length - prefixLen);
    if (n > 0) {
      System.arraycopy(buf, from, prefix, prefixLen, n);
    }
    return prefixLen + Math.max(n, 0);
  }

  /** The last byte of a skipped line that ends at {@code buf[nl]}, looking back past this buffer if needed. */
  private byte lastByte(int start, int nl, byte lastSkipped) {
    return nl > start ? buf[nl - 1] : lastSkipped;
  }

  private int skipBom(int start, int end) {
    if (end - start >= 3 && buf[start] == (byte) 0xEF && buf[start + 1] == (byte) 0xBB
        && buf[start + 2] == (byte) 0xBF) {
      return start + 3;
    }
    return start;
  }

  private void emit(Handler handler, int start, int end, long lineNumber) throws IOException {
    if (end > start && buf[end - 1] == '\r') {
      end--;
    }
    for (int i = start; i < end; i++) {
      byte b = buf[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        if (end - start > maxLineBytes) {
          handler.oversized(Arrays.copyOfRange(buf, start, start + Math.min(OVERSIZE_PREFIX, end - start)),
              Math.min(OVERSIZE_PREFIX, end - start), end - start, lineNumber);
        } else {
          handler.line(buf, start, end - start, lineNumber);
        }
        return;
      }
    }
  }

  private static final java.lang.invoke.VarHandle LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private static final long LF = 0x0A0A0A0A0A0A0A0AL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The index of the first '\n' in {@code b[from, to)}, or -1. A byte of {@code w = word ^ LF} is
   * zero where the word has '\n'; {@code (w - ONES) & ~w} sets a byte's high bit at the lowest zero
   * byte (and possibly above it, never without one). Lines run to hundreds of bytes, so 32 bytes are
   * tested per branch (the four words' flags OR'd), and only the block that holds a match is
   * searched word by word.
   */
  static int indexOfNewline(byte[] b, int from, int to) {
    int i = from;
    for (; i + 32 <= to; i += 32) {
      long w0 = (long) LONG.get(b, i) ^ LF;
      long w1 = (long) LONG.get(b, i + 8) ^ LF;
      long w2 = (long) LONG.get(b, i + 16) ^ LF;
      long w3 = (long) LONG.get(b, i + 24) ^ LF;
      long any = ((w0 - ONES) & ~w0) | ((w1 - ONES) & ~w1) | ((w2 - ONES) & ~w2) | ((w3 - ONES) & ~w3);
      if ((any & HIGHS) != 0) {
        break;
      }
    }
    for (; i + 8 <= to; i += 8) {
      long w = (long) LONG.get(b, i) ^ LF;
      long zero = (w - ONES) & ~w & HIGHS;
      if (zero != 0) {
        return i + (Long.numberOfTrailingZeros(zero) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
