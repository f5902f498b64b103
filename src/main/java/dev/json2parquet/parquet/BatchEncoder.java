package dev.json2parquet.parquet;

import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.Field;
import dev.json2parquet.record.RecordSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.factory.DefaultValuesWriterFactory;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.MessageType;

/**
 * Encodes shredded batches into Parquet files. Values go straight from the batch's arrays into
 * parquet-java's per-column {@link ColumnWriter}s with their precomputed levels: no record
 * objects, no {@code RecordConsumer} state machine, no Hadoop file system. One encoder per
 * thread; it reuses its compressor across files.
 */
public final class BatchEncoder {
  /** Records written per column before moving to the next column. */
  static final int RUN = 512;

  private final RecordSchema schema;
  private final MessageType messageType;
  private final List<ColumnDescriptor> columns;
  private final WriterSettings settings;
  private final ParquetProperties.Builder baseProperties;
  private ParquetProperties properties;
  /**
   * Columns whose dictionary overflowed in an earlier large file: writing them plain from the start
   * saves hashing every value into a dictionary that would be thrown away. Re-probed every
   * {@link #REPROBE_EVERY} files, since data changes.
   */
  private final java.util.Set<String> plainColumns = new java.util.HashSet<>();
  private int files;
  static final int LEARN_MIN_ROWS = 10_000;
  /**
   * Files of fewer records are written without dictionaries. On a handful of values a dictionary
   * page per column saves next to nothing (often it costs bytes), while parquet-java's dictionary
   * writer allocates at least 16 KiB of index buffers per column and file: with many small keys,
   * as interval flushes and short runs make, that was most of what the encoders allocated.
   */
  static final int DICTIONARY_MIN_ROWS = 64;
  static final int REPROBE_EVERY = 16;
  private final BytesInputCompressor compressor;
  private final Field[] leaves;

  public BatchEncoder(RecordSchema schema, WriterSettings settings) {
    this.schema = schema;
    this.messageType = ParquetSchemas.toMessageType(schema);
    this.columns = messageType.getColumns();
    this.settings = settings;
    this.baseProperties = ParquetProperties.builder()
        .withPageSize(settings.pageBytes())
        .withDictionaryPageSize(settings.dictionaryPageBytes())
        .withDictionaryEncoding(true)
        .withSizeStatisticsEnabled(false)
        .withMinRowCountForPageSizeCheck(RUN)
        .withMaxRowCountForPageSizeCheck(RUN)
        .estimateRowCountForPageSizeCheck(false)
        .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
        .withAllocator(new HeapByteBufferAllocator())
        // the default factory is a JVM-wide singleton that keeps the properties (and so the
        // allocator) of whichever writer initialized it last: one per encoder instead
        .withValuesWriterFactory(new DefaultValuesWriterFactory());
    this.properties = baseProperties.build();
    this.compressor = settings.compression().newCompressor();
    this.leaves = schema.leaves().toArray(new Field[0]);
    if (columns.size() != leaves.length) {
      throw new IllegalStateException("Cannot encode: schema has " + leaves.length + " leaves but Parquet has "
          + columns.size() + " columns");
    }
  }


  /**
   * Writes all records of {@code batch} as one Parquet file to {@code out} (which is not closed).
   *
   * @return the number of bytes written
   */
  public long encode(ColumnBatch batch, OutputStream out, Map<String, String> metadata) throws IOException {
    boolean large = batch.records() >= LEARN_MIN_ROWS;
    if (++files % REPROBE_EVERY == 0) {
      plainColumns.clear();
    }
    ParquetProperties.Builder b = ParquetProperties.copy(baseProperties.build());
    if (large) {
      plainColumns.forEach(c -> b.withDictionaryEncoding(c, false));
    } else if (batch.records() < DICTIONARY_MIN_ROWS) {
      b.withDictionaryEncoding(false);
    }
    properties = b.build();
    PositionStream stream = new PositionStream(out);
    ParquetFileWriter file = new ParquetFileWriter(new StreamFile(stream), messageType,
        ParquetFileWriter.Mode.CREATE, settings.rowGroupBytes(), 0,
        ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH,
        ParquetProperties.DEFAULT_STATISTICS_TRUNCATE_LENGTH, false);
    file.start();
    int[] entries = new int[leaves.length];
    int[] values = new int[leaves.length];
    int records = batch.records();
    int done = 0;
    while (done < records) {
      done = writeRowGroup(batch, file, entries, values, done);
    }
    file.end(metadata);
    if (large) {
      learnFallbacks(file);
    }
    return stream.getPos();
  }

  /**
   * Writes records from {@code from} on into one row group, column by column in runs of
   * {@link #RUN} records. Page-size checks are aligned to the runs (see the properties), so a
   * check only ever sees whole records in every column.
   */
  private int writeRowGroup(ColumnBatch batch, ParquetFileWriter file, int[] entries, int[] values, int from)
      throws IOException {
    ColumnChunkPageWriteStore pages = new ColumnChunkPageWriteStore(compressor, messageType,
        properties.getAllocator(), properties.getColumnIndexTruncateLength(), false);
    ColumnWriteStore store = properties.newColumnWriteStore(messageType, pages, pages);
    LeafWriter[] writers = new LeafWriter[leaves.length];
    for (int c = 0; c < writers.length; c++) {
      writers[c] = LeafWriter.of(store.getColumnWriter(columns.get(c)), leaves[c]);
      writers[c].reset(batch.column(c), entries[c], values[c]);
    }
    int records = batch.records();
    int r = from;
    while (r < records) {
      int n = Math.min(RUN, records - r);
      for (LeafWriter w : writers) {
        w.write(n);
      }
      for (int i = 0; i < n; i++) {
        store.endRecord();
      }
      r += n;
      if (store.getBufferedSize() >= settings.rowGroupBytes()) {
        break;
      }
    }
    for (int c = 0; c < writers.length; c++) {
      entries[c] = writers[c].entry;
      values[c] = writers[c].value;
    }
    store.flush();
    file.startBlock(r - from);
    pages.flushToFileWriter(file);
    file.endBlock();
    store.close();
    pages.close();
    return r;
  }

  private void learnFallbacks(ParquetFileWriter file) throws IOException {
    var blocks = file.getFooter().getBlocks();
    if (blocks.isEmpty()) {
      return;
    }
    for (var chunk : blocks.get(0).getColumns()) {
      var stats = chunk.getEncodingStats();
      if (stats != null && stats.hasDictionaryPages() && stats.hasNonDictionaryEncodedPages()) {
        plainColumns.add(chunk.getPath().toDotString());
      }
    }
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
