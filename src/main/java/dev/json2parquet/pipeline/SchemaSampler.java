package dev.json2parquet.pipeline;

import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.SchemaInference;
import dev.json2parquet.source.Input;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * Infers a schema from the first records of an input without reading it twice: the sampled bytes
 * are kept and replayed ahead of the rest of the stream, so stdin works too. The sample is bounded
 * by a record count and by {@link #MAX_SAMPLE_BYTES}.
 */
public final class SchemaSampler {
  static final int MAX_SAMPLE_BYTES = 64 << 20;

  private SchemaSampler() {}

  /** The inferred schema and the input to read in place of the sampled one. */
  record Result(RecordSchema schema, long records, Input replay) {}

  /**
   * Samples {@code input}. The replay input yields the decoded bytes (sample, then the rest), so the
   * caller counts decoded rather than compressed bytes for it.
   */
  static Result sample(Input input, int maxRecords) throws IOException {
    SchemaInference inference = new SchemaInference();
    Input replay = sampleInto(inference, input, maxRecords);
    return new Result(inference.result("record"), inference.records(), replay);
  }

  /**
   * Feeds lines of {@code input} to {@code inference} until it holds {@code maxRecords} records,
   * the sample limit is reached or the input ends; returns the input to read in its place.
   */
  public static Input sampleInto(SchemaInference inference, Input input, long maxRecords) throws IOException {
    InputStream in = input.openDecoded(bytes -> { });
    try {
      return sampleInto(inference, input, maxRecords, in);
    } catch (IOException | RuntimeException e) {
      try {
        in.close(); // stops a gzip input's inflating thread
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static Input sampleInto(SchemaInference inference, Input input, long maxRecords, InputStream in)
      throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] chunk = new byte[1 << 16];
    byte[] line = new byte[1 << 16];
    int lineLen = 0;
    boolean lineTooLong = false;
    int n;
    while (inference.records() < maxRecords && kept.size() < MAX_SAMPLE_BYTES && (n = in.read(chunk)) > 0) {
      kept.write(chunk, 0, n);
      for (int i = 0; i < n; i++) {
        byte b = chunk[i];
        if (b == '\n') {
          if (!lineTooLong && inference.records() < maxRecords) {
            addLine(inference, line, lineLen);
          }
          lineLen = 0;
          lineTooLong = false;
        } else if (lineLen < line.length) {
          line[lineLen++] = b;
        } else if (line.length < MAX_SAMPLE_BYTES) {
          line = java.util.Arrays.copyOf(line, line.length * 2);
          line[lineLen++] = b;
        } else {
          lineTooLong = true;
        }
      }
    }
    if (inference.records() < maxRecords && lineLen > 0 && !lineTooLong) {
      addLine(inference, line, lineLen);
    }
    byte[] head = kept.toByteArray();
    return new Input(input.name(), input.size(), false, input.file(),
        () -> new SequenceInputStream(new ByteArrayInputStream(head), in));
  }

  private static void addLine(SchemaInference inference, byte[] line, int len) {
    int start = 0;
    if (len >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
      start = 3;
    }
    if (len > start && line[len - 1] == '\r') {
      len--;
    }
    inference.add(line, start, len - start);
  }
}
