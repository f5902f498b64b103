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

  public ColumnBatch(RecordSchema schema) {
    this.schema = schema;
    this.columns = new LeafColumn[schema.leafCount()];
    for (int i = 0; i < columns.length; i++) {
      Field leaf = schema.leaves().get(i);
      columns[i] = new LeafColumn(leaf.type().isBinary(), leaf.definitionLevel(), allocation);
    }
  }

  public RecordSchema schema() {
    return schema;
  }

  public LeafColumn column(int leaf) {
    return columns[leaf];
  }

  public int records() {
    return records;
  }

  void endRecord() {
    records++;
  }

  public void append(ColumnBatch record) {
    for (int i = 0; i < columns.length; i++) {
      columns[i].appendAll(record.columns[i]);
    }
    records += record.records;
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
   * The value of a scalar (non-repeated) leaf in a one-record batch, as text; null when absent.
   * Booleans and numbers are rendered in their JSON form.
   */
  public String scalarText(Field leaf) {
    LeafColumn c = columns[leaf.leafIndex()];
    if (c.entries == 0 || c.def[0] != c.maxDefinition) {
      return null;
    }
    if (c.binary) {
      return new String(c.data, 0, c.ends[0], StandardCharsets.UTF_8);
    }
    long v = c.longs[0];
    return switch (leaf.type()) {
      case BOOLEAN -> v != 0 ? "true" : "false";
      case DOUBLE -> Double.toString(Double.longBitsToDouble(v));
      default -> Long.toString(v);
    };
  }
}
