package dev.json2parquet.record;

import java.util.Arrays;

/**
 * The shredded values of one leaf column: one (repetition, definition) level pair per entry, and a
 * value for each entry whose definition level is the column's maximum. Binary values live in one
 * byte arena with end offsets; booleans and numbers in a long array. Not thread-safe.
 */
public final class LeafColumn {
  private static final int MIN_ENTRIES = 8;

  final boolean binary;
  final boolean repeated;
  final int maxDefinition;
  byte[] rep = new byte[MIN_ENTRIES];
  byte[] def = new byte[MIN_ENTRIES];
  int entries;
  /** Binary columns: value bytes and end offset of each value. */
  byte[] data;
  int dataLength;
  int[] ends;
  /** Other columns: the values. */
  long[] longs;
  int values;

  /** The owning batch's running total of allocated bytes, shared by its columns. */
  private final long[] allocation;

  LeafColumn(boolean binary, boolean repeated, int maxDefinition, long[] allocation) {
    this.binary = binary;
    this.repeated = repeated;
    this.maxDefinition = maxDefinition;
    this.allocation = allocation;
    if (binary) {
      data = new byte[64];
      ends = new int[MIN_ENTRIES];
    } else {
      longs = new long[MIN_ENTRIES];
    }
    allocation[0] += allocatedBytes();
  }

  /**
   * The next capacity: half as large again, so that a batch never holds more than half its used
   * size unused (the buffer flushes keys by size and counts what is allocated).
   */
  private static int grown(int n) {
    return n + Math.max(8, n >> 1);
  }

  private void growLongs(int n) {
    allocation[0] += 8L * (n - longs.length);
    longs = Arrays.copyOf(longs, n);
  }

  private void growEnds(int n) {
    allocation[0] += 4L * (n - ends.length);
    ends = Arrays.copyOf(ends, n);
  }

  private void growData(int n) {
    allocation[0] += n - data.length;
    data = Arrays.copyOf(data, n);
  }

  /** Repetition levels, one per entry; the live array, valid up to {@link #entries()}. Read only. */
  public byte[] repetitions() {
    return rep;
  }

  /** Definition levels, one per entry; the live array. Read only. */
  public byte[] definitions() {
    return def;
  }

  /** End offsets in {@link #data()} of binary values; the live array. Read only. */
  public int[] ends() {
    return ends;
  }

  /** Boolean (0/1), integer, double-bits, timestamp and date values; the live array. Read only. */
  public long[] longs() {
    return longs;
  }

  public int entries() {
    return entries;
  }

  public int repetition(int entry) {
    return rep[entry];
  }

  public int definition(int entry) {
    return def[entry];
  }

  public int maxDefinition() {
    return maxDefinition;
  }

  public boolean isBinary() {
    return binary;
  }

  public byte[] data() {
    return data;
  }

  /** Start offset in {@link #data()} of value {@code v}. */
  public int start(int v) {
    return v == 0 ? 0 : ends[v - 1];
  }

  public int end(int v) {
    return ends[v];
  }

  /** Whether the last entry (of a scalar leaf: the last record's) holds a value. */
  public boolean lastIsValue() {
    return entries > 0 && def[entries - 1] == maxDefinition;
  }

  /** Index of the last value. */
  public int lastValue() {
    return values - 1;
  }

  public long longValue(int v) {
    return longs[v];
  }

  /** Bytes of this column in use (entries and values). */
  long usedBytes() {
    return 2L * entries + (binary ? dataLength + 4L * values : 8L * values);
  }

  /** Bytes allocated by this column, for the buffer's memory accounting. */
  long allocatedBytes() {
    long n = 2L * rep.length + 48;
    return binary ? n + data.length + 4L * ends.length : n + 8L * longs.length;
  }

  void addNull(int r, int d) {
    ensureEntries(1);
    rep[entries] = (byte) r;
    def[entries] = (byte) d;
    entries++;
  }

  void addLong(int r, long value) {
    ensureEntries(1);
    if (values == longs.length) {
      growLongs(grown(longs.length));
    }
    rep[entries] = (byte) r;
    def[entries] = (byte) maxDefinition;
    entries++;
    longs[values++] = value;
  }

  /** Starts a binary value; the caller appends its bytes with {@link #appendByte} and friends, then calls {@link #endBinary}. */
  void beginBinary(int r) {
    ensureEntries(1);
    rep[entries] = (byte) r;
    def[entries] = (byte) maxDefinition;
  }

  void endBinary() {
    if (values == ends.length) {
      growEnds(grown(ends.length));
    }
    ends[values++] = dataLength;
    entries++;
  }

  void ensureData(int more) {
    if (dataLength + more > data.length) {
      growData(Math.max(grown(data.length), dataLength + more));
    }
  }

  void appendBytes(byte[] src, int off, int len) {
    ensureData(len);
    System.arraycopy(src, off, data, dataLength, len);
    dataLength += len;
  }

  /**
   * The index of the first binary value in {@code [from, values)} equal to an earlier one of that
   * range, or -1: a map's keys must be unique (DuckDB refuses a whole file that breaks this). Pairwise
   * for a few values, hashed beyond, so a line with many keys stays linear.
   */
  int repeatedBinary(int from) {
    int n = values - from;
    if (n < 2) {
      return -1;
    }
    if (n <= 8) {
      for (int i = from + 1; i < values; i++) {
        for (int j = from; j < i; j++) {
          if (sameBinary(i, j)) {
            return i;
          }
        }
      }
      return -1;
    }
    java.util.Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
    for (int i = from; i < values; i++) {
      int start = i == 0 ? 0 : ends[i - 1];
      if (!seen.add(java.nio.ByteBuffer.wrap(data, start, ends[i] - start))) {
        return i;
      }
    }
    return -1;
  }

  private boolean sameBinary(int i, int j) {
    int si = i == 0 ? 0 : ends[i - 1];
    int sj = j == 0 ? 0 : ends[j - 1];
    return java.util.Arrays.equals(data, si, ends[i], data, sj, ends[j]);
  }

  /** Binary value {@code i} as text (UTF-8). */
  String binaryText(int i) {
    int start = i == 0 ? 0 : ends[i - 1];
    return new String(data, start, ends[i] - start, java.nio.charset.StandardCharsets.UTF_8);
  }

  void addBinary(int r, byte[] src, int off, int len) {
    beginBinary(r);
    appendBytes(src, off, len);
    endBinary();
  }

  /**
   * Appends UTF-16 text as UTF-8. Returns false, having appended only part of it, when the text
   * holds an unpaired surrogate (possible only through JSON escapes), which no UTF-8 can encode; the
   * caller rejects the record (and rolls the batch back).
   */
  boolean appendUtf8(char[] chars, int off, int len) {
    ensureData(len * 3);
    byte[] d = data;
    int p = dataLength;
    int end = off + len;
    for (int i = off; i < end; i++) {
      char c = chars[i];
      if (c < 0x80) {
        d[p++] = (byte) c;
      } else if (c < 0x800) {
        d[p++] = (byte) (0xC0 | (c >> 6));
        d[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (!Character.isSurrogate(c)) {
        d[p++] = (byte) (0xE0 | (c >> 12));
        d[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        d[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
        int cp = Character.toCodePoint(c, chars[++i]);
        d[p++] = (byte) (0xF0 | (cp >> 18));
        d[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        d[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        d[p++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        dataLength = p;
        return false;
      }
    }
    dataLength = p;
    return true;
  }

  private void ensureEntries(int more) {
    if (entries + more > rep.length) {
      int n = Math.max(grown(rep.length), entries + more);
      allocation[0] += 2L * (n - rep.length);
      rep = Arrays.copyOf(rep, n);
      def = Arrays.copyOf(def, n);
    }
  }

  /** The entry after {@code records} records that start at entry {@code e}. */
  public int endOfRecords(int e, int records) {
    if (!repeated) {
      return e + records;
    }
    for (int r = 0; r < records; r++) {
      do {
        e++;
      } while (e < entries && rep[e] != 0);
    }
    return e;
  }

  /** The number of values among entries {@code [from, to)}. */
  public int valuesIn(int from, int to) {
    if (maxDefinition == 0) {
      return to - from;
    }
    int n = 0;
    byte max = (byte) maxDefinition;
    for (int e = from; e < to; e++) {
      if (def[e] == max) {
        n++;
      }
    }
    return n;
  }

  /** Appends entries {@code [e0, e1)} of {@code src}, whose values are {@code [v0, v1)}. */
  void appendRange(LeafColumn src, int e0, int e1, int v0, int v1) {
    int n = e1 - e0;
    ensureEntries(n);
    if (n == 1) {
      rep[entries] = src.rep[e0];
      def[entries] = src.def[e0];
    } else {
      System.arraycopy(src.rep, e0, rep, entries, n);
      System.arraycopy(src.def, e0, def, entries, n);
    }
    entries += n;
    int m = v1 - v0;
    if (m == 0) {
      return;
    }
    if (binary) {
      if (values + m > ends.length) {
        growEnds(Math.max(grown(ends.length), values + m));
      }
      int from = src.start(v0);
      int shift = dataLength - from;
      int[] srcEnds = src.ends;
      for (int k = 0; k < m; k++) {
        ends[values + k] = srcEnds[v0 + k] + shift;
      }
      values += m;
      appendBytes(src.data, from, srcEnds[v1 - 1] - from);
    } else {
      if (values + m > longs.length) {
        growLongs(Math.max(grown(longs.length), values + m));
      }
      if (m == 1) {
        longs[values] = src.longs[v0];
      } else {
        System.arraycopy(src.longs, v0, longs, values, m);
      }
      values += m;
    }
  }

  /**
   * The most bytes {@link #pack} writes for entries {@code [e0, e1)} holding values {@code [v0, v1)}.
   */
  int packedBound(int e0, int e1, int v0, int v1) {
    int e = e1 - e0;
    int m = v1 - v0;
    int n = 5 + 2 * e;
    return binary ? n + 5 * m + (m == 0 ? 0 : ends[v1 - 1] - start(v0)) : n + 8 * m;
  }

  /** Bytes {@link #usedBytes} grows by when entries {@code [e0, e1)} with values {@code [v0, v1)} are appended. */
  long usedBytesOf(int e0, int e1, int v0, int v1) {
    int m = v1 - v0;
    return 2L * (e1 - e0) + (binary ? 4L * m + (m == 0 ? 0 : ends[v1 - 1] - start(v0)) : 8L * m);
  }

  /**
   * Writes entries {@code [e0, e1)} with values {@code [v0, v1)} into {@code out} at {@code pos}
   * (room for {@link #packedBound} bytes) as {@link #unpack} reads them back; returns the end. A
   * column outside any repeated field has one entry per record, all at repetition level 0, so only
   * a repeated column writes its entry count and repetition levels; a required one (definition
   * level 0) no definition levels; a binary value is its length (varint) and its bytes.
   */
  int pack(int e0, int e1, int v0, int v1, byte[] out, int pos) {
    int e = e1 - e0;
    if (repeated) {
      pos = PackedRecords.putVarint(out, pos, e);
      System.arraycopy(rep, e0, out, pos, e);
      pos += e;
    }
    if (maxDefinition > 0) {
      System.arraycopy(def, e0, out, pos, e);
      pos += e;
    }
    if (binary) {
      int from = start(v0);
      for (int v = v0; v < v1; v++) {
        pos = PackedRecords.putVarint(out, pos, ends[v] - (v == 0 ? 0 : ends[v - 1]));
      }
      int len = v1 == v0 ? 0 : ends[v1 - 1] - from;
      System.arraycopy(data, from, out, pos, len);
      pos += len;
    } else {
      for (int v = v0; v < v1; v++) {
        PackedRecords.LONG.set(out, pos, longs[v]);
        pos += 8;
      }
    }
    return pos;
  }

  /**
   * Makes room for {@code records} more records' levels and values in a column outside repeated
   * fields (one entry per record), so that {@link #unpack} does not grow the arrays step by step.
   */
  void reserve(int records) {
    if (repeated) {
      return;
    }
    ensureEntries(records);
    if (binary) {
      if (values + records > ends.length) {
        growEnds(values + records);
      }
    } else if (values + records > longs.length) {
      growLongs(values + records);
    }
  }

  /** Appends the entries of {@code records} records that {@link #pack} wrote at {@code pos}; returns their end. */
  int unpack(byte[] in, int pos, int records) {
    int e = records;
    if (repeated) {
      long r = PackedRecords.getVarint(in, pos);
      e = (int) r;
      pos = (int) (r >>> 32);
    }
    ensureEntries(e);
    if (repeated) {
      System.arraycopy(in, pos, rep, entries, e);
      pos += e;
    } else {
      java.util.Arrays.fill(rep, entries, entries + e, (byte) 0);
    }
    int m;
    if (maxDefinition > 0) {
      System.arraycopy(in, pos, def, entries, e);
      pos += e;
      m = valuesIn(entries, entries + e);
    } else {
      java.util.Arrays.fill(def, entries, entries + e, (byte) 0);
      m = e;
    }
    entries += e;
    if (binary) {
      if (values + m > ends.length) {
        growEnds(Math.max(grown(ends.length), values + m));
      }
      int end = dataLength;
      for (int k = 0; k < m; k++) {
        long r = PackedRecords.getVarint(in, pos);
        end += (int) r;
        pos = (int) (r >>> 32);
        ends[values + k] = end;
      }
      values += m;
      int len = end - dataLength;
      appendBytes(in, pos, len);
      pos += len;
    } else {
      if (values + m > longs.length) {
        growLongs(Math.max(grown(longs.length), values + m));
      }
      for (int k = 0; k < m; k++) {
        longs[values + k] = (long) PackedRecords.LONG.get(in, pos);
        pos += 8;
      }
      values += m;
    }
    return pos;
  }

  /** Discards entries from {@code entryMark} and values from {@code valueMark} on. */
  void truncate(int entryMark, int valueMark, int dataMark) {
    entries = entryMark;
    values = valueMark;
    dataLength = dataMark;
  }

  void clear() {
    truncate(0, 0, 0);
  }
}
