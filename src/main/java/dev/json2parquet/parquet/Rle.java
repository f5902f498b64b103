package dev.json2parquet.parquet;

/**
 * Parquet's RLE / bit-packing hybrid encoding of small unsigned integers (levels and dictionary
 * ids): runs of 8 or more equal values become RLE runs, everything else bit-packed groups of 8
 * values, least significant bit first. Only the last group of the data may be padded.
 */
final class Rle {
  /** Bit-packed runs are kept to 63 groups, so their header is always one byte. */
  private static final int MAX_GROUPS = 63;

  private Rle() {}

  /** Bits needed for values up to {@code max}; at least 1. */
  static int bitWidth(int max) {
    return Math.max(1, 32 - Integer.numberOfLeadingZeros(max));
  }

  /** Appends the encoding of {@code values[from, to)} with {@code width} bits per value. */
  static void encode(int[] values, int from, int to, int width, ByteBuf out) {
    int i = from;
    while (i < to) {
      int v = values[i];
      int j = i + 1;
      while (j < to && values[j] == v) {
        j++;
      }
      if (j - i >= 8) {
        rleRun(v, j - i, width, out);
        i = j;
        continue;
      }
      int start = i;
      int groups = 0;
      do {
        i += 8;
        groups++;
      } while (i < to && groups < MAX_GROUPS && !runOfEightAt(values, i, to));
      bitPacked(values, start, groups, to, width, out);
    }
  }

  private static boolean runOfEightAt(int[] values, int i, int to) {
    if (i + 8 > to) {
      return false;
    }
    int v = values[i];
    for (int k = i + 1; k < i + 8; k++) {
      if (values[k] != v) {
        return false;
      }
    }
    return true;
  }

  private static void rleRun(int value, int count, int width, ByteBuf out) {
    out.putVarint(count << 1);
    int bytes = (width + 7) >>> 3;
    out.ensure(bytes);
    for (int b = 0; b < bytes; b++) {
      out.putUnchecked(value >>> (8 * b));
    }
  }

  /** Writes {@code groups} groups of 8 values from {@code start}; values at or past {@code to} are padding (0). */
  private static void bitPacked(int[] values, int start, int groups, int to, int width, ByteBuf out) {
    out.putVarint((groups << 1) | 1);
    out.ensure(groups * width);
    long mask = (1L << width) - 1;
    long acc = 0;
    int bits = 0;
    int end = start + groups * 8;
    for (int k = start; k < end; k++) {
      long v = k < to ? values[k] & mask : 0;
      acc |= v << bits;
      bits += width;
      while (bits >= 8) {
        out.putUnchecked((int) acc);
        acc >>>= 8;
        bits -= 8;
      }
    }
  }
}
