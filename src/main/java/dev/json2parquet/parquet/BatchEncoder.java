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
  /**
   * Files of fewer records are written without dictionaries: on a handful of values a dictionary
   * page per column saves next to nothing and often costs bytes (many small keys, interval flushes).
   */
  static final int DICTIONARY_MIN_ROWS = 64;

  private final WriterSettings settings;
  private final ParquetFile.Schema fileSchema;
  private final ChunkEncoder[] chunks;
  private final ByteBuf metadata = new ByteBuf(1 << 12);
  /** Column chunk buffers for row groups encoded with helpers; made at first use. */
  private ParallelColumns parallel;

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
   * A Parquet file open for appending row groups ({@link #open}, {@link #append}, {@link #finish}).
   * It holds only the footer metadata collected so far (per column chunk: offsets, sizes, statistics
   * and the page index entries) and which columns have learned to skip dictionaries: a few hundred
   * bytes per column chunk, never the data. Used by one thread at a time (not thread-safe), but any
   * encoder may append to it; what an encoder learns about a column travels with the file, so a
   * file's bytes do not depend on which thread wrote which row group.
   */
  public static final class Open {
    private final ParquetFile file;
    /** Per column: an earlier chunk's dictionary outgrew the limit (written by {@link ParallelColumns} too). */
    final boolean[] plain;

    private Open(ParquetFile file, int columns) {
      this.file = file;
      this.plain = new boolean[columns];
    }

    /** Records in the complete row groups. */
    public long rows() {
      return file.rows();
    }

    /** Complete row groups. */
    public int rowGroups() {
      return file.rowGroups();
    }

    /** Bytes up to the end of the last complete row group (the magic included). */
    public long length() {
      return file.completeLength();
    }

    /**
     * Drops a row group or footer whose write failed; the file goes on at {@link #length} on
     * {@code next}, which must already hold the file's first {@link #length} bytes (Parquet spec:
     * "File format": row groups, then the footer, so a file cut after a complete row group is a
     * valid prefix).
     */
    public void resume(OutputStream next) {
      file.resume(next);
    }
  }

  /** Starts a file on {@code out} (writes the magic); append row groups, then {@link #finish}. */
  public Open open(OutputStream out) throws IOException {
    ParquetFile file = new ParquetFile(out, fileSchema, metadata);
    file.start();
    return new Open(file, chunks.length);
  }

  /**
   * Appends records {@code [from, from + count)} of {@code batch} to {@code file} as row groups of
   * at most the row group size ({@link WriterSettings#rowGroupBytes}, measured on the batch's
   * buffered bytes) and equal record counts. On an exception the file holds a partial row group:
   * {@link Open#resume} drops it.
   *
   * @return the file's length after the last complete row group, in bytes
   * @throws IOException from the stream
   */
  public long append(Open file, ColumnBatch batch, int from, int count) throws IOException {
    return append(file, batch, from, count, null);
  }

  /**
   * As {@link #append(Open, ColumnBatch, int, int)}, but the column chunks of a row group of at
   * least {@link ParallelColumns#MIN_ROWS} rows are encoded on this thread and on the threads
   * {@code helpers} (may be null) starts at once; the file's bytes are the same either way.
   */
  public long append(Open file, ColumnBatch batch, int from, int count, Helpers helpers) throws IOException {
    if (count <= 0) {
      return file.length();
    }
    ParquetFile f = file.file;
    f.bind(metadata);
    for (int c = 0; c < chunks.length; c++) {
      chunks[c].plainLearned = file.plain[c];
    }
    int records = batch.records();
    long bytes = records == 0 ? 0 : batch.usedBytes() / records * (long) count;
    long groups = Math.max(1, (bytes + settings.rowGroupBytes() - 1) / settings.rowGroupBytes());
    int perGroup = (int) Math.max(1, (count + groups - 1) / groups);
    int[] entry = new int[chunks.length];
    int[] value = new int[chunks.length];
    if (from > 0) {
      for (int c = 0; c < chunks.length; c++) {
        LeafColumn col = batch.column(c);
        entry[c] = col.endOfRecords(0, from);
        value[c] = col.valuesIn(0, entry[c]);
      }
    }
    boolean dictionary = count >= DICTIONARY_MIN_ROWS;
    for (int r = 0; r < count; r += perGroup) {
      int rows = Math.min(perGroup, count - r);
      f.startBlock(rows);
      if (!inParallel(f, file, batch, entry, value, rows, dictionary, helpers)) {
        for (int c = 0; c < chunks.length; c++) {
          LeafColumn col = batch.column(c);
          int end = col.endOfRecords(entry[c], rows);
          value[c] = chunks[c].write(f, col, entry[c], end, value[c], dictionary);
          entry[c] = end;
        }
      }
      f.endBlock();
    }
    for (int c = 0; c < chunks.length; c++) {
      file.plain[c] = chunks[c].plainLearned;
    }
    return file.length();
  }

  // ---- column-parallel row groups (flush/tail's addition; see ParallelColumns) ----

  /**
   * Threads that may help encode one row group's column chunks. Thread-safe.
   */
  @FunctionalInterface
  public interface Helpers {
    /**
     * Runs {@code task} on at most {@code max} threads other than the caller that are idle now,
     * each handing it that thread's own encoder; never waits for them, and starts none when none
     * is idle.
     *
     * @return how many threads were given the task
     */
    int offer(int max, java.util.function.Consumer<BatchEncoder> task);
  }

  /** Writes the row group's chunks with helpers; false (nothing written) when it is small or none is free. */
  private boolean inParallel(ParquetFile f, Open file, ColumnBatch batch, int[] entry, int[] value, int rows,
      boolean dictionary, Helpers helpers) throws IOException {
    if (helpers == null || rows < ParallelColumns.MIN_ROWS || chunks.length < 2) {
      return false;
    }
    for (int c = 0; c < chunks.length; c++) {
      file.plain[c] = chunks[c].plainLearned;
    }
    if (parallel == null) {
      parallel = new ParallelColumns(this, fileSchema, chunks.length);
    }
    if (!parallel.write(f, file.plain, batch, entry, value, rows, dictionary, helpers)) {
      return false;
    }
    for (int c = 0; c < chunks.length; c++) {
      chunks[c].plainLearned = file.plain[c];
    }
    return true;
  }

  /** Bytes this encoder holds for row groups encoded with helpers (0 before the first). */
  long parallelBytes() {
    return parallel == null ? 0 : parallel.heldBytes();
  }

  /** This thread's encoder of column {@code c}. */
  ChunkEncoder chunk(int c) {
    return chunks[c];
  }

  /** This thread's buffer for page headers. */
  ByteBuf scratch() {
    return metadata;
  }

  /**
   * Writes the page index and the footer with {@code keyValues} (Parquet spec: "Metadata", "Page
   * Index"). The stream is not closed.
   *
   * @return the file's length in bytes
   */
  public long finish(Open file, Map<String, String> keyValues) throws IOException {
    file.file.bind(metadata);
    return file.file.end(keyValues);
  }

  /**
   * Writes all records of {@code batch} as one Parquet file to {@code out} (which is not closed),
   * in as many row groups as the row group size asks for, of equal record counts.
   *
   * @return the number of bytes written
   */
  public long encode(ColumnBatch batch, OutputStream out, Map<String, String> keyValues) throws IOException {
    Open file = open(out);
    append(file, batch, 0, batch.records());
    return finish(file, keyValues);
  }
}
