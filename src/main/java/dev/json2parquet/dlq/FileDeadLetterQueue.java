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
public final class FileDeadLetterQueue implements DeadLetterQueue.Resumable {
  private static final JsonFactory JSON = new JsonFactory();

  private final Path file;
  private final Clock clock;
  private OutputStream out;
  private JsonGenerator gen;
  private long count;
  /** The open file's channel in {@link #resuming} mode, else null. */
  private java.nio.channels.FileChannel channel;

  public FileDeadLetterQueue(Path dir, String runId, Clock clock) {
    this.file = dir.resolve("dlq-" + runId + ".jsonl");
    this.clock = clock;
  }

  /**
   * A queue that continues {@code DIR/dlq-NAME.jsonl}: keeps its first {@code keepBytes} bytes (the
   * dead letters of lines before a resumed input's checkpoint), drops what follows them (dead letters
   * of lines that are read again), and appends. {@link #mark} says where the next checkpoint is.
   *
   * @throws IOException when the file cannot be created or cut
   */
  public static FileDeadLetterQueue resuming(Path dir, String name, long keepBytes, Clock clock) throws IOException {
    FileDeadLetterQueue q = new FileDeadLetterQueue(dir, name, clock);
    Files.createDirectories(dir);
    q.channel = java.nio.channels.FileChannel.open(q.file, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE);
    q.channel.truncate(Math.min(keepBytes, q.channel.size()));
    q.channel.position(q.channel.size());
    q.out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(q.channel), 1 << 16);
    q.gen = JSON.createGenerator(q.out, JsonEncoding.UTF8);
    q.gen.setRootValueSeparator(null);
    return q;
  }

  /**
   * In {@link #resuming} mode: hands what was written to the OS (a killed process does not lose it)
   * and returns the file's length, the {@code keepBytes} of the next resume.
   */
  @Override
  public synchronized long mark() throws IOException {
    if (channel == null) {
      throw new IllegalStateException("Cannot mark " + file + ": it was not opened with resuming()");
    }
    out.flush();
    return channel.position();
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
    gen.writeStartObject();
    gen.writeStringField("error", error);
    gen.writeStringField("source", source);
    gen.writeNumberField("line", line);
    gen.writeStringField("time", clock.instant().toString());
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
    gen.flush();
    out.write('\n');
    count++;
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
