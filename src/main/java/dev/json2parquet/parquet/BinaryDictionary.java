package dev.json2parquet.parquet;

import java.util.Arrays;

/**
 * The distinct byte strings of a column chunk, each with a dense id in order of first appearance:
 * an open-addressing hash table (linear probing) over the dictionary's own byte arena. Reused from
 * chunk to chunk. Not thread-safe.
 *
 * <p>Each slot is one {@code long}: the value's 32-bit hash in the high half and its id + 1 in the
 * low half (0 is empty). A probe compares hashes within the slot array alone; the entry's offsets
 * and bytes are read only when the hashes agree, so a miss or a collision costs no load from
 * {@link #ends} or {@link #data}, and growing the table needs no stored hash per entry.
 */
final class BinaryDictionary {
  private byte[] data = new byte[1 << 16];
  private int dataLength;
  /** End offset of each entry in {@link #data}. */
  private int[] ends = new int[1024];
  private int size;
  /** Hash in the high 32 bits, id + 1 in the low 32; 0 is empty. */
  private long[] slots = new long[2048];
  private int mask = slots.length - 1;

  void clear() {
    if (size > 0) {
      Arrays.fill(slots, 0);
    }
    size = 0;
    dataLength = 0;
  }

  int size() {
    return size;
  }

  /** Bytes of the entries as a PLAIN-encoded dictionary page (a 4-byte length before each). */
  long plainBytes() {
    return dataLength + 4L * size;
  }

  byte[] data() {
    return data;
  }

  int start(int id) {
    return id == 0 ? 0 : ends[id - 1];
  }

  int end(int id) {
    return ends[id];
  }

  /** The id of {@code bytes[off, off + len)}, added when new. */
  int id(byte[] bytes, int off, int len) {
    int h = hash(bytes, off, len);
    long high = (long) h << 32;
    int s = h & mask;
    while (true) {
      long slot = slots[s];
      if (slot == 0) {
        return add(bytes, off, len, high, s);
      }
      if ((slot & 0xFFFF_FFFF_0000_0000L) == high) {
        int id = (int) slot - 1;
        int end = ends[id];
        int start = id == 0 ? 0 : ends[id - 1];
        if (end - start == len && same(data, start, bytes, off, len)) {
          return id;
        }
      }
      s = (s + 1) & mask;
    }
  }

  private int add(byte[] bytes, int off, int len, long high, int s) {
    if (dataLength + len > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + len));
    }
    System.arraycopy(bytes, off, data, dataLength, len);
    dataLength += len;
    if (size == ends.length) {
      ends = Arrays.copyOf(ends, size * 2);
    }
    int id = size++;
    ends[id] = dataLength;
    slots[s] = high | (id + 1);
    if (size * 2 > slots.length) {
      rehash();
    }
    return id;
  }

  /** Doubles the table; slots keep their hash, so entries move without being hashed again. */
  private void rehash() {
    long[] old = slots;
    slots = new long[old.length * 2];
    mask = slots.length - 1;
    for (long slot : old) {
      if (slot != 0) {
        int s = (int) (slot >>> 32) & mask;
        while (slots[s] != 0) {
          s = (s + 1) & mask;
        }
        slots[s] = slot;
      }
    }
  }

  /**
   * Whether {@code a[ao, ao + len)} equals {@code b[bo, bo + len)}: 8 bytes at a time, the last
   * (partial) word compared overlapping the one before, so no byte loop and no read past either
   * range. Short strings (the usual dictionary value) take one or two comparisons.
   */
  static boolean same(byte[] a, int ao, byte[] b, int bo, int len) {
    if (len >= 8) {
      int last = len - 8;
      for (int i = 0; i < last; i += 8) {
        if (ByteBuf.getLongLE(a, ao + i) != ByteBuf.getLongLE(b, bo + i)) {
          return false;
        }
      }
      return ByteBuf.getLongLE(a, ao + last) == ByteBuf.getLongLE(b, bo + last);
    }
    if (len >= 4) {
      return ByteBuf.getIntLE(a, ao) == ByteBuf.getIntLE(b, bo)
          && ByteBuf.getIntLE(a, ao + len - 4) == ByteBuf.getIntLE(b, bo + len - 4);
    }
    for (int i = 0; i < len; i++) {
      if (a[ao + i] != b[bo + i]) {
        return false;
      }
    }
    return true;
  }

  /** A hash over 8 bytes at a time, with a final mix so that the low bits (the slot) are well spread. */
  static int hash(byte[] b, int off, int len) {
    long h = 0x9E3779B97F4A7C15L ^ len;
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      h = (h ^ ByteBuf.getLongLE(b, i)) * 0xC2B2AE3D27D4EB4FL;
      h = Long.rotateLeft(h, 31);
    }
    // the last 0-7 bytes in one or two loads, overlapping bytes already hashed (the length is in the seed)
    int rem = end - i;
    long tail = 0;
    if (rem > 0) {
      if (len >= 8) {
        tail = ByteBuf.getLongLE(b, end - 8);
      } else if (rem >= 4) {
        tail = (ByteBuf.getIntLE(b, i) & 0xFFFF_FFFFL) | ((long) ByteBuf.getIntLE(b, end - 4) << 32);
      } else {
        tail = (b[i] & 0xFFL) | ((b[i + (rem >> 1)] & 0xFFL) << 8) | ((b[end - 1] & 0xFFL) << 16);
      }
    }
    h = (h ^ tail) * 0x165667B19E3779F9L;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (int) h;
  }
}
