package dev.json2parquet.parquet;

import java.util.Arrays;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Null count, minimum and maximum of a page or a column chunk, ordered as Parquet orders the type:
 * integers signed, doubles as {@link Double#compare} (a zero minimum written as -0.0 and a zero
 * maximum as +0.0, as the Parquet format asks), booleans false before true, strings as unsigned
 * bytes. Min and max come out PLAIN-encoded for the page index and the chunk metadata.
 *
 * <p>String bounds longer than {@value #MAX_BOUND_BYTES} bytes come out truncated, as parquet-java
 * truncates its column index: the minimum to its longest prefix of whole UTF-8 characters within
 * the limit (still a lower bound), the maximum to such a prefix with its last character incremented
 * (still an upper bound; characters at U+10FFFF are dropped first). When no such upper bound exists
 * {@link #maxBytes} is null and the caller leaves the bounds out. So one long value never makes a
 * large footer or page index. Not thread-safe.
 */
final class ColumnStats {
  private static final byte[] NONE = new byte[0];
  /** The longest string min or max written, in bytes (parquet-java's column index default). */
  static final int MAX_BOUND_BYTES = 64;

  private final PrimitiveTypeName type;
  private long nulls;
  private boolean any;
  private long lmin;
  private long lmax;
  private double dmin;
  private double dmax;
  private byte[] bmin = NONE;
  private byte[] bmax = NONE;

  ColumnStats(PrimitiveTypeName type) {
    this.type = type;
  }

  void addNulls(long n) {
    nulls += n;
  }

  /** Integers, dates, timestamps, booleans (0 and 1): a range of values seen. */
  void longs(long min, long max) {
    if (!any || min < lmin) {
      lmin = min;
    }
    if (!any || max > lmax) {
      lmax = max;
    }
    any = true;
  }

  void doubles(double min, double max) {
    if (!any || Double.compare(min, dmin) < 0) {
      dmin = min;
    }
    if (!any || Double.compare(max, dmax) > 0) {
      dmax = max;
    }
    any = true;
  }

  /** Strings: the smallest is {@code b[minFrom, minTo)}, the largest {@code b[maxFrom, maxTo)}. */
  void binaries(byte[] b, int minFrom, int minTo, byte[] c, int maxFrom, int maxTo) {
    if (!any || Arrays.compareUnsigned(b, minFrom, minTo, bmin, 0, bmin.length) < 0) {
      bmin = Arrays.copyOfRange(b, minFrom, minTo);
    }
    if (!any || Arrays.compareUnsigned(c, maxFrom, maxTo, bmax, 0, bmax.length) > 0) {
      bmax = Arrays.copyOfRange(c, maxFrom, maxTo);
    }
    any = true;
  }

  void merge(ColumnStats o) {
    nulls += o.nulls;
    if (!o.any) {
      return;
    }
    switch (type) {
      case DOUBLE -> doubles(o.dmin, o.dmax);
      case BINARY -> binaries(o.bmin, 0, o.bmin.length, o.bmax, 0, o.bmax.length);
      default -> longs(o.lmin, o.lmax);
    }
  }

  long nulls() {
    return nulls;
  }

  boolean hasValues() {
    return any;
  }

  /** The PLAIN-encoded minimum (a lower bound, truncated for long strings). */
  byte[] minBytes() {
    if (type == PrimitiveTypeName.BINARY) {
      return bmin.length <= MAX_BOUND_BYTES ? bmin : Arrays.copyOf(bmin, utf8Prefix(bmin));
    }
    return plain(lmin, dmin == 0 ? -0.0 : dmin, bmin);
  }

  /** The PLAIN-encoded maximum (an upper bound, truncated for long strings), or null when there is no short upper bound. */
  byte[] maxBytes() {
    if (type == PrimitiveTypeName.BINARY) {
      return bmax.length <= MAX_BOUND_BYTES ? bmax : incrementedPrefix(bmax);
    }
    return plain(lmax, dmax == 0 ? 0.0 : dmax, bmax);
  }

  /** Whether {@link #minBytes} and {@link #maxBytes} are values that occur, not truncated bounds. */
  boolean exact() {
    return bmin.length <= MAX_BOUND_BYTES && bmax.length <= MAX_BOUND_BYTES;
  }

  /** The length of the longest prefix of whole UTF-8 characters of at most {@link #MAX_BOUND_BYTES} bytes. */
  private static int utf8Prefix(byte[] b) {
    int n = MAX_BOUND_BYTES;
    while (n > 0 && (b[n] & 0xC0) == 0x80) {
      n--; // b[n] continues the character that starts before it
    }
    return n;
  }

  /**
   * The shortest-possible bound above every string that starts with the prefix of {@code b}: the
   * prefix with its last character incremented (skipping the surrogate range), or null.
   */
  private static byte[] incrementedPrefix(byte[] b) {
    int end = utf8Prefix(b);
    while (end > 0) {
      int start = end - 1;
      while (start > 0 && (b[start] & 0xC0) == 0x80) {
        start--;
      }
      int cp = new String(b, start, end - start, java.nio.charset.StandardCharsets.UTF_8).codePointAt(0);
      if (cp < Character.MAX_CODE_POINT) {
        int next = cp + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : cp + 1;
        byte[] last = new String(Character.toChars(next)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(b, start + last.length);
        System.arraycopy(last, 0, out, start, last.length);
        return out;
      }
      end = start;
    }
    return null;
  }

  private byte[] plain(long l, double d, byte[] b) {
    return switch (type) {
      case BINARY -> b;
      case BOOLEAN -> new byte[] {(byte) l};
      case INT32 -> littleEndian(l, 4);
      case DOUBLE -> littleEndian(Double.doubleToRawLongBits(d), 8);
      case INT64 -> littleEndian(l, 8);
      default -> throw new IllegalStateException("Cannot keep statistics of " + type);
    };
  }

  private static byte[] littleEndian(long v, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (v >>> (8 * i));
    }
    return out;
  }
}
