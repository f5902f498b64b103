package dev.json2parquet.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.json2parquet.buffer.RedisBuffer;
import dev.json2parquet.buffer.RedisStreams;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.dlq.FileDeadLetterQueue;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.record.Utf8;
import dev.json2parquet.source.Input;
import dev.json2parquet.source.LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code convert --buffer redis FILE...}: reads each file, validates every line as a record (a line
 * that can never be one goes to the dead-letter queue now, not into Redis), and buffers the valid
 * lines' original bytes into Redis by key ({@link RedisBuffer}).
 *
 * <p><b>Resuming.</b> Redis keeps each input's progress in {@code <redis_data_prefix>:inputs} (by
 * absolute path: its size, the SHA-256 of its first 64 KiB, the byte offset and line up to which
 * its lines are in Redis, the length of its dead-letter file then, and whether it is done), written
 * after each chunk Redis acknowledged. The offset is a lower bound: a crash after a chunk's XADDs and
 * before its checkpoint reads those lines again, and each key's XADD script skips the lines its
 * stream already has from this input (the per-key mark it sets in the same script), while the
 * input's dead-letter file is cut back to its checkpointed length. So a re-run of the same command
 * neither loses nor doubles a line. The file run journal is not used: the progress must be seen by
 * whichever machine runs the command again, and it must agree with Redis, not with a local disk.
 *
 * <p>Not thread-safe; one run per instance.
 */
public final class RedisConvert {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a run did. */
  public record Result(long lines, long buffered, long deadLettered, long skippedInputs, String fatal, List<String> notes) {}

  private final Config config;
  private final Clock clock;
  private final PrintStream err;
  private final StopRequest stop;
  private final boolean restart;

  public RedisConvert(Config config, Clock clock, PrintStream err, StopRequest stop, boolean restart) {
    this.config = config;
    this.clock = clock;
    this.err = err;
    this.stop = stop;
    this.restart = restart;
  }

  /** An input's progress as Redis keeps it. */
  record Progress(String id, long size, String head, long offset, long line, boolean done) {
    String json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("size", size);
      m.put("head", head);
      m.put("offset", offset);
      m.put("line", line);
      m.put("done", done);
      try {
        return JSON.writeValueAsString(m);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static Progress parse(String json) throws IOException {
      Map<?, ?> m = JSON.readValue(json, Map.class);
      return new Progress((String) m.get("id"), ((Number) m.get("size")).longValue(), (String) m.get("head"),
          ((Number) m.get("offset")).longValue(), ((Number) m.get("line")).longValue(), Boolean.TRUE.equals(m.get("done")));
    }
  }

  /**
   * Buffers {@code inputs} (files only) into Redis through {@code jedis}.
   *
   * @throws ConfigException before anything is read: stdin given, an input changed since an earlier
   *     run buffered part of it (without {@code --restart}), dynamic records without a schema
   */
  public Result run(List<Input> inputs, UnifiedJedis jedis, RecordType type) throws IOException {
    RedisStreams streams = new RedisStreams(dev.json2parquet.redis.RedisSettings.of(config));
    PathTemplate key = Converter.template("key", config.keyTemplate(), type);
    Converter.template("partition", config.partitionTemplate(), type);
    // every input is checked before any is read
    List<Progress> plan = new ArrayList<>();
    List<RunJournal.Identity> ids = new ArrayList<>();
    for (Input in : inputs) {
      if (in.file() == null) {
        throw new ConfigException("Cannot buffer stdin into Redis: a resumable run reads files; give the input as a"
            + " FILE (or use --buffer memory)");
      }
      RunJournal.Identity id;
      try {
        id = RunJournal.Identity.of(in.file());
      } catch (java.io.UncheckedIOException e) {
        throw new ConfigException(e.getMessage());
      }
      ids.add(id);
      String stored = jedis.hget(streams.inputs(), id.path());
      Progress p = stored == null ? null : Progress.parse(stored);
      if (p != null && !restart && (p.size() != id.size() || !p.head().equals(id.head()))) {
        throw new ConfigException("Cannot buffer " + id.path() + ": it changed since an earlier run buffered it into Redis"
            + " up to line " + p.line() + " (then " + p.size() + " bytes, now " + id.size() + "); pass --restart to"
            + " buffer it again from its start (what is in Redis stays there)");
      }
      if (p == null || restart) {
        p = new Progress(Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE), id.size(), id.head(),
            0, 1, false);
      }
      plan.add(p);
    }
    RedisBuffer buffer = new RedisBuffer(jedis, streams, RedisBuffer.CHUNK_ENTRIES, RedisBuffer.CHUNK_BYTES)
        .reportTo(err);
    Intake intake = new Intake(new JsonRecordReader(type), key, buffer, config.maxLineBytes(), clock);
    LineReader reader = new LineReader(config.maxLineBytes());
    List<String> notes = new ArrayList<>();
    String fatal;
    try {
      fatal = readAll(inputs, plan, ids, jedis, streams, buffer, intake, reader, notes);
    } finally {
      buffer.close();
    }
    if (stop.requested() && fatal == null) {
      notes.add("stopped by SIG" + stop.signal() + "; every line read is in Redis or the DLQ; run the same command again"
          + " to continue");
    }
    return new Result(intake.lines, buffer.buffered(), intake.deadTotal, skippedInputs, fatal, notes);
  }

  private long skippedInputs;

  /** Reads each input into the buffer; returns the fatal problem that stopped it, or null. */
  private String readAll(List<Input> inputs, List<Progress> plan, List<RunJournal.Identity> ids, UnifiedJedis jedis,
      RedisStreams streams, RedisBuffer buffer, Intake intake, LineReader reader, List<String> notes) throws IOException {
    String fatal = null;
    for (int i = 0; i < inputs.size() && fatal == null && !stop.requested(); i++) {
      Input in = inputs.get(i);
      Progress p = plan.get(i);
      String path = ids.get(i).path();
      if (p.done()) {
        err.println("json2parquet: " + in.name() + " is already in Redis (an earlier run buffered all of it); skipped"
            + " (pass --restart to buffer it again)");
        skippedInputs++;
        continue;
      }
      if (p.offset() > 0) {
        err.println("json2parquet: continuing " + in.name() + " at line " + p.line() + " (byte " + p.offset()
            + "), where an earlier run stopped");
      }
      jedis.hset(streams.inputs(), path, p.json());
      try (InputStream raw = in.openDecoded(n -> { })) {
        if (p.offset() > 0) {
          RunJournal.skip(raw, p.offset(), in.name());
        }
        intake.start(in.name(), checkpoint -> jedis.hset(streams.inputs(), path, checkpoint.json()), p);
        LineReader.Ended ended = reader.read(raw, intake, new LineReader.Position(p.offset(), p.line()), stop::requested);
        intake.finish(ended.next(), ended.atEnd());
        buffer.drain();
      } catch (RedisBuffer.LostException e) {
        Progress last = intake.acked;
        fatal = e.getMessage() + "; " + in.name() + " is in Redis up to line " + last.line() + " (byte " + last.offset()
            + "): run the same command again to continue from there";
      }
    }
    return fatal;
  }

  /**
   * The flusher of a run with {@code config}: its record type, templates and {@code sink}.
   *
   * @throws ConfigException for dynamic records without a schema file (the Redis path does not infer one)
   */
  public static dev.json2parquet.flush.RedisFlush flusher(Config config, UnifiedJedis jedis,
      dev.json2parquet.sink.Sink sink, Clock clock, PrintStream err) {
    RecordType type = recordType(config);
    return new dev.json2parquet.flush.RedisFlush(config, type,
        Converter.template("partition", config.partitionTemplate(), type),
        Converter.template("key", config.keyTemplate(), type), sink, jedis,
        new RedisStreams(dev.json2parquet.redis.RedisSettings.of(config)), clock, err);
  }

  /** The declared record type; dynamic records need a schema file with the Redis buffer. */
  public static RecordType recordType(Config config) {
    RecordType type = Converter.declaredType(config);
    if (type == null) {
      throw new ConfigException("Cannot use buffer_type redis with dynamic records without a schema: receivers and"
          + " flushers must agree on one; give it with --schema (json2parquet schema infer writes one)");
    }
    return type;
  }

  /** The reading end: each line validated, keyed and added to the Redis chunk, or dead-lettered. */
  private static final class Intake implements LineReader.Handler {
    private final JsonRecordReader reader;
    private final ColumnBatch staging;
    private final PathTemplate key;
    private final PathTemplate.Renderer keys;
    private final RedisBuffer buffer;
    private final int maxLineBytes;
    private String source;
    private final Clock clock;
    private java.util.function.Consumer<Progress> checkpoint;
    private boolean full;
    Progress last;
    /** The last progress Redis has recorded (set on the shipping thread). */
    volatile Progress acked;
    long lines;
    long deadTotal;

    Intake(JsonRecordReader reader, PathTemplate key, RedisBuffer buffer, int maxLineBytes, Clock clock) {
      this.clock = clock;
      this.reader = reader;
      this.staging = new ColumnBatch(reader.recordType().schema());
      this.key = key;
      this.keys = key.renderer(() -> System.currentTimeMillis() * 1000);
      this.buffer = buffer;
      this.maxLineBytes = maxLineBytes;
    }

    void start(String source, java.util.function.Consumer<Progress> checkpoint, Progress from) {
      this.source = source;
      this.checkpoint = checkpoint;
      this.last = from;
      this.acked = from;
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
      String k = name(keys.values(staging));
      if (staging.records() >= 1024) {
        staging.clear();
      }
      full |= buffer.add(k, buf, off, len, lineNumber);
    }

    private String name(List<String> values) {
      String path = key.path(values);
      return path.isEmpty() ? "_" : path;
    }

    @Override
    public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException {
      lines++;
      prefixLen = Utf8.boundaryLength(prefix, 0, prefixLen);
      reject("line of " + totalBytes + " bytes is longer than max_line_bytes (" + maxLineBytes
          + "); raw holds its first " + prefixLen + " bytes", lineNumber, prefix, 0, prefixLen, totalBytes);
    }

    /** Dead-letters a line through the chunk: it reaches Redis with the chunk's records, exactly once. */
    private void reject(String error, long lineNumber, byte[] raw, int off, int len, long totalBytes) throws IOException {
      deadTotal++;
      full |= buffer.reject(FileDeadLetterQueue.envelope(error, source, lineNumber, clock.instant().toString(), raw, off,
          len, totalBytes), lineNumber);
    }

    @Override
    public void boundary(long offset, long nextLine) throws IOException {
      if (full) {
        ship(offset, nextLine, false);
      }
    }

    void finish(LineReader.Position next, boolean atEnd) throws IOException {
      ship(next.offset(), next.line(), atEnd);
    }

    private void ship(long offset, long nextLine, boolean done) throws IOException {
      Progress next = new Progress(last.id(), last.size(), last.head(), offset, nextLine, done);
      buffer.ship(last.id(), source, () -> {
        checkpoint.accept(next);
        acked = next;
      });
      full = false;
      last = next;
    }
  }
}
