package dev.json2parquet.pipeline;

import dev.json2parquet.buffer.Buffer;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.dlq.DeadLetterQueue;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.source.LineReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.function.LongSupplier;

/**
 * The reading end of the pipeline: each line becomes one record in the buffer under its key, or
 * one entry in the dead-letter queue. Runs on the reading thread.
 */
final class RecordRouter implements LineReader.Handler {
  private final JsonRecordReader reader;
  private final ColumnBatch scratch;
  private final PathTemplate.Renderer partition;
  private final PathTemplate.Renderer key;
  private final Buffer buffer;
  private final DeadLetterQueue dlq;
  private final int maxLineBytes;
  private String source = "";
  long lines;

  RecordRouter(JsonRecordReader reader, PathTemplate partition, PathTemplate key, LongSupplier ingestMicros,
      Buffer buffer, DeadLetterQueue dlq, int maxLineBytes) {
    this.reader = reader;
    this.scratch = new ColumnBatch(reader.recordType().schema());
    this.partition = partition.renderer(ingestMicros);
    this.key = key.renderer(ingestMicros);
    this.buffer = buffer;
    this.dlq = dlq;
    this.maxLineBytes = maxLineBytes;
  }

  void source(String name) {
    this.source = name;
  }

  @Override
  public void line(byte[] buf, int off, int len, long lineNumber) throws IOException {
    lines++;
    try {
      reader.read(buf, off, len, scratch);
    } catch (RecordException e) {
      dlq.reject(e.getMessage(), source, lineNumber, buf, off, len, len);
      return;
    }
    BucketKey k = new BucketKey(partition.values(scratch), key.values(scratch));
    try {
      buffer.append(k, scratch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for buffer space");
    }
  }

  @Override
  public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException {
    lines++;
    dlq.reject("line of " + totalBytes + " bytes is longer than max_line_bytes (" + maxLineBytes
        + "); raw holds its first " + prefixLen + " bytes", source, lineNumber, prefix, 0, prefixLen, totalBytes);
  }
}
