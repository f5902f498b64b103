package dev.json2parquet.dlq;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.json2parquet.record.Utf8;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes each rejected line as one JSON envelope to {@code DIR/dlq-RUNID.jsonl}:
 * {@code {"error", "source", "line", "time", "raw"}}, with {@code raw_base64} instead of {@code raw}
 * when the bytes are not valid UTF-8, and {@code raw_truncated}/{@code raw_bytes} for lines that were
 * too long to keep whole. The file is created on the first rejection.
 */
public final class FileDeadLetterQueue implements DeadLetterQueue {
  private static final JsonFactory JSON = new JsonFactory();

  private final Path file;
  private final Clock clock;
  private OutputStream out;
  private JsonGenerator gen;
  private long count;

  public FileDeadLetterQueue(Path dir, String runId, Clock clock) {
    this.file = dir.resolve("dlq-" + runId + ".jsonl");
    this.clock = clock;
  }

  public Path file() {
    return file;
  }

  @Override
  public synchronized void reject(String error, String source, long line, byte[] raw, int off, int len,
      long totalBytes) throws IOException {
    if (gen == null) {
      Files.createDirectories(file.getParent());
      out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
      gen = JSON.createGenerator(out, JsonEncoding.UTF8);
      gen.setRootValueSeparator(null);
    }
    writeEnvelope(gen, error, source, line, clock.instant().toString(), raw, off, len, totalBytes);
    gen.flush();
    out.write('\n');
    count++;
  }

  /**
   * Writes one envelope (the shape in this class's comment, shared by every store so that {@code dlq
   * export} prints the same bytes whichever store holds it).
   */
  /**
   * One envelope as JSON bytes (no line break), as this queue writes it: for writers that store
   * envelopes elsewhere (the Redis buffer's dead letters).
   */
  public static byte[] envelope(String error, String source, long line, String time, byte[] raw, int off, int len,
      long totalBytes) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(len + 128);
    try (JsonGenerator gen = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
      writeEnvelope(gen, error, source, line, time, raw, off, len, totalBytes);
    }
    return bytes.toByteArray();
  }

  static void writeEnvelope(JsonGenerator gen, String error, String source, long line, String time, byte[] raw,
      int off, int len, long totalBytes) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("error", error);
    gen.writeStringField("source", source);
    gen.writeNumberField("line", line);
    gen.writeStringField("time", time);
    if (Utf8.isValid(raw, off, len)) {
      gen.writeStringField("raw", new String(raw, off, len, StandardCharsets.UTF_8));
    } else {
      gen.writeStringField("raw_base64", Base64.getEncoder().encodeToString(Arrays.copyOfRange(raw, off, off + len)));
    }
    if (totalBytes > len) {
      gen.writeBooleanField("raw_truncated", true);
      gen.writeNumberField("raw_bytes", totalBytes);
    }
    gen.writeEndObject();
  }

  @Override
  public String location() {
    return file.toString();
  }

  @Override
  public synchronized long count() {
    return count;
  }

  @Override
  public synchronized void close() throws IOException {
    if (gen != null) {
      gen.close();
      out.close();
      gen = null;
    }
  }
}
