package dev.json2parquet.record;

/**
 * Parses timestamps to epoch microseconds (UTC), without allocating for the common forms: RFC 3339 /
 * ISO 8601 date-times ({@code 2024-11-24T03:04:05.123Z}, any fraction, {@code T} or space, {@code Z}
 * or a {@code +hh:mm}/{@code +hhmm}/{@code +hh} offset; no offset means UTC) and epoch numbers, as JSON
 * numbers or as their text. Digits of a fraction beyond the microsecond are dropped (towards the past).
 *
 * <p>The unit of an epoch number is decided by its magnitude {@code |v|}, as log tools commonly do:
 * seconds below 10^11 (to the year 5138), milliseconds below 10^14, microseconds below 10^17,
 * nanoseconds from there (a 64-bit integer reaches 2262-04-11); larger numbers are not timestamps.
 * Any result outside the years 0001 to 9999 (RFC 3339's range) is {@link #INVALID}, never written.
 * Thread-safe (stateless).
 */
public final class EventTime {
  /** Returned when the text is not a timestamp. */
  public static final long INVALID = Long.MIN_VALUE;
  /** 0001-01-01T00:00:00Z in epoch microseconds: the earliest timestamp written. */
  public static final long MIN_MICROS = -62_135_596_800_000_000L;
  /** 9999-12-31T23:59:59.999999Z in epoch microseconds: the latest timestamp written. */
  public static final long MAX_MICROS = 253_402_300_799_999_999L;
  /** Below these magnitudes an epoch number is in seconds, milliseconds, microseconds; else nanoseconds. */
  static final long SECONDS_BELOW = 100_000_000_000L;
  static final long MILLIS_BELOW = 100_000_000_000_000L;
  static final long MICROS_BELOW = 100_000_000_000_000_000L;
  private static final java.math.BigDecimal NANOS_BELOW = new java.math.BigDecimal("1e20");

  private EventTime() {}

  /** Epoch microseconds of the UTF-8 (ASCII) text in {@code b[off, off+len)}, or {@link #INVALID}. */
  public static long parseMicros(byte[] b, int off, int len) {
    if (len >= 10 && b[off + 4] == '-') {
      return inRange(parseIso(b, off, off + len));
    }
    return parseEpochText(b, off, off + len);
  }

  /**
   * Like {@link #parseMicros(byte[], int, int)}, and also accepts two common textual forms:
   * Twitter's {@code Sun Aug 31 00:29:15 +0000 2014} and RFC 1123's {@code Sun, 31 Aug 2014 00:29:15 GMT}.
   */
  public static long parseMicros(CharSequence s) {
    byte[] b = new byte[s.length()];
    for (int i = 0; i < b.length; i++) {
      char c = s.charAt(i);
      b[i] = c < 0x80 ? (byte) c : (byte) '?';
    }
    long micros = parseMicros(b, 0, b.length);
    if (micros == INVALID && b.length >= 20 && b.length <= 40 && Character.isLetter(s.charAt(0))) {
      micros = parseTextual(s.toString());
    }
    return micros;
  }

  /** Made at first use: building formatters with day and month names costs start-up time. */
  private static final class Textual {
    static final java.time.format.DateTimeFormatter[] FORMATS = {
      java.time.format.DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss Z yyyy", java.util.Locale.ROOT),
      java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME,
    };
  }

  private static long parseTextual(String s) {
    for (java.time.format.DateTimeFormatter f : Textual.FORMATS) {
      try {
        java.time.Instant t = java.time.OffsetDateTime.parse(s, f).toInstant();
        return inRange(t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000);
      } catch (java.time.format.DateTimeParseException e) {
        // try the next form
      }
    }
    return INVALID;
  }

  /** An epoch number (unit by magnitude, see above) in microseconds, or {@link #INVALID}. */
  public static long fromEpochNumber(long v) {
    long a = v == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(v);
    if (a < SECONDS_BELOW) {
      return inRange(v * 1_000_000L);
    }
    if (a < MILLIS_BELOW) {
      return inRange(v * 1_000L);
    }
    return a < MICROS_BELOW ? inRange(v) : inRange(Math.floorDiv(v, 1_000L));
  }

  /** An epoch number with a fraction or beyond 64 bits (unit by magnitude) in microseconds, or {@link #INVALID}. */
  public static long fromEpochNumber(java.math.BigDecimal v) {
    if (v.precision() - v.scale() < -8) {
      // under 10^-8 in any unit: less than a microsecond from the epoch (and no huge rescaling)
      return v.signum() < 0 ? -1 : 0;
    }
    java.math.BigDecimal a = v.abs();
    int shift;
    if (a.compareTo(java.math.BigDecimal.valueOf(SECONDS_BELOW)) < 0) {
      shift = 6;
    } else if (a.compareTo(java.math.BigDecimal.valueOf(MILLIS_BELOW)) < 0) {
      shift = 3;
    } else if (a.compareTo(java.math.BigDecimal.valueOf(MICROS_BELOW)) < 0) {
      shift = 0;
    } else if (a.compareTo(NANOS_BELOW) < 0) {
      shift = -3;
    } else {
      return INVALID;
    }
    long micros = v.movePointRight(shift).setScale(0, java.math.RoundingMode.FLOOR).longValue();
    return inRange(micros);
  }

  private static long inRange(long micros) {
    return micros < MIN_MICROS || micros > MAX_MICROS ? INVALID : micros;
  }

  /** Epoch digits (optionally signed), or any other JSON number text, e.g. {@code 1.7e9}. */
  private static long parseEpochText(byte[] b, int p, int end) {
    int start = p;
    if (p < end && b[p] == '-') {
      p++;
    }
    if (p >= end || end - p > 18) {
      return end - p > 18 ? parseEpochDecimal(b, start, end) : INVALID;
    }
    long v = 0;
    for (int i = p; i < end; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return parseEpochDecimal(b, start, end);
      }
      v = v * 10 + d;
    }
    return fromEpochNumber(b[start] == '-' ? -v : v);
  }

  private static long parseEpochDecimal(byte[] b, int p, int end) {
    if (end - p > JsonSyntax.MAX_NUMBER_CHARS) {
      return INVALID;
    }
    for (int i = p; i < end; i++) {
      byte c = b[i];
      if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) {
        return INVALID;
      }
    }
    try {
      return fromEpochNumber(new java.math.BigDecimal(new String(b, p, end - p, java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (NumberFormatException e) {
      return INVALID;
    }
  }

  private static long parseIso(byte[] b, int p, int end) {
    int year = digits(b, p, 4);
    int month = digits(b, p + 5, 2);
    int day = digits(b, p + 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || b[p + 7] != '-') {
      return INVALID;
    }
    long secondOfDay = 0;
    long micros = 0;
    int offsetSeconds = 0;
    p += 10;
    if (p < end) {
      byte sep = b[p];
      if ((sep != 'T' && sep != 't' && sep != ' ') || end - p < 9) {
        return INVALID;
      }
      int h = digits(b, p + 1, 2);
      int m = digits(b, p + 4, 2);
      int s = digits(b, p + 7, 2);
      if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60 || b[p + 3] != ':' || b[p + 6] != ':') {
        return INVALID;
      }
      secondOfDay = h * 3600L + m * 60L + Math.min(s, 59);
      p += 9;
      if (p < end && (b[p] == '.' || b[p] == ',')) {
        p++;
        int scale = 100_000;
        int start = p;
        while (p < end && b[p] >= '0' && b[p] <= '9') {
          micros += (b[p] - '0') * (long) scale;
          scale /= 10;
          p++;
        }
        if (p == start) {
          return INVALID;
        }
      }
      if (p < end) {
        byte z = b[p];
        if ((z == 'Z' || z == 'z') && p + 1 == end) {
          p++;
        } else if (z == '+' || z == '-') {
          int oh = digits(b, p + 1, 2);
          int om = 0;
          int rest = end - p - 3;
          if (rest == 3 && b[p + 3] == ':') {
            om = digits(b, p + 4, 2);
          } else if (rest == 2) {
            om = digits(b, p + 3, 2);
          } else if (rest != 0) {
            return INVALID;
          }
          if (oh < 0 || oh > 23 || om < 0 || om > 59) {
            return INVALID;
          }
          offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
          p = end;
        } else {
          return INVALID;
        }
      }
    }
    if (p != end || day > daysInMonth(year, month)) {
      return INVALID;
    }
    long epochDay = epochDay(year, month, day);
    return ((epochDay * 86_400L + secondOfDay) - offsetSeconds) * 1_000_000L + micros;
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date. */
  public static long epochDay(int year, int month, int day) {
    long y = year - (month <= 2 ? 1 : 0);
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long mp = (month + 9) % 12;
    long doy = (153 * mp + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }

  /** Parses {@code yyyy-MM-dd} (years 0001 to 9999) to days since the epoch, or {@link #INVALID}. */
  public static long parseDate(byte[] b, int off, int len) {
    if (len != 10 || b[off + 4] != '-' || b[off + 7] != '-') {
      return INVALID;
    }
    int year = digits(b, off, 4);
    int month = digits(b, off + 5, 2);
    int day = digits(b, off + 8, 2);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return INVALID; // years 0001 to 9999 only, as for timestamps
    }
    return epochDay(year, month, day);
  }

  private static int daysInMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static int digits(byte[] b, int p, int n) {
    if (p + n > b.length) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < n; i++) {
      int d = b[p + i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }
}
