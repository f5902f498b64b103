package dev.json2parquet.parquet;

import java.nio.charset.StandardCharsets;

/**
 * Writes Thrift's compact protocol, the encoding of Parquet's page headers and footer, into a
 * {@link ByteBuf}: field headers with delta-coded ids, zigzag varints, length-prefixed binaries,
 * lists, nested structs ending in a stop byte. Only what Parquet's metadata needs (no maps, sets,
 * doubles). The caller writes fields of a struct in increasing id order, as Thrift does.
 */
final class Thrift {
  static final int BOOL_TRUE = 1;
  static final int BOOL_FALSE = 2;
  static final int I16 = 4;
  static final int I32 = 5;
  static final int I64 = 6;
  static final int BINARY = 8;
  static final int LIST = 9;
  static final int STRUCT = 12;

  private final ByteBuf out;
  /** The last field id written in each open struct; depth 0 is the outermost. */
  private final short[] lastIds = new short[32];
  private int depth;

  Thrift(ByteBuf out) {
    this.out = out;
  }

  ByteBuf buffer() {
    return out;
  }

  /** Starts the outermost struct (of a page header, an index or the footer). */
  Thrift begin() {
    depth = 0;
    lastIds[0] = 0;
    return this;
  }

  /** Ends the outermost struct. */
  void end() {
    out.put(0);
    if (depth != 0) {
      throw new IllegalStateException("Thrift struct left open at depth " + depth);
    }
  }

  private void fieldHeader(int id, int type) {
    int delta = id - lastIds[depth];
    if (delta > 0 && delta <= 15) {
      out.put((delta << 4) | type);
    } else {
      out.put(type);
      varint(zigzag(id));
    }
    lastIds[depth] = (short) id;
  }

  Thrift i32(int id, int v) {
    fieldHeader(id, I32);
    varint(zigzag(v));
    return this;
  }

  Thrift i64(int id, long v) {
    fieldHeader(id, I64);
    varint(zigzag(v));
    return this;
  }

  Thrift i16(int id, int v) {
    fieldHeader(id, I16);
    varint(zigzag(v));
    return this;
  }

  Thrift bool(int id, boolean v) {
    fieldHeader(id, v ? BOOL_TRUE : BOOL_FALSE);
    return this;
  }

  Thrift binary(int id, byte[] b, int off, int len) {
    fieldHeader(id, BINARY);
    binaryValue(b, off, len);
    return this;
  }

  Thrift binary(int id, byte[] b) {
    return binary(id, b, 0, b.length);
  }

  Thrift string(int id, String s) {
    return binary(id, s.getBytes(StandardCharsets.UTF_8));
  }

  /** Starts a nested struct field; close it with {@link #endStruct}. */
  Thrift struct(int id) {
    fieldHeader(id, STRUCT);
    return push();
  }

  /** An empty struct field (a member of a union such as LogicalType). */
  Thrift emptyStruct(int id) {
    struct(id);
    return endStruct();
  }

  Thrift endStruct() {
    out.put(0);
    depth--;
    return this;
  }

  /** Starts a list field of {@code size} elements of {@code type}; then write the elements. */
  Thrift list(int id, int type, int size) {
    fieldHeader(id, LIST);
    if (size < 15) {
      out.put((size << 4) | type);
    } else {
      out.put(0xF0 | type);
      varint(size);
    }
    return this;
  }

  /** Starts a struct element of a list; close it with {@link #endStruct}. */
  Thrift element() {
    return push();
  }

  void i32Element(int v) {
    varint(zigzag(v));
  }

  void i64Element(long v) {
    varint(zigzag(v));
  }

  void boolElement(boolean v) {
    out.put(v ? BOOL_TRUE : BOOL_FALSE);
  }

  void binaryElement(byte[] b) {
    binaryValue(b, 0, b.length);
  }

  void stringElement(String s) {
    binaryElement(s.getBytes(StandardCharsets.UTF_8));
  }

  private Thrift push() {
    if (++depth == lastIds.length) {
      throw new IllegalStateException("Thrift structs nested deeper than " + lastIds.length);
    }
    lastIds[depth] = 0;
    return this;
  }

  private void binaryValue(byte[] b, int off, int len) {
    varint(len);
    out.putBytes(b, off, len);
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private void varint(long v) {
    out.ensure(10);
    while ((v & ~0x7FL) != 0) {
      out.putUnchecked((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.putUnchecked((int) v);
  }
}
