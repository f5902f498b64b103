package dev.json2parquet.pipeline;

import dev.json2parquet.buffer.Buffer;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.dlq.DeadLetterQueue;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.source.Input;
import dev.json2parquet.record.Utf8;
import dev.json2parquet.source.LineReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The reading end of the pipeline: each line becomes one record in the buffer under its key, or
 * one entry in the dead-letter queue. Records are parsed into a staging batch, and handed to the
 * buffer in runs of consecutive records with the same key (one run per drain when the input has
 * one key, or is sorted by key), so that they are copied column by column in bulk rather than
 * record by record. The staging batch is drained when it holds {@link #STAGE_RECORDS} records or
 * {@link #STAGE_BYTES} bytes of lines, before a read that may block, and at the end of each input.
 * Runs on the reading thread.
 */
final class RecordRouter implements LineReader.Handler {
  static final int STAGE_RECORDS = 1024;
  static final int STAGE_BYTES = 1 << 20;

  private final JsonRecordReader reader;
  private final ColumnBatch staging;
  private final BucketKey[] keys = new BucketKey[STAGE_RECORDS];
  private int staged;
  private long stagedBytes;
  private final PathTemplate.Renderer partition;
  private final PathTemplate.Renderer key;
  private final Buffer buffer;
  private final DeadLetterQueue dlq;
  private final int maxLineBytes;
  private String source = "";
  private boolean usedIngestTime;
  private long placedByIngestTime;
  private Input.Origins origins;
  long lines;

  RecordRouter(JsonRecordReader reader, PathTemplate partition, PathTemplate key, LongSupplier ingestMicros,
      Buffer buffer, DeadLetterQueue dlq, int maxLineBytes) {
    this.reader = reader;
    this.staging = new ColumnBatch(reader.recordType().schema());
    // the templates fall back to the ingest time when a record's event time is missing or
    // unparseable: noting each call counts the records placed that way
    LongSupplier noted = () -> {
      usedIngestTime = true;
      return ingestMicros.getAsLong();
    };
    this.partition = partition.renderer(noted);
    this.key = key.renderer(noted);
    this.buffer = buffer;
    this.dlq = dlq;
    this.maxLineBytes = maxLineBytes;
  }

  /** Records whose event time was missing or unparseable, placed by the ingest time instead. */
  long placedByIngestTime() {
    return placedByIngestTime;
  }

  /** Fields left out of records under {@code unknown_fields = drop}. */
  long droppedFields() {
    return reader.droppedFields();
  }

  void source(String name) {
    source(name, null);
  }

  /** The input read next; {@code origins}, when not null, names the source and line of each dead letter. */
  void source(String name, Input.Origins origins) {
    this.source = name;
    this.origins = origins;
  }

  private void reject(String error, long lineNumber, byte[] raw, int off, int len, long totalBytes) throws IOException {
    Input.Origin o = origins == null ? null : origins.of(lineNumber);
    if (o == null) {
      dlq.reject(error, source, lineNumber, raw, off, len, totalBytes);
    } else {
      dlq.reject(error, o.source(), o.line(), raw, off, len, totalBytes);
    }
  }

  @Override
  public void line(byte[] buf, int off, int len, long lineNumber) throws IOException {
    lines++;
    try {
      reader.append(buf, off, len, staging);
    } catch (RecordException e) {
      reject(e.getMessage(), lineNumber, buf, off, len, len);
      return;
    }
    BucketKey k = new BucketKey(partition.values(staging), key.values(staging));
    if (usedIngestTime) {
      placedByIngestTime++;
      usedIngestTime = false;
    }
    if (staged > 0 && k.equals(keys[staged - 1])) {
      k = keys[staged - 1];
    }
    keys[staged++] = k;
    stagedBytes += len;
    if (staged == STAGE_RECORDS || stagedBytes >= STAGE_BYTES) {
      drain();
    }
  }

  @Override
  public void idle() throws IOException {
    drain();
  }

  /** Hands the staged records to the buffer, a run of equal keys at a time. */
  void drain() throws IOException {
    if (staged == 0) {
      return;
    }
    ColumnBatch.Cursor at = staging.cursor();
    try {
      int a = 0;
      while (a < staged) {
        int b = a + 1;
        while (b < staged && keys[b] == keys[a]) {
          b++;
        }
        buffer.append(keys[a], staging, at, b - a);
        a = b;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for buffer space");
    } finally {
      staging.clear();
      Arrays.fill(keys, 0, staged, null);
      staged = 0;
      stagedBytes = 0;
    }
  }

  /** Dead-letters bytes taken from stdin after the stop (normally none), one envelope per line. */
  void rejectLate(byte[] late) throws IOException {
    if (late.length == 0) {
      return;
    }
    new LineReader(Integer.MAX_VALUE - 16).read(new java.io.ByteArrayInputStream(late), new LineReader.Handler() {
      @Override
      public void line(byte[] buf, int off, int len, long lineNumber) throws IOException {
        lines++;
        dlq.reject("read from stdin after the stop; not converted", "stdin", lineNumber, buf, off, len, len);
      }

      @Override
      public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException {
        lines++;
        dlq.reject("read from stdin after the stop; not converted", "stdin", lineNumber, prefix, 0, prefixLen,
            totalBytes);
      }
    });
  }

  /** Why the last line of an input cut short by a stop is dead-lettered (set when the stop is known). */
  java.util.function.Supplier<String> cutReason = () -> "input stopped before this line ended";

  /** The last line of a stream ended by a stop: it may be incomplete, so it is dead-lettered, never guessed at. */
  @Override
  public void cut(byte[] buf, int off, int len, long totalBytes, long lineNumber) throws IOException {
    lines++;
    dlq.reject(cutReason.get() + "; the line may be incomplete", source, lineNumber, buf, off, len, totalBytes);
  }

  @Override
  public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException {
    lines++;
    // keep whole characters, so that the prefix of a valid line is stored as text
    prefixLen = Utf8.boundaryLength(prefix, 0, prefixLen);
    reject("line of " + totalBytes + " bytes is longer than max_line_bytes (" + maxLineBytes
        + "); raw holds its first " + prefixLen + " bytes", lineNumber, prefix, 0, prefixLen, totalBytes);
  }
}
