package dev.json2parquet.parquet;

import java.util.Arrays;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Null count, minimum and maximum of a page or a column chunk, ordered as Parquet orders the type:
 * integers signed, doubles as {@link Double#compare}, booleans false before true, strings as
 * unsigned bytes. Min and max come out PLAIN-encoded for the page index and the chunk metadata.
 */
final class ColumnStats {
  private static final byte[] NONE = new byte[0];

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

  byte[] minBytes() {
    return plain(lmin, dmin, bmin);
  }

  byte[] maxBytes() {
    return plain(lmax, dmax, bmax);
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
