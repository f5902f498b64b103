package dev.json2parquet.parquet;

import java.util.Arrays;

/**
 * The distinct byte strings of a column chunk, each with a dense id in order of first appearance:
 * an open-addressing hash table over the dictionary's own byte arena. Reused from chunk to chunk.
 */
final class BinaryDictionary {
  private byte[] data = new byte[1 << 16];
  private int dataLength;
  /** End offset of each entry in {@link #data}. */
  private int[] ends = new int[1024];
  private int[] hashes = new int[1024];
  private int size;
  /** Slots hold id + 1; 0 is empty. */
  private int[] slots = new int[2048];
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
    int s = h & mask;
    while (true) {
      int slot = slots[s];
      if (slot == 0) {
        return add(bytes, off, len, h, s);
      }
      int id = slot - 1;
      if (hashes[id] == h && Arrays.equals(data, start(id), ends[id], bytes, off, off + len)) {
        return id;
      }
      s = (s + 1) & mask;
    }
  }

  private int add(byte[] bytes, int off, int len, int h, int s) {
    if (dataLength + len > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + len));
    }
    System.arraycopy(bytes, off, data, dataLength, len);
    dataLength += len;
    if (size == ends.length) {
      ends = Arrays.copyOf(ends, size * 2);
      hashes = Arrays.copyOf(hashes, size * 2);
    }
    int id = size++;
    ends[id] = dataLength;
    hashes[id] = h;
    slots[s] = id + 1;
    if (size * 2 > slots.length) {
      rehash();
    }
    return id;
  }

  private void rehash() {
    slots = new int[slots.length * 2];
    mask = slots.length - 1;
    for (int id = 0; id < size; id++) {
      int s = hashes[id] & mask;
      while (slots[s] != 0) {
        s = (s + 1) & mask;
      }
      slots[s] = id + 1;
    }
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
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (b[i] & 0xFFL) << shift;
    }
    h = (h ^ tail) * 0x165667B19E3779F9L;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (int) h;
  }
}
