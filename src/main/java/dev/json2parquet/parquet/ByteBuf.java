package dev.json2parquet.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A growable little-endian byte buffer that pages are built in; reused from page to page. */
final class ByteBuf {
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] bytes;
  private int size;

  ByteBuf(int capacity) {
    bytes = new byte[capacity];
  }

  byte[] array() {
    return bytes;
  }

  int size() {
    return size;
  }

  void reset() {
    size = 0;
  }

  /** Makes room for {@code more} bytes past the end. */
  void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }

  void put(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  /** Appends a byte; the caller has made room. */
  void putUnchecked(int b) {
    bytes[size++] = (byte) b;
  }

  /** Appends 4 bytes, little-endian; the caller has made room. */
  void putIntUnchecked(int v) {
    INT.set(bytes, size, v);
    size += 4;
  }

  /**
   * Appends the low {@code n} bytes (at most 8) of {@code v}, little-endian; the caller has made
   * room for 8 (all 8 are stored, the size grows by {@code n}).
   */
  void putLongPartial(long v, int n) {
    LONG.set(bytes, size, v);
    size += n;
  }

  /**
   * Appends {@code len} (4 bytes, little-endian) and then {@code src[off, off + len)} for a
   * {@code len} of at most 16, copied as two 8-byte words; the caller has made room for 20 bytes
   * and {@code src} holds 16 bytes from {@code off} (bytes past {@code len} land beyond the size
   * and are overwritten by what comes next).
   */
  void putShortUnchecked(int len, byte[] src, int off) {
    int at = size;
    INT.set(bytes, at, len);
    LONG.set(bytes, at + 4, (long) LONG.get(src, off));
    LONG.set(bytes, at + 12, (long) LONG.get(src, off + 8));
    size = at + 4 + len;
  }

  void putIntLE(int v) {
    ensure(4);
    INT.set(bytes, size, v);
    size += 4;
  }

  /** Overwrites 4 bytes at {@code at} with {@code v}, little-endian. */
  void setIntLE(int at, int v) {
    INT.set(bytes, at, v);
  }

  void putLongLE(long v) {
    ensure(8);
    LONG.set(bytes, size, v);
    size += 8;
  }

  void putBytes(byte[] src, int off, int len) {
    ensure(len);
    System.arraycopy(src, off, bytes, size, len);
    size += len;
  }

  /** Appends an unsigned LEB128 varint. */
  void putVarint(int v) {
    ensure(5);
    while ((v & ~0x7F) != 0) {
      bytes[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    bytes[size++] = (byte) v;
  }

  static long getLongLE(byte[] b, int at) {
    return (long) LONG.get(b, at);
  }

  static int getIntLE(byte[] b, int at) {
    return (int) INT.get(b, at);
  }
}
