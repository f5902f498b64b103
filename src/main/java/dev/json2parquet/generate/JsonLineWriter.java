package dev.json2parquet.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

/**
 * A growable byte buffer for writing JSON lines by hand: raw bytes, JSON-escaped UTF-8 text,
 * decimal and hexadecimal numbers and RFC 3339 timestamps, with no intermediate objects on the
 * hot path. Not thread-safe; meant to be reused for many lines and drained with {@link #flushTo}.
 */
final class JsonLineWriter {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private byte[] buf;
  private int len;

  /** Epoch day whose "yyyy-MM-ddT" prefix is cached in {@link #datePrefix}. */
  private long cachedDay = Long.MIN_VALUE;
  private byte[] datePrefix;

  JsonLineWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /** Returns the JSON-escaped UTF-8 encoding of {@code s}, without surrounding quotes. */
  static byte[] escape(String s) {
    JsonLineWriter w = new JsonLineWriter(s.length() * 6 + 16);
    w.escaped(s);
    return w.toByteArray();
  }

  /** Returns the UTF-8 bytes of {@code s} as they are, for JSON structure written verbatim. */
  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  int length() {
    return len;
  }

  /** Drops everything after the first {@code newLength} bytes. */
  void truncate(int newLength) {
    if (newLength < 0 || newLength > len) {
      throw new IllegalArgumentException("Cannot truncate to " + newLength + " of " + len + " bytes");
    }
    len = newLength;
  }

  byte[] toByteArray() {
    byte[] copy = new byte[len];
    System.arraycopy(buf, 0, copy, 0, len);
    return copy;
  }

  /** Writes the buffered bytes to {@code out} and empties the buffer. */
  void flushTo(OutputStream out) throws IOException {
    if (len > 0) {
      out.write(buf, 0, len);
      len = 0;
    }
  }

  private void ensure(int extra) {
    int needed = len + extra;
    if (needed > buf.length) {
      if (needed < 0) {
        throw new IllegalStateException("Cannot buffer a line longer than 2 GiB");
      }
      byte[] bigger = new byte[Math.max(needed, buf.length * 2)];
      System.arraycopy(buf, 0, bigger, 0, len);
      buf = bigger;
    }
  }

  void raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  void raw(char asciiChar) {
    ensure(1);
    buf[len++] = (byte) asciiChar;
  }

  /** Writes {@code times} copies of {@code b}. */
  void repeat(byte[] b, int times) {
    ensure(b.length * times);
    for (int i = 0; i < times; i++) {
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }
  }

  /** Writes {@code v} in decimal. */
  void decimal(long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        raw(bytes(Long.toString(v)));
        return;
      }
      raw('-');
      v = -v;
    }
    int digits = 1;
    for (long x = v; x >= 10; x /= 10) {
      digits++;
    }
    ensure(digits);
    int p = len + digits;
    do {
      buf[--p] = (byte) ('0' + (int) (v % 10));
      v /= 10;
    } while (v != 0);
    len += digits;
  }

  /** Writes non-negative {@code v} in decimal, left-padded with zeros to {@code width} digits. */
  void decimalPadded(long v, int width) {
    ensure(Math.max(width, 20));
    int digits = 1;
    for (long x = v; x >= 10; x /= 10) {
      digits++;
    }
    for (int i = digits; i < width; i++) {
      buf[len++] = '0';
    }
    decimal(v);
  }

  /** Writes the lowest {@code digits} hex digits of {@code v}, most significant first. */
  void hex(long v, int digits) {
    ensure(digits);
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      buf[len++] = HEX[(int) (v >>> shift) & 0xF];
    }
  }

  /** Writes two longs as a UUID-shaped 8-4-4-4-12 hex string (no quotes). */
  void uuid(long hi, long lo) {
    hex(hi >>> 32, 8);
    raw('-');
    hex(hi >>> 16, 4);
    raw('-');
    hex(hi, 4);
    raw('-');
    hex(lo >>> 48, 4);
    raw('-');
    hex(lo, 12);
  }

  /** Writes {@code epochMillis} as RFC 3339 UTC with milliseconds, e.g. 2024-11-24T03:04:05.123Z. */
  void timestamp(long epochMillis) {
    long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
    if (day != cachedDay) {
      cachedDay = day;
      datePrefix = bytes(LocalDate.ofEpochDay(day) + "T");
    }
    raw(datePrefix);
    int ms = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
    ensure(13);
    int hour = ms / 3_600_000;
    int minute = ms / 60_000 % 60;
    int second = ms / 1000 % 60;
    int milli = ms % 1000;
    byte[] b = buf;
    int p = len;
    b[p++] = (byte) ('0' + hour / 10);
    b[p++] = (byte) ('0' + hour % 10);
    b[p++] = ':';
    b[p++] = (byte) ('0' + minute / 10);
    b[p++] = (byte) ('0' + minute % 10);
    b[p++] = ':';
    b[p++] = (byte) ('0' + second / 10);
    b[p++] = (byte) ('0' + second % 10);
    b[p++] = '.';
    b[p++] = (byte) ('0' + milli / 100);
    b[p++] = (byte) ('0' + milli / 10 % 10);
    b[p++] = (byte) ('0' + milli % 10);
    b[p++] = 'Z';
    len = p;
  }

  /**
   * Writes {@code s} as the inside of a JSON string: UTF-8, with quote, backslash and control
   * characters escaped. An unpaired surrogate is written as U+FFFD.
   */
  void escaped(CharSequence s) {
    int n = s.length();
    ensure(n * 6); // worst case per char: a control char as \\u00XX
    byte[] b = buf;
    int p = len;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          b[p++] = (byte) c;
        } else {
          p = escapeAscii(b, p, c);
        }
      } else if (c < 0x800) {
        b[p++] = (byte) (0xC0 | (c >> 6));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[p++] = (byte) (0xF0 | (cp >> 18));
        b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        int cp = Character.isSurrogate(c) ? 0xFFFD : c;
        b[p++] = (byte) (0xE0 | (cp >> 12));
        b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (cp & 0x3F));
      }
    }
    len = p;
  }

  private static int escapeAscii(byte[] b, int p, char c) {
    b[p++] = '\\';
    switch (c) {
      case '"' -> b[p++] = '"';
      case '\\' -> b[p++] = '\\';
      case '\n' -> b[p++] = 'n';
      case '\r' -> b[p++] = 'r';
      case '\t' -> b[p++] = 't';
      case '\b' -> b[p++] = 'b';
      case '\f' -> b[p++] = 'f';
      default -> {
        b[p++] = 'u';
        b[p++] = '0';
        b[p++] = '0';
        b[p++] = HEX[c >> 4];
        b[p++] = HEX[c & 0xF];
      }
    }
    return p;
  }
}
