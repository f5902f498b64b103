package dev.json2parquet.record;

/** Batches for tests of the writers, built without JSON. */
public final class Batches {
  private Batches() {}

  /**
   * {@code records} equal records in which every leaf holds a value: empty text, zero or false,
   * each list one element long and each map one entry. Valid for any schema.
   */
  public static ColumnBatch filler(RecordSchema schema, int records) {
    ColumnBatch batch = new ColumnBatch(schema);
    for (int r = 0; r < records; r++) {
      for (int i = 0; i < schema.leafCount(); i++) {
        LeafColumn c = batch.column(i);
        if (c.binary) {
          c.addBinary(0, new byte[0], 0, 0);
        } else {
          c.addLong(0, 0);
        }
      }
      batch.endRecord();
    }
    return batch;
  }
}
