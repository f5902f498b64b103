package dev.json2parquet.record;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * JSON string values read straight from a line's UTF-8 bytes (RFC 8259 section 7), for the common
 * cases only; the record reader leaves everything else to Jackson. Not thread-safe: one per reader.
 */
final class JsonStrings {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Decoded string values with escapes; grows to the longest such string (at most a line). */
  private byte[] unescaped = new byte[256];

  /** Where the closing quote of the string {@link #unescape} decoded last stands. */
  private int closingQuote;

  /** The bytes {@link #unescape} decoded last. */
  byte[] unescaped() {
    return unescaped;
  }

  /** The index of the closing quote of the string {@link #unescape} decoded last (when it returned 0 or more). */
  int closingQuote() {
    return closingQuote;
  }

  /**
   * The index of the first {@code "} or {@code \\} in {@code b[from, to)}, eight bytes at a time,
   * or an index before it where fewer than eight bytes are left (the caller goes on byte by byte).
   */
  static int quoteOrBackslash(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long w = (long) LONGS.get(b, i);
      long q = w ^ 0x2222222222222222L;
      long s = w ^ 0x5C5C5C5C5C5C5C5CL;
      // a byte of q (s) is zero where b has '"' ('\\'); the lowest flagged byte is always a true match
      long hit = ((q - 0x0101010101010101L) & ~q | (s - 0x0101010101010101L) & ~s) & 0x8080808080808080L;
      if (hit != 0) {
        return i + (Long.numberOfTrailingZeros(hit) >>> 3);
      }
    }
    return i;
  }

  /**
   * Like {@link #quoteOrBackslash}, and also stops at a control character (below 0x20, which a JSON
   * string may not hold unescaped, RFC 8259 section 7) and at a byte of a multi-byte character.
   */
  static int endOfPlainAscii(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long hit = plainStops((long) LONGS.get(b, i));
      if (hit != 0) {
        return i + (Long.numberOfTrailingZeros(hit) >>> 3);
      }
    }
    return i;
  }

  /**
   * The high bit of each byte of the word {@code w} (eight bytes, the first lowest) that is a quote,
   * a backslash, below 0x20 or above 0x7F, where the lowest set bit is always a true stop (bytes
   * above it may be flagged by a borrow). Below the first stop every byte is in 0x20..0x7F and
   * neither quote nor backslash, so none of the three subtractions borrows there and none of the
   * results has its high bit; at the stop, a quote or backslash byte becomes 0x00 - 0x01 = 0xFF, a
   * control byte c becomes c - 0x20 >= 0xE0, and a non-ASCII byte is flagged by {@code w} itself.
   * (The usual zero-byte test also masks with {@code ~x}; that only matters for bytes with their
   * high bit set, which are stops here anyway.)
   */
  static long plainStops(long w) {
    return ((w ^ 0x2222222222222222L) - 0x0101010101010101L | (w ^ 0x5C5C5C5C5C5C5C5CL) - 0x0101010101010101L
        | w - 0x2020202020202020L | w) & 0x8080808080808080L;
  }

  /**
   * Decodes the string {@code b[from, ..)} (its first escape at {@code i}, its closing quote before
   * {@code end}) straight from the line's UTF-8 into {@link #unescaped}, as Jackson's decoding
   * followed by {@link LeafColumn#appendUtf8} would, and returns its length; returns -1 for what is
   * left to Jackson (which decodes it or says why it is no JSON string): an escaped surrogate
   * (paired or not), a malformed escape, a control character, no closing quote.
   */
  int unescape(byte[] b, int from, int i, int end) {
    if (unescaped.length < end - from) {
      unescaped = new byte[Math.max(end - from, unescaped.length * 2)];
    }
    byte[] s = unescaped;
    int n = i - from;
    System.arraycopy(b, from, s, 0, n);
    while (i < end) {
      byte c = b[i];
      if (c == '"') {
        closingQuote = i;
        return n;
      }
      if (c >= 0 && c < 0x20) {
        return -1;
      }
      if (c != '\\') {
        // a run of plain bytes up to the next stop (a stack trace has a line of them per escape)
        int stop = endOfPlainAscii(b, i + 1, end);
        System.arraycopy(b, i, s, n, stop - i);
        n += stop - i;
        i = stop;
        continue;
      }
      if (i + 1 >= end) {
        return -1;
      }
      switch (b[i + 1]) {
        case '"' -> s[n++] = '"';
        case '\\' -> s[n++] = '\\';
        case '/' -> s[n++] = '/';
        case 'b' -> s[n++] = '\b';
        case 'f' -> s[n++] = '\f';
        case 'n' -> s[n++] = '\n';
        case 'r' -> s[n++] = '\r';
        case 't' -> s[n++] = '\t';
        case 'u' -> {
          int u = i + 6 <= end ? hex4(b, i + 2) : -1;
          if (u < 0 || Character.isSurrogate((char) u)) {
            return -1;
          }
          // as LeafColumn.appendUtf8 encodes one char: 1 to 3 bytes, never more than the 6 read
          if (u < 0x80) {
            s[n++] = (byte) u;
          } else if (u < 0x800) {
            s[n++] = (byte) (0xC0 | (u >> 6));
            s[n++] = (byte) (0x80 | (u & 0x3F));
          } else {
            s[n++] = (byte) (0xE0 | (u >> 12));
            s[n++] = (byte) (0x80 | ((u >> 6) & 0x3F));
            s[n++] = (byte) (0x80 | (u & 0x3F));
          }
          i += 6;
          continue;
        }
        default -> {
          return -1;
        }
      }
      i += 2;
    }
    return -1;
  }

  /** The value of four hex digits at {@code b[at, at+4)}, or -1. */
  private static int hex4(byte[] b, int at) {
    int v = 0;
    for (int k = at; k < at + 4; k++) {
      int c = b[k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }
}
