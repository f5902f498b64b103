package dev.json2parquet.config;

import java.util.Locale;

/** Parsing of counts ({@code 1e6}) and byte sizes ({@code 64MiB}, {@code 1g}). */
public final class Sizes {
  private Sizes() {}

  /** A whole number, also in scientific notation ({@code 1e6}); throws NumberFormatException. */
  public static long parseCount(Object value) {
    if (value instanceof Long || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    double d = parseNumber(value);
    if (d != Math.rint(d) || Math.abs(d) > 9.0e18) {
      throw new NumberFormatException("not a whole number: " + value);
    }
    return (long) d;
  }

  public static double parseNumber(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      return Double.parseDouble(s.trim());
    }
    throw new NumberFormatException(String.valueOf(value));
  }

  /** Bytes: a whole number, optionally followed by k, m, g (powers of 1024) or KB, MB, GB (powers of 1000) or KiB, MiB, GiB. */
  public static long parseBytes(Object value) {
    if (!(value instanceof String s)) {
      return parseCount(value);
    }
    String t = s.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.' || t.charAt(i) == 'e'
        && i + 1 < t.length() && Character.isDigit(t.charAt(i + 1)))) {
      i++;
    }
    double number = Double.parseDouble(t.substring(0, i));
    String unit = t.substring(i).trim();
    long mult = switch (unit) {
      case "", "b" -> 1;
      case "k", "kib" -> 1L << 10;
      case "m", "mib" -> 1L << 20;
      case "g", "gib" -> 1L << 30;
      case "kb" -> 1_000;
      case "mb" -> 1_000_000;
      case "gb" -> 1_000_000_000;
      default -> throw new NumberFormatException("unknown unit " + unit);
    };
    double bytes = number * mult;
    if (bytes != Math.rint(bytes) || bytes > 9.0e18) {
      throw new NumberFormatException(s);
    }
    return (long) bytes;
  }

  public static String format(long bytes) {
    if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "GiB";
    }
    if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "MiB";
    }
    if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + "KiB";
    }
    return Long.toString(bytes);
  }
}
