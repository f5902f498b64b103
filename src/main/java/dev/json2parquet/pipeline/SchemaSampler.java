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
 * Infers a schema from the first records of the inputs, in order, without reading them twice: the
 * sampled bytes are kept and replayed ahead of the rest of each stream, so stdin works too. The
 * sample is bounded by a record count and by {@link #MAX_SAMPLE_BYTES} in all; empty inputs and
 * lines that are not JSON objects contribute nothing.
 */
public final class SchemaSampler {
  static final int MAX_SAMPLE_BYTES = 64 << 20;

  private SchemaSampler() {}

  /**
   * Samples {@code inputs} in order until {@code maxRecords} records are read, replacing each sampled
   * input in the list by its replay (which yields the decoded bytes, sample then the rest, so the
   * caller counts decoded rather than compressed bytes for it). Returns the inference (which may hold
   * no record) and the names of the inputs that gave records.
   */
  static java.util.List<String> sample(SchemaInference inference, java.util.List<Input> inputs, long maxRecords)
      throws IOException {
    java.util.List<String> sources = new java.util.ArrayList<>();
    long budget = MAX_SAMPLE_BYTES;
    for (int i = 0; i < inputs.size() && inference.records() < maxRecords && budget > 0; i++) {
      long before = inference.records();
      long[] kept = new long[1];
      inputs.set(i, sampleInto(inference, inputs.get(i), maxRecords, budget, kept));
      budget -= kept[0];
      if (inference.records() > before) {
        sources.add(inputs.get(i).name());
      }
    }
    return sources;
  }

  /**
   * Feeds lines of {@code input} to {@code inference} until it holds {@code maxRecords} records,
   * {@link #MAX_SAMPLE_BYTES} are read or the input ends; returns the input to read in its place.
   */
  public static Input sampleInto(SchemaInference inference, Input input, long maxRecords) throws IOException {
    return sampleInto(inference, input, maxRecords, MAX_SAMPLE_BYTES, new long[1]);
  }

  private static Input sampleInto(SchemaInference inference, Input input, long maxRecords, long maxBytes,
      long[] keptBytes) throws IOException {
    InputStream in = input.openDecoded(bytes -> { });
    try {
      return sampleInto(inference, input, maxRecords, maxBytes, keptBytes, in);
    } catch (IOException | RuntimeException e) {
      try {
        in.close(); // stops a gzip input's inflating thread
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static Input sampleInto(SchemaInference inference, Input input, long maxRecords, long maxBytes,
      long[] keptBytes, InputStream in) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] chunk = new byte[1 << 16];
    byte[] line = new byte[1 << 16];
    int lineLen = 0;
    boolean lineTooLong = false;
    int n = 0;
    while (inference.records() < maxRecords && kept.size() < maxBytes && (n = in.read(chunk)) > 0) {
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
    keptBytes[0] = head.length;
    if (n < 0) {
      // read to its end: replay the bytes alone, so that sampling many small inputs holds no file
      // (nor a gzip input's inflating thread) open
      in.close();
      return new Input(input.name(), input.size(), false, input.file(), () -> new ByteArrayInputStream(head));
    }
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
