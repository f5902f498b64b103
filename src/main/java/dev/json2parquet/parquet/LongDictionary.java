package dev.json2parquet.parquet;

import java.util.Arrays;

/** The distinct 64-bit values of a column chunk with dense ids in order of first appearance; reused. */
final class LongDictionary {
  private long[] values = new long[1024];
  private int size;
  private int[] slots = new int[2048];
  private int mask = slots.length - 1;

  void clear() {
    if (size > 0) {
      Arrays.fill(slots, 0);
    }
    size = 0;
  }

  int size() {
    return size;
  }

  long value(int id) {
    return values[id];
  }

  int id(long v) {
    int s = mix(v) & mask;
    while (true) {
      int slot = slots[s];
      if (slot == 0) {
        break;
      }
      if (values[slot - 1] == v) {
        return slot - 1;
      }
      s = (s + 1) & mask;
    }
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    int id = size++;
    values[id] = v;
    slots[s] = id + 1;
    if (size * 2 > slots.length) {
      slots = new int[slots.length * 2];
      mask = slots.length - 1;
      for (int k = 0; k < size; k++) {
        int t = mix(values[k]) & mask;
        while (slots[t] != 0) {
          t = (t + 1) & mask;
        }
        slots[t] = k + 1;
      }
    }
    return id;
  }

  private static int mix(long v) {
    v *= 0x9E3779B97F4A7C15L;
    return (int) (v ^ (v >>> 32));
  }
}
