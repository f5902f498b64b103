package dev.json2parquet.parquet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Writes the Parquet file format around pages that {@link ChunkEncoder} has encoded and compressed:
 * the magic, page headers, and at the end the page index (a column index of per-page min/max/null
 * counts and an offset index of page locations, per column chunk) and the footer. Metadata goes
 * out in Thrift's compact protocol through {@link Thrift}; no parquet-java writer objects are made
 * per file. Data page headers carry no statistics (the column index holds them, as parquet-java
 * does since 1.11); column chunks carry min, max and null count.
 *
 * <p>Use: {@link #start}, then per row group {@link #startBlock}, per column {@link #startColumn},
 * an optional {@link #writeDictionaryPage}, {@link #writeDataPage}s, {@link #endColumn}; then
 * {@link #endBlock}; finally {@link #end}. One per file, used by one thread at a time: a rolling
 * file is appended to by whichever encoder thread holds it, each binding its own scratch buffer
 * ({@link #bind}) first. {@link #resume} drops a row group whose write failed and continues on a new
 * stream that already holds the bytes up to the end of the last complete row group.
 *
 * <p>A row group's column chunks may also be encoded on several threads at once, each into a
 * {@link #chunkBuffer} of its own (in memory, offsets from 0), and then copied into the file in
 * column order with {@link #appendChunk}, which moves the chunk's offsets to where it lands: the
 * file's bytes are the same as when the chunks are written one after the other.
 */
final class ParquetFile {
  static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  static final String CREATED_BY = "json2parquet version " + dev.json2parquet.Version.NUMBER;

  // Parquet's enums (parquet.thrift)
  static final int PAGE_DATA = 0;
  static final int PAGE_DICTIONARY = 2;
  static final int ENCODING_PLAIN = 0;
  static final int ENCODING_PLAIN_DICTIONARY = 2;
  static final int ENCODING_RLE = 3;
  // members of the LogicalType union (timestamps here are always microseconds)
  static final int STRING = 1;
  static final int MAP = 2;
  static final int LIST = 3;
  static final int DATE = 6;
  static final int TIMESTAMP_MICROS = 8;
  private static final byte[] NO_BYTES = new byte[0];

  private OutputStream out;
  private final Schema schema;
  private Thrift thrift;
  private long pos;
  /** Where the last complete row group ends (after the magic when there is none). */
  private long complete;
  private final List<RowGroup> groups = new ArrayList<>();
  private RowGroup group;
  private Chunk chunk;

  ParquetFile(OutputStream out, Schema schema, ByteBuf scratch) {
    this.out = out;
    this.schema = schema;
    this.thrift = new Thrift(scratch);
  }

  /**
   * An in-memory file that holds one column chunk at a time (no magic), for {@link #appendChunk}:
   * call {@link #startChunk}, then {@link #startColumn} ... {@link #endColumn} as on a file. Its
   * bytes grow to the largest chunk written into it and are reused. Used by one thread at a time.
   */
  static ParquetFile chunkBuffer(Schema schema, ByteBuf scratch) {
    ParquetFile f = new ParquetFile(new Memory(), schema, scratch);
    f.group = new RowGroup(0, 1);
    return f;
  }

  /** Empties a {@link #chunkBuffer} for the next chunk. */
  void startChunk() {
    ((Memory) out).bytes.reset();
    pos = 0;
    group.chunks.clear();
    chunk = null;
  }

  /**
   * Copies the chunk that {@code part} (a {@link #chunkBuffer}) holds to the end of this file, as the
   * next column chunk of the current row group; its page offsets are moved by where it lands.
   */
  void appendChunk(ParquetFile part) throws IOException {
    Chunk c = part.group.chunks.get(0);
    ByteBuf bytes = ((Memory) part.out).bytes;
    long at = pos;
    write(bytes.array(), 0, bytes.size());
    c.moveBy(at);
    group.chunks.add(c);
    part.group.chunks.clear();
  }

  /** The capacity of a {@link #chunkBuffer}'s bytes. */
  long bufferCapacity() {
    return ((Memory) out).bytes.array().length;
  }

  /** The stream of a {@link #chunkBuffer}. */
  private static final class Memory extends OutputStream {
    final ByteBuf bytes = new ByteBuf(1 << 16);

    @Override
    public void write(int b) {
      bytes.put(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes.putBytes(b, off, len);
    }
  }

  void start() throws IOException {
    write(MAGIC, 0, MAGIC.length);
    complete = pos;
  }

  /** Writes metadata through {@code scratch} from now on (the calling thread's buffer). */
  void bind(ByteBuf scratch) {
    if (thrift == null || thrift.buffer() != scratch) {
      thrift = new Thrift(scratch);
    }
  }

  /** Bytes up to the end of the last complete row group: what {@link #resume} keeps. */
  long completeLength() {
    return complete;
  }

  int rowGroups() {
    return groups.size();
  }

  /** Rows in the complete row groups. */
  long rows() {
    long rows = 0;
    for (RowGroup g : groups) {
      rows += g.rows;
    }
    return rows;
  }

  /**
   * Forgets a row group or footer whose write failed and goes on writing to {@code next}, which
   * already holds this file's first {@link #completeLength} bytes.
   */
  void resume(OutputStream next) {
    out = next;
    pos = complete;
    group = null;
    chunk = null;
  }

  void startBlock(long rows) {
    group = new RowGroup(rows, schema.leaves());
  }

  void startColumn(int leaf, long valueCount) {
    chunk = new Chunk(leaf, valueCount, schema.descriptor(leaf).getPrimitiveType());
  }

  void writeDictionaryPage(byte[] data, int compressedLength, int uncompressedLength, int entries)
      throws IOException {
    Chunk c = chunk;
    c.dictionaryOffset = pos;
    Thrift t = header(PAGE_DICTIONARY, uncompressedLength, compressedLength);
    t.struct(7).i32(1, entries).i32(2, ENCODING_PLAIN_DICTIONARY).endStruct();
    int headerLength = flushHeader();
    write(data, 0, compressedLength);
    c.add(headerLength, uncompressedLength, compressedLength);
    c.dictionaryPages++;
  }

  /** A v1 data page of {@code valueCount} entries (levels), {@code rows} records, with its statistics. */
  void writeDataPage(int valueCount, int rows, byte[] data, int compressedLength, int uncompressedLength,
      ColumnStats stats, boolean dictionary) throws IOException {
    Chunk c = chunk;
    long offset = pos;
    if (c.dataOffset < 0) {
      c.dataOffset = offset;
    }
    Thrift t = header(PAGE_DATA, uncompressedLength, compressedLength);
    t.struct(5).i32(1, valueCount).i32(2, dictionary ? ENCODING_PLAIN_DICTIONARY : ENCODING_PLAIN)
        .i32(3, ENCODING_RLE).i32(4, ENCODING_RLE).endStruct();
    int headerLength = flushHeader();
    write(data, 0, compressedLength);
    c.add(headerLength, uncompressedLength, compressedLength);
    if (dictionary) {
      c.dictionaryDataPages++;
    } else {
      c.plainDataPages++;
    }
    c.page(offset, (int) (pos - offset), rows, stats);
  }

  private Thrift header(int type, int uncompressedLength, int compressedLength) {
    return beginStruct().i32(1, type).i32(2, uncompressedLength).i32(3, compressedLength);
  }

  /** Starts a top-level struct (page header, index, footer) in the scratch buffer. */
  private Thrift beginStruct() {
    thrift.buffer().reset();
    return thrift.begin();
  }

  /** Ends the struct begun by {@link #beginStruct} and writes it out; returns its length. */
  private int flushHeader() throws IOException {
    thrift.end();
    ByteBuf b = thrift.buffer();
    write(b.array(), 0, b.size());
    return b.size();
  }

  void endColumn() {
    group.chunks.add(chunk);
    chunk = null;
  }

  /**
   * Ends the row group; its bytes are flushed to the stream's target first, so that when a later
   * write fails (a full disk) the file's complete row groups can be read back from the sink whole.
   *
   * @throws IOException when they cannot be flushed (the row group then does not count as complete)
   */
  void endBlock() throws IOException {
    out.flush();
    groups.add(group);
    group = null;
    complete = pos;
  }

  /** Writes the page index and the footer with {@code metadata} as key-value pairs; returns the file's length. */
  long end(Map<String, String> metadata) throws IOException {
    for (RowGroup g : groups) {
      for (Chunk c : g.chunks) {
        if (c.unbounded) {
          continue; // a page's strings have no short upper bound: no column index for this chunk
        }
        c.columnIndexOffset = pos;
        columnIndex(beginStruct(), c);
        c.columnIndexLength = flushHeader();
      }
    }
    for (RowGroup g : groups) {
      for (Chunk c : g.chunks) {
        c.offsetIndexOffset = pos;
        offsetIndex(beginStruct(), c);
        c.offsetIndexLength = flushHeader();
      }
    }
    footer(beginStruct(), metadata);
    int footer = flushHeader();
    ByteBuf b = thrift.buffer();
    b.reset();
    b.putIntLE(footer);
    b.putBytes(MAGIC, 0, MAGIC.length);
    write(b.array(), 0, b.size());
    return pos;
  }

  private void columnIndex(Thrift t, Chunk c) {
    int n = c.pages;
    t.list(1, Thrift.BOOL_TRUE, n);
    for (int i = 0; i < n; i++) {
      t.boolElement(c.pageMin[i] == null);
    }
    t.list(2, Thrift.BINARY, n);
    for (int i = 0; i < n; i++) {
      t.binaryElement(c.pageMin[i] == null ? NO_BYTES : c.pageMin[i]);
    }
    t.list(3, Thrift.BINARY, n);
    for (int i = 0; i < n; i++) {
      t.binaryElement(c.pageMax[i] == null ? NO_BYTES : c.pageMax[i]);
    }
    t.i32(4, 0); // boundary order: UNORDERED (always true; readers then check every page)
    t.list(5, Thrift.I64, n);
    for (int i = 0; i < n; i++) {
      t.i64Element(c.pageNulls[i]);
    }
  }

  private void offsetIndex(Thrift t, Chunk c) {
    t.list(1, Thrift.STRUCT, c.pages);
    for (int i = 0; i < c.pages; i++) {
      t.element().i64(1, c.pageOffset[i]).i32(2, c.pageLength[i]).i64(3, c.pageFirstRow[i]).endStruct();
    }
  }

  private void footer(Thrift t, Map<String, String> metadata) {
    t.i32(1, 1);
    t.list(2, Thrift.STRUCT, schema.elements.size());
    for (SchemaElement e : schema.elements) {
      e.write(t);
    }
    t.i64(3, rows());
    t.list(4, Thrift.STRUCT, groups.size());
    for (int i = 0; i < groups.size(); i++) {
      rowGroup(t, groups.get(i), i);
    }
    if (!metadata.isEmpty()) {
      t.list(5, Thrift.STRUCT, metadata.size());
      for (Map.Entry<String, String> kv : metadata.entrySet()) {
        t.element().string(1, kv.getKey());
        if (kv.getValue() != null) {
          t.string(2, kv.getValue());
        }
        t.endStruct();
      }
    }
    t.string(6, CREATED_BY);
    t.list(7, Thrift.STRUCT, schema.leaves());
    for (int i = 0; i < schema.leaves(); i++) {
      t.element().emptyStruct(1).endStruct(); // TYPE_ORDER: min/max compare as the logical type says
    }
  }

  private void rowGroup(Thrift t, RowGroup g, int ordinal) {
    long uncompressed = 0;
    long compressed = 0;
    for (Chunk c : g.chunks) {
      uncompressed += c.uncompressed;
      compressed += c.compressed;
    }
    t.element();
    t.list(1, Thrift.STRUCT, g.chunks.size());
    for (Chunk c : g.chunks) {
      columnChunk(t, c);
    }
    t.i64(2, uncompressed).i64(3, g.rows);
    t.i64(5, g.chunks.get(0).start()).i64(6, compressed).i16(7, ordinal);
    t.endStruct();
  }

  private void columnChunk(Thrift t, Chunk c) {
    ColumnDescriptor d = schema.descriptor(c.leaf);
    t.element();
    t.i64(2, c.start());
    t.struct(3);
    t.i32(1, physicalType(d.getPrimitiveType().getPrimitiveTypeName()));
    boolean dict = c.dictionaryPages > 0;
    boolean plain = c.plainDataPages > 0;
    t.list(2, Thrift.I32, 1 + (dict ? 1 : 0) + (plain ? 1 : 0));
    if (plain) {
      t.i32Element(ENCODING_PLAIN);
    }
    if (dict) {
      t.i32Element(ENCODING_PLAIN_DICTIONARY);
    }
    t.i32Element(ENCODING_RLE);
    String[] path = d.getPath();
    t.list(3, Thrift.BINARY, path.length);
    for (String p : path) {
      t.stringElement(p);
    }
    t.i32(4, codec(schema.codec));
    t.i64(5, c.valueCount).i64(6, c.uncompressed).i64(7, c.compressed).i64(9, c.dataOffset);
    if (dict) {
      t.i64(11, c.dictionaryOffset);
    }
    statistics(t, c);
    int kinds = (dict ? 1 : 0) + (c.dictionaryDataPages > 0 ? 1 : 0) + (plain ? 1 : 0);
    t.list(13, Thrift.STRUCT, kinds);
    if (dict) {
      t.element().i32(1, PAGE_DICTIONARY).i32(2, ENCODING_PLAIN_DICTIONARY).i32(3, c.dictionaryPages).endStruct();
    }
    if (c.dictionaryDataPages > 0) {
      t.element().i32(1, PAGE_DATA).i32(2, ENCODING_PLAIN_DICTIONARY).i32(3, c.dictionaryDataPages).endStruct();
    }
    if (plain) {
      t.element().i32(1, PAGE_DATA).i32(2, ENCODING_PLAIN).i32(3, c.plainDataPages).endStruct();
    }
    t.endStruct();
    t.i64(4, c.offsetIndexOffset).i32(5, c.offsetIndexLength);
    if (!c.unbounded) {
      t.i64(6, c.columnIndexOffset).i32(7, c.columnIndexLength);
    }
    t.endStruct();
  }

  /**
   * Chunk statistics: null count, and min and max when there is a value. Types ordered as signed
   * numbers also get the deprecated min and max fields (same values), which older readers use;
   * strings (unsigned byte order) only the new ones, as the format asks.
   */
  private static void statistics(Thrift t, Chunk c) {
    ColumnStats s = c.stats;
    t.struct(12);
    byte[] max = s.hasValues() ? s.maxBytes() : null;
    boolean signed = c.type.getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY;
    if (max != null && signed) {
      t.binary(1, max).binary(2, s.minBytes());
    }
    t.i64(3, s.nulls());
    if (max != null) {
      t.binary(5, max).binary(6, s.minBytes());
      if (!s.exact()) {
        t.bool(7, false).bool(8, false); // is_max_value_exact, is_min_value_exact
      }
    }
    t.endStruct();
  }

  static int physicalType(PrimitiveType.PrimitiveTypeName type) {
    return switch (type) {
      case BOOLEAN -> 0;
      case INT32 -> 1;
      case INT64 -> 2;
      case INT96 -> 3;
      case FLOAT -> 4;
      case DOUBLE -> 5;
      case BINARY -> 6;
      case FIXED_LEN_BYTE_ARRAY -> 7;
    };
  }

  static int codec(CompressionCodecName codec) {
    return switch (codec) {
      case UNCOMPRESSED -> 0;
      case SNAPPY -> 1;
      case GZIP -> 2;
      case LZO -> 3;
      case BROTLI -> 4;
      case LZ4 -> 5;
      case ZSTD -> 6;
      case LZ4_RAW -> 7;
    };
  }

  private void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    pos += len;
  }

  private static final class RowGroup {
    final long rows;
    final List<Chunk> chunks;

    RowGroup(long rows, int columns) {
      this.rows = rows;
      this.chunks = new ArrayList<>(columns);
    }
  }

  /** One column chunk's metadata, collected as its pages are written. */
  private static final class Chunk {
    final int leaf;
    final long valueCount;
    final PrimitiveType type;
    final ColumnStats stats;
    long dictionaryOffset = -1;
    long dataOffset = -1;
    long uncompressed;
    long compressed;
    int dictionaryPages;
    int dictionaryDataPages;
    int plainDataPages;
    long rowsSoFar;
    int pages;
    long[] pageOffset = new long[4];
    int[] pageLength = new int[4];
    long[] pageFirstRow = new long[4];
    byte[][] pageMin = new byte[4][];
    byte[][] pageMax = new byte[4][];
    long[] pageNulls = new long[4];
    long columnIndexOffset;
    int columnIndexLength;
    /** True when a page with values has no short upper bound (see {@link ColumnStats#maxBytes}). */
    boolean unbounded;
    long offsetIndexOffset;
    int offsetIndexLength;

    Chunk(int leaf, long valueCount, PrimitiveType type) {
      this.leaf = leaf;
      this.valueCount = valueCount;
      this.type = type;
      this.stats = new ColumnStats(type.getPrimitiveTypeName());
    }

    long start() {
      return dictionaryOffset >= 0 ? dictionaryOffset : dataOffset;
    }

    /** Moves the chunk's offsets by {@code delta} bytes (it was written elsewhere first). */
    void moveBy(long delta) {
      if (dictionaryOffset >= 0) {
        dictionaryOffset += delta;
      }
      if (dataOffset >= 0) {
        dataOffset += delta;
      }
      for (int i = 0; i < pages; i++) {
        pageOffset[i] += delta;
      }
    }

    void add(int headerLength, int uncompressedLength, int compressedLength) {
      uncompressed += headerLength + uncompressedLength;
      compressed += headerLength + compressedLength;
    }

    void page(long offset, int length, int rows, ColumnStats pageStats) {
      if (pages == pageOffset.length) {
        int n = pages * 2;
        pageOffset = java.util.Arrays.copyOf(pageOffset, n);
        pageLength = java.util.Arrays.copyOf(pageLength, n);
        pageFirstRow = java.util.Arrays.copyOf(pageFirstRow, n);
        pageMin = java.util.Arrays.copyOf(pageMin, n);
        pageMax = java.util.Arrays.copyOf(pageMax, n);
        pageNulls = java.util.Arrays.copyOf(pageNulls, n);
      }
      pageOffset[pages] = offset;
      pageLength[pages] = length;
      pageFirstRow[pages] = rowsSoFar;
      boolean values = pageStats.hasValues();
      pageMin[pages] = values ? pageStats.minBytes() : null;
      pageMax[pages] = values ? pageStats.maxBytes() : null;
      unbounded |= values && pageMax[pages] == null;
      pageNulls[pages] = pageStats.nulls();
      pages++;
      rowsSoFar += rows;
      stats.merge(pageStats);
    }
  }

  /** The file schema as Parquet's flattened schema elements, with the leaves' descriptors; made once per encoder. */
  static final class Schema {
    final List<SchemaElement> elements = new ArrayList<>();
    private final List<ColumnDescriptor> columns;
    final CompressionCodecName codec;

    Schema(MessageType message, CompressionCodecName codec) {
      this.columns = message.getColumns();
      this.codec = codec;
      elements.add(new SchemaElement(message.getName(), -1, -1, message.getFieldCount(), -1, false));
      for (Type f : message.getFields()) {
        add(f);
      }
    }

    int leaves() {
      return columns.size();
    }

    ColumnDescriptor descriptor(int leaf) {
      return columns.get(leaf);
    }

    private void add(Type f) {
      int repetition = switch (f.getRepetition()) {
        case REQUIRED -> 0;
        case OPTIONAL -> 1;
        case REPEATED -> 2;
      };
      LogicalTypeAnnotation a = f.getLogicalTypeAnnotation();
      int logical = logicalType(a);
      boolean utc = a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts && ts.isAdjustedToUTC();
      if (f.isPrimitive()) {
        elements.add(new SchemaElement(f.getName(), physicalType(f.asPrimitiveType().getPrimitiveTypeName()),
            repetition, -1, logical, utc));
        return;
      }
      GroupType g = f.asGroupType();
      elements.add(new SchemaElement(f.getName(), -1, repetition, g.getFieldCount(), logical, utc));
      for (Type c : g.getFields()) {
        add(c);
      }
    }

    /**
     * The member of Parquet's LogicalType union (its field id) for the annotations the schema mapping
     * makes (see ParquetSchemas), or -1 for none.
     */
    private static int logicalType(LogicalTypeAnnotation a) {
      if (a == null) {
        return -1;
      }
      if (a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
        return STRING;
      }
      if (a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation) {
        return MAP;
      }
      if (a instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
        return LIST;
      }
      if (a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
        return DATE;
      }
      if (a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
          && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS) {
        return TIMESTAMP_MICROS;
      }
      throw new IllegalStateException("Cannot write Parquet logical type " + a);
    }
  }

  /** One element of the flattened schema; {@code logical} is a LogicalType union member or -1. */
  record SchemaElement(String name, int type, int repetition, int children, int logical, boolean utc) {
    /** The legacy converted type that goes with the logical type, or -1. */
    int converted() {
      return switch (logical) {
        case STRING -> 0; // UTF8
        case MAP -> 1;
        case LIST -> 3;
        case DATE -> 6;
        case TIMESTAMP_MICROS -> utc ? 10 : -1; // TIMESTAMP_MICROS means UTC-adjusted
        default -> -1;
      };
    }

    void write(Thrift t) {
      t.element();
      if (type >= 0) {
        t.i32(1, type);
      }
      if (repetition >= 0) {
        t.i32(3, repetition);
      }
      t.string(4, name);
      if (children >= 0) {
        t.i32(5, children);
      }
      if (converted() >= 0) {
        t.i32(6, converted());
      }
      if (logical == TIMESTAMP_MICROS) {
        // TimestampType { isAdjustedToUTC, unit: TimeUnit { MICROS } }
        t.struct(10).struct(logical).bool(1, utc).struct(2).emptyStruct(2).endStruct().endStruct().endStruct();
      } else if (logical >= 0) {
        t.struct(10).emptyStruct(logical).endStruct();
      }
      t.endStruct();
    }
  }
}
