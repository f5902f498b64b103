package dev.json2parquet.record;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Records of one schema packed one run after another into a single byte array, for a key that
 * receives its records one or two at a time among thousands of other keys. Appending a record to a
 * {@link ColumnBatch} touches every leaf column's arrays (some hundred arrays for the Log record),
 * which for thousands of keys are all cold in the cache: on the keyed bench job that was the
 * reading thread's longest work. Appending here writes only to the end of one array, and
 * {@link #unpackInto} later copies all the runs into a batch's columns in one sequential pass.
 *
 * <p>A run is its record count (varint) followed by each leaf column's part ({@code LeafColumn.pack}).
 * {@link #usedBytes} is what a {@link ColumnBatch} holding the same records reports, so that
 * decisions made on it are the same whether the records are packed or not. Not thread-safe.
 */
public final class PackedRecords {
  static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final int columns;
  /** Scratch for runs of several records (each column's end entry and value); allocated at the first. */
  private int[] ends;
  private int[] valueEnds;
  private byte[] buf = new byte[256];
  private int length;
  private int records;
  private long usedBytes;

  public PackedRecords(RecordSchema schema) {
    columns = schema.leafCount();
  }

  /** Appends the next {@code n} records of {@code src} from {@code at} on, and moves {@code at} past them. */
  public void append(ColumnBatch src, ColumnBatch.Cursor at, int n) {
    if (n == 1) {
      appendOne(src, at);
      return;
    }
    if (ends == null) {
      ends = new int[columns];
      valueEnds = new int[columns];
    }
    int bound = 5;
    long used = 0;
    for (int i = 0; i < columns; i++) {
      LeafColumn s = src.column(i);
      int e0 = at.entry[i];
      int v0 = at.value[i];
      int e1 = s.endOfRecords(e0, n);
      int v1 = v0 + s.valuesIn(e0, e1);
      ends[i] = e1;
      valueEnds[i] = v1;
      bound += s.packedBound(e0, e1, v0, v1);
      used += s.usedBytesOf(e0, e1, v0, v1);
    }
    if (length + bound > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(length + bound, buf.length + (buf.length >> 1)));
    }
    int pos = putVarint(buf, length, n);
    for (int i = 0; i < columns; i++) {
      pos = src.column(i).pack(at.entry[i], ends[i], at.value[i], valueEnds[i], buf, pos);
      at.entry[i] = ends[i];
      at.value[i] = valueEnds[i];
    }
    length = pos;
    records += n;
    usedBytes += used;
  }

  /** {@link #append} of one record, the common case, with the columns outside repeated fields written inline. */
  private void appendOne(ColumnBatch src, ColumnBatch.Cursor at) {
    byte[] b = ensure(length + 1);
    b[length] = 1; // the run's record count as a varint
    int pos = length + 1;
    long used = 0;
    int[] entry = at.entry;
    int[] value = at.value;
    for (int i = 0; i < columns; i++) {
      LeafColumn s = src.column(i);
      int e0 = entry[i];
      int v0 = value[i];
      if (s.repeated) {
        int e1 = s.endOfRecords(e0, 1);
        int v1 = v0 + s.valuesIn(e0, e1);
        b = ensure(pos + s.packedBound(e0, e1, v0, v1));
        pos = s.pack(e0, e1, v0, v1, b, pos);
        used += s.usedBytesOf(e0, e1, v0, v1);
        entry[i] = e1;
        value[i] = v1;
        continue;
      }
      byte d = s.def[e0];
      entry[i] = e0 + 1;
      used += 2;
      if (d != s.maxDefinition) {
        b = ensure(pos + 1);
        b[pos++] = d;
        continue;
      }
      value[i] = v0 + 1;
      if (s.binary) {
        int from = v0 == 0 ? 0 : s.ends[v0 - 1];
        int len = s.ends[v0] - from;
        // with room for the remaining columns' levels and numbers, so that one long value does not
        // leave the array grown by half again at the next column
        b = ensure(pos + 6 + len + 10 * (columns - i));
        if (d > 0) {
          b[pos++] = d;
        }
        pos = putVarint(b, pos, len);
        System.arraycopy(s.data, from, b, pos, len);
        pos += len;
        used += 4 + len;
      } else {
        b = ensure(pos + 9);
        if (d > 0) {
          b[pos++] = d;
        }
        LONG.set(b, pos, s.longs[v0]);
        pos += 8;
        used += 8;
      }
    }
    length = pos;
    records++;
    usedBytes += used;
  }

  /** The array, grown to hold at least {@code capacity} bytes. */
  private byte[] ensure(int capacity) {
    if (capacity > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(capacity, buf.length + (buf.length >> 1)));
    }
    return buf;
  }

  /** Appends every packed record to {@code dst}, in order, and empties this. */
  public void unpackInto(ColumnBatch dst) {
    for (int i = 0; i < columns; i++) {
      dst.column(i).reserve(records);
    }
    int pos = 0;
    while (pos < length) {
      long r = getVarint(buf, pos);
      int n = (int) r;
      pos = (int) (r >>> 32);
      pos = n == 1 ? unpackOne(dst, pos) : unpackRun(dst, pos, n);
      dst.addRecords(n);
    }
    clear();
  }

  private int unpackRun(ColumnBatch dst, int pos, int n) {
    for (int i = 0; i < columns; i++) {
      pos = dst.column(i).unpack(buf, pos, n);
    }
    return pos;
  }

  /**
   * One record written by {@link #appendOne}: the columns outside repeated fields read inline, into
   * the room {@link LeafColumn#reserve} made for them.
   */
  private int unpackOne(ColumnBatch dst, int pos) {
    byte[] b = buf;
    for (int i = 0; i < columns; i++) {
      LeafColumn c = dst.column(i);
      if (c.repeated) {
        pos = c.unpack(b, pos, 1);
        continue;
      }
      int e = c.entries;
      byte d = c.maxDefinition > 0 ? b[pos++] : 0;
      c.rep[e] = 0;
      c.def[e] = d;
      c.entries = e + 1;
      if (d != c.maxDefinition) {
        continue;
      }
      if (c.binary) {
        int len = b[pos++];
        if (len < 0) {
          long r = getVarint(b, pos - 1);
          len = (int) r;
          pos = (int) (r >>> 32);
        }
        c.appendBytes(b, pos, len);
        pos += len;
        c.ends[c.values++] = c.dataLength;
      } else {
        c.longs[c.values++] = (long) LONG.get(b, pos);
        pos += 8;
      }
    }
    return pos;
  }

  public int records() {
    return records;
  }

  /** Bytes a {@link ColumnBatch} holding these records would report as used ({@link ColumnBatch#usedBytes}). */
  public long usedBytes() {
    return usedBytes;
  }

  /** Bytes of the packed records. */
  public int length() {
    return length;
  }

  /** Bytes allocated: what this costs the buffer. */
  public long allocatedBytes() {
    return buf.length + (ends == null ? 0 : 8L * columns) + 64;
  }

  public void clear() {
    length = 0;
    records = 0;
    usedBytes = 0;
  }

  static int putVarint(byte[] out, int pos, int v) {
    while ((v & ~0x7F) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
  }

  /** The varint at {@code pos}: its value in the low 32 bits, the position after it in the high 32. */
  static long getVarint(byte[] in, int pos) {
    int v = 0;
    int shift = 0;
    byte b;
    do {
      b = in[pos++];
      v |= (b & 0x7F) << shift;
      shift += 7;
    } while (b < 0);
    return (v & 0xFFFFFFFFL) | ((long) pos << 32);
  }
}
