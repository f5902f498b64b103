package dev.json2parquet.record;

import java.nio.charset.StandardCharsets;

/**
 * Records of one schema, shredded into leaf columns. The reader shreds each record into a
 * one-record batch (so a bad record can be dropped without touching anything else), and the
 * buffer appends it to the batch of its key. Not thread-safe.
 */
public final class ColumnBatch {
  private final RecordSchema schema;
  private final LeafColumn[] columns;
  private int records;
  private final long[] allocation = {64};
  /** Column sizes before the record being read, for {@link #rollback()}. */
  private final int[] markEntries;
  private final int[] markValues;
  private final int[] markData;
  /** A leaf outside repeated fields (one entry per record), or -1. */
  private final int scalarLeaf;

  public ColumnBatch(RecordSchema schema) {
    this.schema = schema;
    this.columns = new LeafColumn[schema.leafCount()];
    this.markEntries = new int[columns.length];
    this.markValues = new int[columns.length];
    this.markData = new int[columns.length];
    for (int i = 0; i < columns.length; i++) {
      Field leaf = schema.leaves().get(i);
      columns[i] = new LeafColumn(leaf.type().isBinary(), leaf.repetitionLevel() > 0, leaf.definitionLevel(),
          allocation);
    }
    int scalar = -1;
    for (int i = columns.length - 1; i >= 0; i--) {
      if (!columns[i].repeated) {
        scalar = i;
      }
    }
    this.scalarLeaf = scalar;
  }

  public RecordSchema schema() {
    return schema;
  }

  public LeafColumn column(int leaf) {
    return columns[leaf];
  }

  /** The columns themselves, by leaf index; for the readers of this package. */
  LeafColumn[] columns() {
    return columns;
  }

  public int records() {
    return records;
  }

  void endRecord() {
    records++;
  }

  /** Counts {@code n} records whose entries were added to the columns directly ({@link PackedRecords}). */
  void addRecords(int n) {
    records += n;
  }

  /** Appends all records of {@code other}. */
  public void append(ColumnBatch other) {
    appendFrom(other, other.cursor(), other.records);
  }

  /** A position in this batch, at its first record; moved on by {@link #appendFrom}. */
  public Cursor cursor() {
    return new Cursor(columns.length);
  }

  /** A record position in a batch: the entry and value index of each column. */
  public static final class Cursor {
    final int[] entry;
    final int[] value;

    private Cursor(int columns) {
      entry = new int[columns];
      value = new int[columns];
    }
  }

  /**
   * Appends the next {@code n} records of {@code src}, from {@code at} on, and moves {@code at}
   * past them: whole runs of records are copied column by column with array copies.
   */
  public void appendFrom(ColumnBatch src, Cursor at, int n) {
    // the run ends where src does (a staging batch of one key, appended whole): each column's ends
    // are known without walking its levels; a column outside repeated fields, one entry per record, tells
    boolean toEnd = scalarLeaf >= 0 && at.entry[scalarLeaf] + n == src.columns[scalarLeaf].entries;
    for (int i = 0; i < columns.length; i++) {
      LeafColumn s = src.columns[i];
      int e0 = at.entry[i];
      int v0 = at.value[i];
      int e1 = toEnd ? s.entries : s.endOfRecords(e0, n);
      int v1 = toEnd ? s.values : v0 + s.valuesIn(e0, e1);
      columns[i].appendRange(s, e0, e1, v0, v1);
      at.entry[i] = e1;
      at.value[i] = v1;
    }
    records += n;
  }

  /** Remembers the current end, so that a record being read can be dropped with {@link #rollback()}. */
  void mark() {
    for (int i = 0; i < columns.length; i++) {
      LeafColumn c = columns[i];
      markEntries[i] = c.entries;
      markValues[i] = c.values;
      markData[i] = c.dataLength;
    }
  }

  /** Drops everything added since {@link #mark()}. */
  void rollback() {
    for (int i = 0; i < columns.length; i++) {
      columns[i].truncate(markEntries[i], markValues[i], markData[i]);
    }
  }

  public void clear() {
    for (LeafColumn c : columns) {
      c.clear();
    }
    records = 0;
  }

  /** Bytes of the batch's arrays in use; a loop over the columns, so call it now and then. */
  public long usedBytes() {
    long n = 0;
    for (LeafColumn c : columns) {
      n += c.usedBytes();
    }
    return n;
  }

  /** Bytes allocated by this batch's arrays: what it costs the buffer. */
  public long allocatedBytes() {
    return allocation[0];
  }

  /**
   * The value of a scalar (non-repeated) leaf in the batch's last record, as text; null when
   * absent. Booleans and numbers are rendered in their JSON form.
   */
  public String scalarText(Field leaf) {
    LeafColumn c = columns[leaf.leafIndex()];
    if (!c.lastIsValue()) {
      return null;
    }
    int v = c.lastValue();
    if (c.binary) {
      return new String(c.data, c.start(v), c.end(v) - c.start(v), StandardCharsets.UTF_8);
    }
    long x = c.longs[v];
    return switch (leaf.type()) {
      case BOOLEAN -> x != 0 ? "true" : "false";
      case DOUBLE -> Double.toString(Double.longBitsToDouble(x));
      default -> Long.toString(x);
    };
  }
}
