package dev.json2parquet.parquet;

import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.Field;
import dev.json2parquet.record.LeafColumn;
import dev.json2parquet.record.RecordSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.MessageType;

/**
 * Encodes shredded batches into Parquet files. Each leaf column of a row group is encoded in one
 * go by its {@link ChunkEncoder}, straight from the batch's arrays into pages: no record objects,
 * no {@code RecordConsumer} state machine, no per-value calls into parquet-java, no Hadoop file
 * system. {@link ParquetFile} writes the page headers, page index and footer. One encoder per
 * thread; it reuses its buffers and codec across files.
 */
public final class BatchEncoder {
  /** Every this many files, columns that were written PLAIN try dictionary encoding again. */
  static final int REPROBE_EVERY = 16;
  /**
   * Files of fewer records are written without dictionaries: on a handful of values a dictionary
   * page per column saves next to nothing and often costs bytes (many small keys, interval flushes).
   */
  static final int DICTIONARY_MIN_ROWS = 64;

  private final WriterSettings settings;
  private final ParquetFile.Schema fileSchema;
  private final ChunkEncoder[] chunks;
  private final ByteBuf metadata = new ByteBuf(1 << 12);
  private int files;

  public BatchEncoder(RecordSchema schema, WriterSettings settings) {
    MessageType messageType = ParquetSchemas.toMessageType(schema);
    this.settings = settings;
    this.fileSchema = new ParquetFile.Schema(messageType, settings.compression().codecName());
    List<ColumnDescriptor> columns = messageType.getColumns();
    List<Field> leaves = schema.leaves();
    if (columns.size() != leaves.size()) {
      throw new IllegalStateException("Cannot encode: schema has " + leaves.size() + " leaves but Parquet has "
          + columns.size() + " columns");
    }
    ChunkEncoder.Shared shared = new ChunkEncoder.Shared(settings);
    this.chunks = new ChunkEncoder[leaves.size()];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = ChunkEncoder.of(columns.get(c), c, leaves.get(c).type(), shared);
    }
  }

  /**
   * Writes all records of {@code batch} as one Parquet file to {@code out} (which is not closed),
   * in as many row groups as the row group size asks for, of equal record counts.
   *
   * @return the number of bytes written
   */
  public long encode(ColumnBatch batch, OutputStream out, Map<String, String> keyValues) throws IOException {
    if (++files % REPROBE_EVERY == 0) {
      for (ChunkEncoder c : chunks) {
        c.forget();
      }
    }
    ParquetFile file = new ParquetFile(out, fileSchema, metadata);
    file.start();
    int records = batch.records();
    long groups = Math.max(1, (batch.usedBytes() + settings.rowGroupBytes() - 1) / settings.rowGroupBytes());
    int perGroup = (int) Math.max(1, (records + groups - 1) / groups);
    int[] entry = new int[chunks.length];
    int[] value = new int[chunks.length];
    for (int r = 0; r < records; r += perGroup) {
      int rows = Math.min(perGroup, records - r);
      file.startBlock(rows);
      for (int c = 0; c < chunks.length; c++) {
        LeafColumn col = batch.column(c);
        int end = col.endOfRecords(entry[c], rows);
        value[c] = chunks[c].write(file, col, entry[c], end, value[c], records >= DICTIONARY_MIN_ROWS);
        entry[c] = end;
      }
      file.endBlock();
    }
    return file.end(keyValues);
  }
}
