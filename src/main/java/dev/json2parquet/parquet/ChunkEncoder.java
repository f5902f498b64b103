package dev.json2parquet.parquet;

import dev.json2parquet.record.FieldType;
import dev.json2parquet.record.LeafColumn;
import java.io.IOException;
import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Encodes one leaf column of a batch into column chunks: data pages (v1) of RLE levels and PLAIN or
 * dictionary-encoded values, built in one reused byte array and compressed straight from it, with
 * per-page statistics, handed to {@link ParquetFile} (which writes the page headers, the page
 * index and the footer). One encoder per leaf per thread, reused across files.
 *
 * <p>Dictionary encoding is tried for every chunk of a column unless an earlier chunk's dictionary
 * outgrew the limit (then the column is written PLAIN until {@link #forget()}), and kept only when
 * the dictionary plus the ids are smaller than the PLAIN values. One small subclass per value
 * kind keeps the loops monomorphic.
 */
abstract class ChunkEncoder {
  /** Most rows in a page; pages are cut by size first. Larger than parquet-java's 20,000: big pages compress better. */
  static final int PAGE_ROW_LIMIT = 100_000;

  final ColumnDescriptor descriptor;
  final PrimitiveType type;
  /** The leaf column's index in the schema. */
  final int leaf;
  final Shared shared;
  private final int maxRep;
  private final int maxDef;
  private final int repWidth;
  private final int defWidth;
  /** An earlier chunk's dictionary outgrew the limit: write PLAIN. */
  boolean plainLearned;
  /** Whether the chunk being written is dictionary-encoded, and the width of its ids. */
  boolean dictionary;
  int idWidth;
  /** Value index of the chunk's first value: ids[i] belongs to value base + i. */
  int base;
  /** Where {@link #cutFlat} and {@link #cutNested} end the page: its entry and value ends, and its rows. */
  private int cutEntry;
  private int cutValue;
  private int cutRows;

  ChunkEncoder(ColumnDescriptor descriptor, int leaf, Shared shared) {
    this.descriptor = descriptor;
    this.leaf = leaf;
    this.type = descriptor.getPrimitiveType();
    this.shared = shared;
    this.maxRep = descriptor.getMaxRepetitionLevel();
    this.maxDef = descriptor.getMaxDefinitionLevel();
    this.repWidth = Rle.bitWidth(maxRep);
    this.defWidth = Rle.bitWidth(maxDef);
  }

  static ChunkEncoder of(ColumnDescriptor descriptor, int leaf, FieldType type, Shared shared) {
    return switch (type) {
      case STRING -> new Binaries(descriptor, leaf, shared);
      case BOOLEAN -> new Booleans(descriptor, leaf, shared);
      case DOUBLE -> new Numbers(descriptor, leaf, shared, Numbers.DOUBLE);
      case DATE -> new Numbers(descriptor, leaf, shared, Numbers.INT32);
      default -> new Numbers(descriptor, leaf, shared, Numbers.INT64);
    };
  }

  /** Allows dictionary encoding again (data changes). */
  void forget() {
    plainLearned = false;
  }

  /**
   * Writes entries {@code [e0, e1)} of {@code col}, whose first value is value {@code v0}, as one
   * column chunk of the current row group; dictionary-encoded only if {@code allowDictionary}.
   *
   * @return the index of the first value after the chunk
   */
  final int write(ParquetFile file, LeafColumn col, int e0, int e1, int v0, boolean allowDictionary)
      throws IOException {
    int v1 = v0 + valuesIn(col.definitions(), e0, e1);
    base = v0;
    dictionary = allowDictionary && !plainLearned && v1 > v0 && buildDictionary(col, v0, v1);
    file.startColumn(leaf, e1 - e0);
    if (dictionary) {
      ByteBuf buf = shared.page;
      buf.reset();
      int entries = writeDictionary(buf);
      int compressed = shared.codec.compress(buf.array(), buf.size());
      file.writeDictionaryPage(shared.codec.output(), compressed, buf.size(), entries);
    }
    int e = e0;
    int v = v0;
    while (e < e1) {
      if (maxRep == 0) {
        cutFlat(col, e, e1, v);
      } else {
        cutNested(col, e, e1, v);
      }
      int pe = cutEntry;
      int pv = cutValue;
      writePage(file, col, e, pe, v, pv, cutRows);
      e = pe;
      v = pv;
    }
    file.endColumn();
    return v1;
  }

  /**
   * Cuts the page that starts at entry {@code e} (value {@code v}) of a column without repetition
   * (one entry per row): after {@link #PAGE_ROW_LIMIT} rows, or at a multiple of 64 rows once the
   * values reach the page size. Counts values 64 entries at a time; the same cuts as
   * {@link #cutNested}, which it is kept apart from so that each loop stays small and compiles once.
   */
  private void cutFlat(LeafColumn col, int e, int e1, int v) {
    byte[] def = col.definitions();
    int limit = (int) Math.min(e1, (long) e + PAGE_ROW_LIMIT);
    int pe = e;
    int pv = v;
    while (pe < limit) {
      int stop = Math.min(limit, pe + 64);
      pv += valuesIn(def, pe, stop);
      pe = stop;
      if (((pe - e) & 63) == 0 && pageBytes(col, v, pv) >= shared.pageBytes) {
        break;
      }
    }
    cutEntry = pe;
    cutValue = pv;
    cutRows = pe - e;
  }

  /**
   * The number of values among entries {@code [from, to)}: entries at the maximum definition level.
   * With a maximum of 1 (an optional field, the usual column) levels are 0 or 1, so 8 of them are
   * counted at once as the set bits of a word: no branch per entry, whatever the pattern of nulls.
   */
  private int valuesIn(byte[] def, int from, int to) {
    if (maxDef == 0) {
      return to - from;
    }
    if (maxDef == 1) {
      return ones(def, from, to);
    }
    int n = 0;
    for (int e = from; e < to; e++) {
      if (def[e] == maxDef) {
        n++;
      }
    }
    return n;
  }

  /** The sum of {@code b[from, to)}, each byte 0 or 1. */
  static int ones(byte[] b, int from, int to) {
    int n = 0;
    int i = from;
    for (; i + 8 <= to; i += 8) {
      n += Long.bitCount(ByteBuf.getLongLE(b, i));
    }
    for (; i < to; i++) {
      n += b[i];
    }
    return n;
  }

  /**
   * {@link #cutFlat} for a column with repetition: a row is an entry of level 0 and those that
   * follow it. Cuts are only considered every 64 rows (and at {@link #PAGE_ROW_LIMIT}), so the
   * entries up to the next such row end are skipped 8 at a time: the row starts (repetition 0)
   * and the values (definition at the maximum) of a word are counted as its zero bytes.
   */
  private void cutNested(LeafColumn col, int e, int e1, int v) {
    byte[] rep = col.repetitions();
    byte[] def = col.definitions();
    int pe = e;
    int pv = v;
    int rows = 0;
    while (pe < e1) {
      int need = Math.min(PAGE_ROW_LIMIT, (rows | 63) + 1) - rows;
      // the row at pe ends where the need-th row after it starts (or at e1)
      int x = nthZero(rep, pe + 1, e1, need);
      rows += x < e1 ? need : 1 + need - zerosLeft;
      pv += equalTo(def, pe, x, maxDef);
      pe = x;
      if (rows >= PAGE_ROW_LIMIT || ((rows & 63) == 0 && pageBytes(col, v, pv) >= shared.pageBytes)) {
        break;
      }
    }
    cutEntry = pe;
    cutValue = pv;
    cutRows = rows;
  }

  /** What {@link #nthZero} had left to find when it reached the end. */
  private int zerosLeft;

  /**
   * The index of the {@code n}-th zero among {@code b[from, to)} (n >= 1), or {@code to} when there
   * are fewer (then {@link #zerosLeft} says how many were missing). Bytes must be below 0x80.
   */
  private int nthZero(byte[] b, int from, int to, int n) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      int z = zeroBytes(ByteBuf.getLongLE(b, i));
      if (z >= n) {
        break;
      }
      n -= z;
    }
    for (; i < to; i++) {
      if (b[i] == 0 && --n == 0) {
        return i;
      }
    }
    zerosLeft = n;
    return to;
  }

  /** The number of bytes of {@code b[from, to)} equal to {@code level}; bytes and level below 0x80. */
  static int equalTo(byte[] b, int from, int to, int level) {
    long broadcast = (level & 0xFFL) * 0x0101_0101_0101_0101L;
    int n = 0;
    int i = from;
    for (; i + 8 <= to; i += 8) {
      n += zeroBytes(ByteBuf.getLongLE(b, i) ^ broadcast);
    }
    for (; i < to; i++) {
      if (b[i] == level) {
        n++;
      }
    }
    return n;
  }

  /**
   * The zero bytes of a word whose bytes are all below 0x80: adding 0x7F to a byte sets its top bit
   * exactly when it is not zero, and never carries into the next byte.
   */
  static int zeroBytes(long w) {
    return 8 - Long.bitCount(((w + 0x7F7F_7F7F_7F7F_7F7FL) | w) & 0x8080_8080_8080_8080L);
  }

  private void writePage(ParquetFile file, LeafColumn col, int e, int pe, int v, int pv, int rows)
      throws IOException {
    ByteBuf buf = shared.page;
    buf.reset();
    if (maxRep > 0) {
      levels(col.repetitions(), e, pe, repWidth, buf);
    }
    if (maxDef > 0) {
      levels(col.definitions(), e, pe, defWidth, buf);
    }
    ColumnStats stats = new ColumnStats(type.getPrimitiveTypeName());
    stats.addNulls((pe - e) - (pv - v));
    if (pv > v) {
      if (dictionary) {
        buf.put(idWidth);
        Rle.encode(shared.ids, v - base, pv - base, idWidth, buf);
        dictionaryStats(col, v, pv, stats);
      } else {
        plainValues(col, v, pv, buf, stats);
      }
    }
    int compressed = shared.codec.compress(buf.array(), buf.size());
    file.writeDataPage(pe - e, rows, shared.codec.output(), compressed, buf.size(), stats, dictionary);
  }

  /** Appends levels {@code [from, to)} RLE-encoded, after their 4-byte length. */
  private void levels(byte[] levels, int from, int to, int width, ByteBuf buf) {
    int n = to - from;
    int at = buf.size();
    buf.putIntLE(0);
    int same = sameAs(levels, from, to);
    if (same == to) {
      // the usual page: no nulls (or all nulls), one run
      Rle.encodeRun(levels[from], n, width, buf);
    } else {
      int[] scratch = shared.levels(n);
      for (int i = 0; i < n; i++) {
        scratch[i] = levels[from + i];
      }
      Rle.encode(scratch, 0, n, width, buf);
    }
    buf.setIntLE(at, buf.size() - at - 4);
  }

  /** The end of the run of bytes equal to {@code b[from]}, at most {@code to}. */
  private static int sameAs(byte[] b, int from, int to) {
    byte first = b[from];
    int i = from + 1;
    while (i < to && b[i] == first) {
      i++;
    }
    return i;
  }

  /** Estimated encoded bytes of values {@code [v, pv)} in the page being cut. */
  abstract long pageBytes(LeafColumn col, int v, int pv);

  /**
   * Fills {@code shared.ids} for values {@code [v0, v1)} and sets {@link #idWidth}.
   *
   * @return whether the dictionary pays; false also when it outgrew the limit (then learned)
   */
  abstract boolean buildDictionary(LeafColumn col, int v0, int v1);

  /** Appends the dictionary PLAIN-encoded; returns its number of entries. */
  abstract int writeDictionary(ByteBuf buf);

  abstract void dictionaryStats(LeafColumn col, int v, int pv, ColumnStats stats);

  abstract void plainValues(LeafColumn col, int v, int pv, ByteBuf buf, ColumnStats stats);

  /** What the encoders of one thread share: the page buffer, the codec and scratch arrays. */
  static final class Shared {
    final ByteBuf page = new ByteBuf(1 << 16);
    final Compression.PageCodec codec;
    final int pageBytes;
    final long dictionaryBytes;
    int[] ids = new int[1024];
    private int[] levels = new int[1024];
    /** Dictionary ids seen in the current page: {@code marks[id] == stamp}. */
    int[] marks = new int[1024];
    int stamp;

    Shared(WriterSettings settings) {
      this.codec = settings.compression().newCodec();
      this.pageBytes = settings.pageBytes();
      this.dictionaryBytes = settings.dictionaryPageBytes();
    }

    int[] ids(int n) {
      if (ids.length < n) {
        ids = new int[Math.max(n, ids.length * 2)];
      }
      return ids;
    }

    int[] levels(int n) {
      if (levels.length < n) {
        levels = new int[Math.max(n, levels.length * 2)];
      }
      return levels;
    }

    /** A fresh stamp for marking ids in a page, with room for ids up to {@code size}. */
    int newStamp(int size) {
      if (marks.length < size) {
        marks = new int[Math.max(size, marks.length * 2)];
        stamp = 0;
      }
      if (++stamp == Integer.MAX_VALUE) {
        Arrays.fill(marks, 0);
        stamp = 1;
      }
      return stamp;
    }
  }

  private static final class Binaries extends ChunkEncoder {
    private final BinaryDictionary dict = new BinaryDictionary();

    Binaries(ColumnDescriptor descriptor, int leaf, Shared shared) {
      super(descriptor, leaf, shared);
    }

    @Override
    long pageBytes(LeafColumn col, int v, int pv) {
      if (dictionary) {
        return ((long) (pv - v) * idWidth) >>> 3;
      }
      return col.start(pv) - col.start(v) + 4L * (pv - v);
    }

    @Override
    boolean buildDictionary(LeafColumn col, int v0, int v1) {
      BinaryDictionary d = dict;
      d.clear();
      int[] ids = shared.ids(v1 - v0);
      byte[] data = col.data();
      int[] ends = col.ends();
      int start = col.start(v0);
      long limit = shared.dictionaryBytes;
      for (int v = v0; v < v1; v++) {
        int end = ends[v];
        ids[v - v0] = d.id(data, start, end - start);
        start = end;
        if (d.plainBytes() > limit) {
          plainLearned = true;
          return false;
        }
      }
      idWidth = Rle.bitWidth(d.size() - 1);
      long plain = col.start(v1) - col.start(v0) + 4L * (v1 - v0);
      long encoded = d.plainBytes() + (((long) (v1 - v0) * idWidth + 7) >>> 3);
      return encoded < plain;
    }

    @Override
    int writeDictionary(ByteBuf buf) {
      BinaryDictionary d = dict;
      byte[] data = d.data();
      buf.ensure((int) d.plainBytes());
      for (int id = 0; id < d.size(); id++) {
        int start = d.start(id);
        int len = d.end(id) - start;
        buf.putIntLE(len);
        buf.putBytes(data, start, len);
      }
      return d.size();
    }

    @Override
    void dictionaryStats(LeafColumn col, int v, int pv, ColumnStats stats) {
      BinaryDictionary d = dict;
      int stamp = shared.newStamp(d.size());
      int[] marks = shared.marks;
      int[] ids = shared.ids;
      byte[] data = d.data();
      int min = -1;
      int max = -1;
      for (int i = v - base; i < pv - base; i++) {
        int id = ids[i];
        if (marks[id] == stamp) {
          continue;
        }
        marks[id] = stamp;
        int s = d.start(id);
        int e = d.end(id);
        if (min < 0) {
          min = id;
          max = id;
        } else if (Arrays.compareUnsigned(data, s, e, data, d.start(min), d.end(min)) < 0) {
          min = id;
        } else if (Arrays.compareUnsigned(data, s, e, data, d.start(max), d.end(max)) > 0) {
          max = id;
        }
      }
      stats.binaries(data, d.start(min), d.end(min), data, d.start(max), d.end(max));
    }

    /**
     * Appends values {@code [v, pv)} as PLAIN (a 4-byte length before each) and their min and max.
     * Strings are ordered by their first 8 bytes as an unsigned big-endian number (zero-padded)
     * first: a different prefix orders two strings the same way their bytes do, so the full
     * comparison runs only when the prefixes are equal. Short values are copied as two 8-byte
     * words (the page buffer has room past its end for the over-copy).
     */
    @Override
    void plainValues(LeafColumn col, int v, int pv, ByteBuf buf, ColumnStats stats) {
      byte[] data = col.data();
      int[] ends = col.ends();
      int start = col.start(v);
      buf.ensure(col.start(pv) - start + 4 * (pv - v) + 16);
      int minS = start;
      int minE = ends[v];
      long minP = prefix(data, minS, minE);
      int maxS = minS;
      int maxE = minE;
      long maxP = minP;
      int copyLimit = data.length - 16;
      for (int k = v; k < pv; k++) {
        int end = ends[k];
        int len = end - start;
        if (len <= 16 && start <= copyLimit) {
          buf.putShortUnchecked(len, data, start);
        } else {
          buf.putIntUnchecked(len);
          buf.putBytes(data, start, len);
        }
        long p = prefix(data, start, end);
        int toMin = Long.compareUnsigned(p, minP);
        if (toMin < 0 || (toMin == 0 && Arrays.compareUnsigned(data, start, end, data, minS, minE) < 0)) {
          minS = start;
          minE = end;
          minP = p;
        } else {
          int toMax = Long.compareUnsigned(p, maxP);
          if (toMax > 0 || (toMax == 0 && Arrays.compareUnsigned(data, start, end, data, maxS, maxE) > 0)) {
            maxS = start;
            maxE = end;
            maxP = p;
          }
        }
        start = end;
      }
      stats.binaries(data, minS, minE, data, maxS, maxE);
    }

    /** The first 8 bytes of {@code data[start, end)} as an unsigned big-endian number, zero-padded. */
    static long prefix(byte[] data, int start, int end) {
      int len = end - start;
      if (start <= data.length - 8) {
        long word = Long.reverseBytes(ByteBuf.getLongLE(data, start));
        return len >= 8 ? word : len == 0 ? 0 : word & (-1L << (8 * (8 - len)));
      }
      long p = 0;
      for (int i = 0; i < 8; i++) {
        p = (p << 8) | (i < len ? data[start + i] & 0xFFL : 0);
      }
      return p;
    }
  }

  /** INT64 (integers, timestamps), INT32 (dates) and DOUBLE columns, all held as longs in the batch. */
  private static final class Numbers extends ChunkEncoder {
    static final int INT64 = 0;
    static final int INT32 = 1;
    static final int DOUBLE = 2;

    private final LongDictionary dict = new LongDictionary();
    private final int kind;
    private final int width;

    Numbers(ColumnDescriptor descriptor, int leaf, Shared shared, int kind) {
      super(descriptor, leaf, shared);
      this.kind = kind;
      this.width = kind == INT32 ? 4 : 8;
    }

    @Override
    long pageBytes(LeafColumn col, int v, int pv) {
      return dictionary ? ((long) (pv - v) * idWidth) >>> 3 : (long) (pv - v) * width;
    }

    @Override
    boolean buildDictionary(LeafColumn col, int v0, int v1) {
      LongDictionary d = dict;
      d.clear();
      int[] ids = shared.ids(v1 - v0);
      long[] longs = col.longs();
      long maxEntries = shared.dictionaryBytes / width;
      for (int v = v0; v < v1; v++) {
        ids[v - v0] = d.id(longs[v]);
        if (d.size() > maxEntries) {
          plainLearned = true;
          return false;
        }
      }
      idWidth = Rle.bitWidth(d.size() - 1);
      long encoded = (long) d.size() * width + (((long) (v1 - v0) * idWidth + 7) >>> 3);
      return encoded < (long) (v1 - v0) * width;
    }

    @Override
    int writeDictionary(ByteBuf buf) {
      LongDictionary d = dict;
      for (int id = 0; id < d.size(); id++) {
        put(buf, d.value(id));
      }
      return d.size();
    }

    private void put(ByteBuf buf, long value) {
      if (width == 4) {
        buf.putIntLE((int) value);
      } else {
        buf.putLongLE(value);
      }
    }

    @Override
    void dictionaryStats(LeafColumn col, int v, int pv, ColumnStats stats) {
      stats(col.longs(), v, pv, stats);
    }

    @Override
    void plainValues(LeafColumn col, int v, int pv, ByteBuf buf, ColumnStats stats) {
      long[] longs = col.longs();
      for (int k = v; k < pv; k++) {
        put(buf, longs[k]);
      }
      stats(longs, v, pv, stats);
    }

    private void stats(long[] longs, int v, int pv, ColumnStats stats) {
      if (kind == DOUBLE) {
        double min = Double.longBitsToDouble(longs[v]);
        double max = min;
        for (int k = v + 1; k < pv; k++) {
          double x = Double.longBitsToDouble(longs[k]);
          if (Double.compare(x, min) < 0) {
            min = x;
          } else if (Double.compare(x, max) > 0) {
            max = x;
          }
        }
        stats.doubles(min, max);
        return;
      }
      long min = longs[v];
      long max = min;
      for (int k = v + 1; k < pv; k++) {
        long x = longs[k];
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      stats.longs(min, max);
    }
  }

  /** BOOLEAN columns: PLAIN, one bit per value, least significant bit first. */
  private static final class Booleans extends ChunkEncoder {
    Booleans(ColumnDescriptor descriptor, int leaf, Shared shared) {
      super(descriptor, leaf, shared);
    }

    @Override
    long pageBytes(LeafColumn col, int v, int pv) {
      return (pv - v + 7L) >>> 3;
    }

    @Override
    boolean buildDictionary(LeafColumn col, int v0, int v1) {
      return false;
    }

    @Override
    int writeDictionary(ByteBuf buf) {
      throw new IllegalStateException("booleans have no dictionary");
    }

    @Override
    void dictionaryStats(LeafColumn col, int v, int pv, ColumnStats stats) {
      throw new IllegalStateException("booleans have no dictionary");
    }

    @Override
    void plainValues(LeafColumn col, int v, int pv, ByteBuf buf, ColumnStats stats) {
      long[] longs = col.longs();
      buf.ensure((pv - v + 7) >>> 3);
      int acc = 0;
      int bits = 0;
      boolean anyTrue = false;
      boolean anyFalse = false;
      for (int k = v; k < pv; k++) {
        if (longs[k] != 0) {
          acc |= 1 << bits;
          anyTrue = true;
        } else {
          anyFalse = true;
        }
        if (++bits == 8) {
          buf.putUnchecked(acc);
          acc = 0;
          bits = 0;
        }
      }
      if (bits > 0) {
        buf.putUnchecked(acc);
      }
      if (anyFalse || anyTrue) {
        stats.longs(anyFalse ? 0 : 1, anyTrue ? 1 : 0);
      }
    }
  }
}
