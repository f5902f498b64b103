package dev.json2parquet.record;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** UTF-8 validation (eight ASCII bytes at a time) and unpaired surrogates in UTF-16 text. Thread-safe. */
public final class Utf8 {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8() {}

  /** True when {@code b[off, off+len)} is well-formed UTF-8 (no overlongs, surrogates or values over U+10FFFF). */
  public static boolean isValid(byte[] b, int off, int len) {
    return firstInvalid(b, off, len) < 0;
  }

  /** The index of the first byte of the first malformed sequence in {@code b[off, off+len)}, or -1. */
  public static int firstInvalid(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      if (i + 8 <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
        i += 8;
        continue;
      }
      if (b[i] >= 0) {
        i++;
        continue;
      }
      int n = sequenceLength(b, i, end);
      if (n == 0) {
        return i;
      }
      i += n;
    }
    return -1;
  }

  /**
   * The length (2 to 4) of the well-formed sequence that starts with the non-ASCII byte {@code b[i]}
   * and ends before {@code end}, or 0 when there is none (an overlong form, a surrogate, a value over
   * U+10FFFF, a stray continuation byte, a sequence cut off).
   */
  static int sequenceLength(byte[] b, int i, int end) {
    int c = b[i] & 0xFF;
    int n;
    int min;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      min = 0x10000;
    } else {
      return 0;
    }
    if (i + n >= end) {
      return 0;
    }
    int cp = c & (0x3F >> n);
    for (int k = 1; k <= n; k++) {
      int cc = b[i + k] & 0xFF;
      if ((cc & 0xC0) != 0x80) {
        return 0;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return 0;
    }
    return n + 1;
  }

  /**
   * The index of the first unpaired surrogate (a high one not followed by a low one, or a low one
   * not preceded by a high one) in {@code c[off, off+len)}, or -1.
   */
  public static int firstUnpairedSurrogate(char[] c, int off, int len) {
    int end = off + len;
    for (int i = off; i < end; i++) {
      if (Character.isHighSurrogate(c[i]) && i + 1 < end && Character.isLowSurrogate(c[i + 1])) {
        i++;
      } else if (Character.isSurrogate(c[i])) {
        return i;
      }
    }
    return -1;
  }

  /**
   * {@code s} with each unpaired surrogate written as the escape {@code \\uXXXX}, so that it can be
   * shown and encoded (in a reason, a path); {@code s} itself when it has none.
   */
  public static String escapeUnpaired(String s) {
    char[] c = s.toCharArray();
    int bad = firstUnpairedSurrogate(c, 0, c.length);
    if (bad < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 8).append(c, 0, bad);
    for (int i = bad; i < c.length; i++) {
      if (Character.isHighSurrogate(c[i]) && i + 1 < c.length && Character.isLowSurrogate(c[i + 1])) {
        sb.append(c[i]).append(c[++i]);
      } else if (Character.isSurrogate(c[i])) {
        sb.append("\\u").append(Integer.toHexString(c[i]).toUpperCase(java.util.Locale.ROOT));
      } else {
        sb.append(c[i]);
      }
    }
    return sb.toString();
  }

  /**
   * The length of the longest prefix of {@code b[off, off+len)} that does not end inside a UTF-8
   * sequence: {@code len} less the bytes of a last character that was cut off (a sequence of 2 to
   * 4 bytes, RFC 3629), or {@code len} when it ends on a boundary or the bytes are not UTF-8 there.
   */
  public static int boundaryLength(byte[] b, int off, int len) {
    for (int back = 1; back <= 3 && back <= len; back++) {
      int c = b[off + len - back] & 0xFF;
      if ((c & 0xC0) == 0x80) {
        continue; // a continuation byte: look further back for the lead
      }
      int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      return need > back ? len - back : len;
    }
    return len;
  }
}
