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
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.MessageType;

/**
 * Encodes shredded batches into Parquet files. Each leaf column of a row group is encoded in one
 * go by its {@link ChunkEncoder}, straight from the batch's arrays into pages: no record objects,
 * no {@code RecordConsumer} state machine, no per-value calls into parquet-java, no Hadoop file
 * system. parquet-java's {@link ParquetFileWriter} writes page headers, page index and footer.
 * One encoder per thread; it reuses its buffers and codec across files.
 */
public final class BatchEncoder {
  /** Every this many files, columns that were written PLAIN try dictionary encoding again. */
  static final int REPROBE_EVERY = 16;
  /**
   * Files of fewer records are written without dictionaries: on a handful of values a dictionary
   * page per column saves next to nothing and often costs bytes (many small keys, interval flushes).
   */
  static final int DICTIONARY_MIN_ROWS = 64;

  private final MessageType messageType;
  private final WriterSettings settings;
  private final ChunkEncoder[] chunks;
  private int files;

  public BatchEncoder(RecordSchema schema, WriterSettings settings) {
    this.messageType = ParquetSchemas.toMessageType(schema);
    this.settings = settings;
    List<ColumnDescriptor> columns = messageType.getColumns();
    List<Field> leaves = schema.leaves();
    if (columns.size() != leaves.size()) {
      throw new IllegalStateException("Cannot encode: schema has " + leaves.size() + " leaves but Parquet has "
          + columns.size() + " columns");
    }
    ChunkEncoder.Shared shared = new ChunkEncoder.Shared(settings);
    this.chunks = new ChunkEncoder[leaves.size()];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = ChunkEncoder.of(columns.get(c), leaves.get(c).type(), shared);
    }
  }

  /**
   * Writes all records of {@code batch} as one Parquet file to {@code out} (which is not closed),
   * in as many row groups as the row group size asks for, of equal record counts.
   *
   * @return the number of bytes written
   */
  public long encode(ColumnBatch batch, OutputStream out, Map<String, String> metadata) throws IOException {
    if (++files % REPROBE_EVERY == 0) {
      for (ChunkEncoder c : chunks) {
        c.forget();
      }
    }
    PositionStream stream = new PositionStream(out);
    ParquetFileWriter file = new ParquetFileWriter(new StreamFile(stream), messageType,
        ParquetFileWriter.Mode.CREATE, settings.rowGroupBytes(), 0,
        ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH,
        ParquetProperties.DEFAULT_STATISTICS_TRUNCATE_LENGTH, false);
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
    file.end(metadata);
    return stream.getPos();
  }

  /** An {@link OutputFile} over a stream the caller owns. */
  private static final class StreamFile implements OutputFile {
    private final PositionStream stream;

    StreamFile(PositionStream stream) {
      this.stream = stream;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return stream;
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return stream;
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }

  private static final class PositionStream extends PositionOutputStream {
    private final OutputStream out;
    private long pos;

    PositionStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      pos++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      pos += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      // the caller owns and closes the underlying stream
      out.flush();
    }
  }
}
