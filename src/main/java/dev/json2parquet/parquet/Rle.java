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

  /**
   * Appends the encoding of {@code values[from, to)} with {@code width} bits per value (at most
   * 32). Loops are kept small and branch-stable (the JIT compiles this path once, not again for
   * every change in the data's shape): runs are found by {@link #runEnd}, and full groups are
   * packed without padding checks.
   */
  static void encode(int[] values, int from, int to, int width, ByteBuf out) {
    if (width < 1 || width > 32) {
      throw new IllegalArgumentException("Cannot RLE-encode " + width + "-bit values: 1 to 32 bits");
    }
    int i = from;
    while (i < to) {
      int j = runEnd(values, i, to);
      if (j - i >= 8) {
        rleRun(values[i], j - i, width, out);
        i = j;
        continue;
      }
      int start = i;
      int groups = 0;
      do {
        i += 8;
        groups++;
      } while (i < to && groups < MAX_GROUPS && runEnd(values, i, Math.min(to, i + 8)) - i < 8);
      bitPacked(values, start, groups, to, width, out);
    }
  }

  /** Appends {@code count} copies of {@code value} as RLE runs. */
  static void encodeRun(int value, int count, int width, ByteBuf out) {
    if (count > 0) {
      rleRun(value, count, width, out);
    }
  }

  /** The end of the run of values equal to {@code values[i]} that starts at {@code i}, at most {@code to}. */
  private static int runEnd(int[] values, int i, int to) {
    int v = values[i];
    int j = i + 1;
    while (j < to && values[j] == v) {
      j++;
    }
    return j;
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
    out.ensure(groups * width + 8);
    int full = Math.min(groups, (to - start) >>> 3);
    int k = start;
    for (int g = 0; g < full; g++, k += 8) {
      packGroup(values, k, width, out);
    }
    if (full < groups) {
      int[] last = new int[8];
      System.arraycopy(values, k, last, 0, to - k);
      packGroup(last, 0, width, out);
    }
  }

  /** Packs {@code values[k, k + 8)} into {@code width} bytes, least significant bit first. */
  private static void packGroup(int[] values, int k, int width, ByteBuf out) {
    long mask = (1L << width) - 1;
    if (width <= 8) {
      long acc = 0;
      for (int t = 0; t < 8; t++) {
        acc |= (values[k + t] & mask) << (t * width);
      }
      out.putLongPartial(acc, width);
      return;
    }
    long acc = 0;
    int bits = 0;
    for (int t = 0; t < 8; t++) {
      acc |= (values[k + t] & mask) << bits;
      bits += width;
      if (bits >= 32) {
        out.putIntUnchecked((int) acc);
        acc >>>= 32;
        bits -= 32;
      }
    }
    for (; bits > 0; bits -= 8) {
      out.putUnchecked((int) acc);
      acc >>>= 8;
    }
  }
}
