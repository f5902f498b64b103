package dev.json2parquet.parquet;

import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.LeafColumn;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Encodes the column chunks of one row group on the calling thread and on helper threads at once
 * ({@link BatchEncoder.Helpers}), so that a large row group does not keep one core busy while the
 * other idles (a single key's last batch, when the input has ended). Every thread takes the next
 * column not yet taken and encodes it with its own thread's {@link ChunkEncoder} into a chunk buffer
 * of the calling thread ({@link ParquetFile#chunkBuffer}, one per column, reused); when every column
 * is done, the calling thread copies the chunks into the file in column order. A chunk's bytes
 * depend only on its column's values and on whether the file's earlier chunks of that column
 * learned to skip the dictionary, never on the thread that encoded it, so the file is byte for
 * byte the one that {@link BatchEncoder#append(BatchEncoder.Open, ColumnBatch, int, int)} writes.
 *
 * <p>Memory: the row group's encoded chunks are held at once, and the buffers stay with the
 * calling thread's encoder for its next row group: per column at most twice its largest chunk so
 * far (at least 64 KiB), so about twice a row group's encoded bytes, which the batch (a sixth of
 * max_buffer_bytes) and writer_row_group_size bound ({@link #heldBytes}).
 *
 * <p>One per {@link BatchEncoder}, used by its thread only; the helpers touch only the columns
 * they take, and the calling thread waits for all of them before it returns.
 */
final class ParallelColumns {
  /**
   * Row groups of fewer rows are encoded on the calling thread alone: handing columns to another
   * thread and copying their chunks costs more than it saves on a few thousand rows.
   */
  static final int MIN_ROWS = 16_384;

  private final BatchEncoder owner;
  private final ParquetFile.Schema schema;
  private final ParquetFile[] parts;

  ParallelColumns(BatchEncoder owner, ParquetFile.Schema schema, int columns) {
    this.owner = owner;
    this.schema = schema;
    this.parts = new ParquetFile[columns];
  }

  /**
   * Writes the current row group's column chunks ({@code rows} records from entry {@code entry[c]}
   * and value {@code value[c]} of each column {@code c}, both moved past them) into {@code f}, or
   * returns false without writing anything when no helper thread is free.
   */
  boolean write(ParquetFile f, boolean[] plain, ColumnBatch batch, int[] entry, int[] value, int rows,
      boolean dictionary, BatchEncoder.Helpers helpers) throws IOException {
    for (int c = 0; c < parts.length; c++) {
      if (parts[c] == null) {
        parts[c] = ParquetFile.chunkBuffer(schema, owner.scratch());
      }
    }
    Job job = new Job(batch, plain, entry, value, rows, dictionary);
    if (helpers.offer(parts.length - 1, job::work) == 0) {
      return false;
    }
    job.work(owner);
    job.await();
    for (ParquetFile part : parts) {
      f.appendChunk(part);
    }
    return true;
  }

  /** Bytes the chunk buffers take now: per column, at most twice its largest chunk (at least 64 KiB). */
  long heldBytes() {
    long n = 0;
    for (ParquetFile part : parts) {
      n += part == null ? 0 : part.bufferCapacity();
    }
    return n;
  }

  /** The columns of one row group, taken one at a time by whichever thread is free. */
  private final class Job {
    final ColumnBatch batch;
    final boolean[] plain;
    final int[] entry;
    final int[] value;
    final int rows;
    final boolean dictionary;
    final AtomicInteger next = new AtomicInteger();
    /** Columns finished (or skipped after a failure), and the first failure; guarded by {@code this}. */
    private int done;
    private Throwable failure;

    Job(ColumnBatch batch, boolean[] plain, int[] entry, int[] value, int rows, boolean dictionary) {
      this.batch = batch;
      this.plain = plain;
      this.entry = entry;
      this.value = value;
      this.rows = rows;
      this.dictionary = dictionary;
    }

    /** Takes and encodes columns with {@code enc} (the running thread's encoder) until none is left. */
    void work(BatchEncoder enc) {
      int c;
      while ((c = next.getAndIncrement()) < parts.length) {
        Throwable error = null;
        try {
          if (!failed()) {
            encode(enc, c);
          }
        } catch (Throwable e) {
          error = e;
        }
        synchronized (this) {
          done++;
          if (error != null && failure == null) {
            failure = error;
          }
          if (done == parts.length) {
            notifyAll();
          }
        }
      }
    }

    private void encode(BatchEncoder enc, int c) throws IOException {
      ParquetFile part = parts[c];
      part.bind(enc.scratch());
      part.startChunk();
      LeafColumn col = batch.column(c);
      int end = col.endOfRecords(entry[c], rows);
      ChunkEncoder chunk = enc.chunk(c);
      chunk.plainLearned = plain[c];
      value[c] = chunk.write(part, col, entry[c], end, value[c], dictionary);
      plain[c] = chunk.plainLearned;
      entry[c] = end;
    }

    private synchronized boolean failed() {
      return failure != null;
    }

    /** Waits until every column is done (the helpers are running them), then throws the first failure. */
    synchronized void await() throws IOException {
      boolean interrupted = false;
      while (done < parts.length) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure instanceof IOException e) {
        throw e;
      }
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      if (failure != null) {
        throw new IllegalStateException("Cannot encode a column chunk: " + failure, failure);
      }
    }
  }
}
