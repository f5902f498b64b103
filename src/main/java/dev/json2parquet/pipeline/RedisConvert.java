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
 * real path (symlinks resolved): its size, the SHA-256 of its first 64 KiB, the byte offset and line up to which
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
    Map<String, String> given = new java.util.HashMap<>(); // content -> path, within this command
    for (Input in : inputs) {
      if (in.file() == null) {
        throw new ConfigException("Cannot buffer stdin into Redis: a resumable run reads files; give the input as a"
            + " FILE (or use --buffer memory)");
      }
      RunJournal.Identity id;
      try {
        // a symlink is the file it points to: progress is kept under the real path
        id = RunJournal.Identity.of(in.file().toRealPath());
      } catch (java.io.UncheckedIOException e) {
        throw new ConfigException(e.getMessage());
      } catch (IOException e) {
        throw new ConfigException("Cannot read " + in.file() + ": " + e.getMessage());
      }
      ids.add(id);
      String twin = given.putIfAbsent(content(id.size(), id.head()), id.path());
      if (twin != null) {
        skips.put(plan.size(), in.name() + " is the same file as " + twin + " (same size and first 64 KiB), given earlier"
            + " in this command; skipped");
        plan.add(null);
        continue;
      }
      String stored = jedis.hget(streams.inputs(), id.path());
      Progress p = stored == null ? null : Progress.parse(stored);
      if (restart) {
        p = null;
      } else if (p == null) {
        // renamed, moved, or linked under another name: recognised by content, as the memory path does
        Map.Entry<String, Progress> known = byContent(jedis, streams, id);
        if (known != null && known.getValue().done()) {
          skips.put(plan.size(), in.name() + " is already in Redis: an earlier run buffered all of it as " + known.getKey()
              + " (same size and first 64 KiB); skipped (pass --restart to buffer it again, which duplicates its records)");
        } else if (known != null) {
          p = known.getValue();
          continuing.put(plan.size(), "continuing " + in.name() + " at line " + p.line() + " (byte " + p.offset() + "), where"
              + " an earlier run stopped reading it as " + known.getKey() + " (same size and first 64 KiB)");
        }
      } else if (p.size() != id.size() || !p.head().equals(id.head())) {
        String refusal = grown(in, id, p);
        if (refusal != null) {
          throw new ConfigException("Cannot buffer " + id.path() + ": " + refusal + "; pass --restart to buffer it again"
              + " from its start, which buffers (and flushes) the " + (p.line() - 1) + " lines already in Redis or written"
              + " a second time");
        }
        continuing.put(plan.size(), "continuing " + in.name() + " at line " + p.line() + " (byte " + p.offset() + "): it grew"
            + " from " + p.size() + " to " + id.size() + " bytes since an earlier run buffered it, and what that run read"
            + " is unchanged at its start (taken as appended to, as log shippers do)");
        p = new Progress(p.id(), id.size(), id.head(), p.offset(), p.line(), false);
      }
      if (p == null) {
        p = new Progress(Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE), id.size(), id.head(),
            0, 1, false);
        fresh.add(p.id());
      }
      plan.add(p);
    }
    RedisBuffer buffer = new RedisBuffer(jedis, streams, RedisBuffer.CHUNK_ENTRIES, RedisBuffer.CHUNK_BYTES)
        .reportTo(err);
    Intake intake = new Intake(type, key, buffer, config.maxLineBytes(), clock, config.threads());
    LineReader reader = new LineReader(config.maxLineBytes());
    List<String> notes = new ArrayList<>();
    String fatal;
    try {
      fatal = readAll(inputs, plan, ids, jedis, streams, buffer, intake, reader, notes);
    } finally {
      intake.close();
      buffer.close();
    }
    if (stop.requested() && fatal == null) {
      notes.add("stopped by SIG" + stop.signal() + "; every line read is in Redis or the DLQ; run the same command again"
          + " to continue");
    }
    return new Result(intake.lines, buffer.buffered(), intake.deadTotal, skippedInputs, fatal, notes);
  }

  private long skippedInputs;
  /** Inputs skipped before reading (by index), with the line that says why. */
  private final Map<Integer, String> skips = new java.util.HashMap<>();
  /** Input ids made by this run: no line of theirs can be in Redis before this run sends it. */
  private final java.util.Set<String> fresh = new java.util.HashSet<>();
  /** Where an input continues when that is not plain (by index): the line that says so. */
  private final Map<Integer, String> continuing = new java.util.HashMap<>();

  private static String content(long size, String head) {
    return size + ":" + head;
  }

  /**
   * An input recorded under another path with the same content (size and SHA-256 of the first 64
   * KiB): a finished one if there is one, else the one read furthest; null when none. Scans the
   * progress hash in pages (one entry per input ever buffered).
   */
  private static Map.Entry<String, Progress> byContent(UnifiedJedis jedis, RedisStreams streams, RunJournal.Identity id)
      throws IOException {
    Map.Entry<String, Progress> best = null;
    String cursor = redis.clients.jedis.params.ScanParams.SCAN_POINTER_START;
    redis.clients.jedis.params.ScanParams params = new redis.clients.jedis.params.ScanParams().count(500);
    do {
      redis.clients.jedis.resps.ScanResult<Map.Entry<String, String>> page = jedis.hscan(streams.inputs(), cursor, params);
      for (Map.Entry<String, String> e : page.getResult()) {
        Progress p = Progress.parse(e.getValue());
        if (p.size() == id.size() && p.head().equals(id.head()) && (best == null || !best.getValue().done()
            && (p.done() || p.offset() > best.getValue().offset()))) {
          best = Map.entry(e.getKey(), p);
        }
      }
      cursor = page.getCursor();
    } while (!cursor.equals(redis.clients.jedis.params.ScanParams.SCAN_POINTER_START));
    return best;
  }

  /**
   * Null when {@code in} only grew since {@code p} was recorded: larger, the bytes that run hashed
   * (its first 64 KiB, or all of it when smaller) unchanged, and the recorded offset at a line's end.
   * Bytes between 64 KiB and the offset are taken not to have been rewritten (a log file is only
   * appended to). Otherwise why it cannot continue.
   */
  private static String grown(Input in, RunJournal.Identity now, Progress p) throws IOException {
    String changed = "it changed since an earlier run buffered it into Redis up to line " + p.line() + " (then " + p.size()
        + " bytes, now " + now.size() + ", ";
    if (now.size() <= p.size()) {
      return changed + (now.size() < p.size() ? "smaller" : "other first 64 KiB") + ")";
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(now.path()))) {
      if (!RunJournal.Identity.hash(ch, 0, (int) Math.min(RunJournal.BLOCK, p.size())).equals(p.head())) {
        return changed + "other first 64 KiB)";
      }
      if (in.gzip()) {
        return changed + "a compressed file cannot be continued where it grew)";
      }
      java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
      if (p.offset() > 0 && (ch.read(last, p.offset() - 1) != 1 || last.get(0) != '\n')) {
        return changed + "its last line then had no line break, so it may have been cut in the middle)";
      }
    }
    return null;
  }

  /** Reads each input into the buffer; returns the fatal problem that stopped it, or null. */
  private String readAll(List<Input> inputs, List<Progress> plan, List<RunJournal.Identity> ids, UnifiedJedis jedis,
      RedisStreams streams, RedisBuffer buffer, Intake intake, LineReader reader, List<String> notes) throws IOException {
    String fatal = null;
    for (int i = 0; i < inputs.size() && fatal == null && !stop.requested(); i++) {
      Input in = inputs.get(i);
      Progress p = plan.get(i);
      String path = ids.get(i).path();
      if (skips.containsKey(i)) {
        err.println("json2parquet: " + skips.get(i));
        skippedInputs++;
        continue;
      }
      if (p.done()) {
        err.println("json2parquet: " + in.name() + " is already in Redis (an earlier run buffered all of it); skipped"
            + " (pass --restart to buffer it again)");
        skippedInputs++;
        continue;
      }
      if (continuing.containsKey(i)) {
        err.println("json2parquet: " + continuing.get(i));
      } else if (p.offset() > 0) {
        err.println("json2parquet: continuing " + in.name() + " at line " + p.line() + " (byte " + p.offset()
            + "), where an earlier run stopped");
      }
      jedis.hset(streams.inputs(), path, p.json());
      try (InputStream raw = in.openDecoded(n -> { })) {
        if (p.offset() > 0) {
          RunJournal.skip(raw, p.offset(), in.name());
        }
        intake.start(in.name(), checkpoint -> jedis.hset(streams.inputs(), path, checkpoint.json()), p,
            fresh.contains(p.id()));
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

  /**
   * The reading end: each line validated, keyed and added to the Redis chunk, or dead-lettered.
   *
   * <p>As {@code RecordRouter} does for the memory path, the reading thread only splits lines and
   * copies them into chunks of up to {@link #STAGE_RECORDS} lines or {@link #STAGE_BYTES} bytes;
   * {@code parsers} threads parse the chunks (to validate and key each line), and the reading thread
   * applies the parsed chunks strictly in input order: each line is added to the Redis chunk under its
   * key, or dead-lettered, and the Redis chunk is shipped at the line boundary right after the line
   * that filled it, with that boundary's offset and line as the checkpoint (each line carries the
   * boundary that followed it). So Redis sees the same entries in the same order, and the recorded
   * progress is the same exact lower bound, as with parsing on the reading thread. At most
   * {@code parsers + 1} chunks exist at once. An oversized line and the end of an input first apply
   * every chunk read so far.
   *
   * <p>Called on the reading thread only; {@link #close} stops the parser threads.
   */
  private static final class Intake implements LineReader.Handler, AutoCloseable {
    static final int STAGE_RECORDS = 1024;
    static final int STAGE_BYTES = 1 << 20;

    private final RedisBuffer buffer;
    private final int maxLineBytes;
    private String source;
    private final Clock clock;
    private java.util.function.Consumer<Progress> checkpoint;
    /** The input's id was made by this run (see {@link RedisBuffer#ship(String, String, boolean, Runnable)}). */
    private boolean fresh;
    private boolean full;
    Progress last;
    /** The last progress Redis has recorded (set on the shipping thread). */
    volatile Progress acked;
    long lines;
    long deadTotal;

    private final InOrder<Chunk> inFlight;
    private final java.util.concurrent.ArrayBlockingQueue<Parser> idle;
    private final java.util.ArrayDeque<Chunk> freeChunks = new java.util.ArrayDeque<>();
    private Chunk filling;

    Intake(RecordType type, PathTemplate key, RedisBuffer buffer, int maxLineBytes, Clock clock, int parsers) {
      this.clock = clock;
      this.buffer = buffer;
      this.maxLineBytes = maxLineBytes;
      parsers = Math.max(1, parsers);
      this.idle = new java.util.concurrent.ArrayBlockingQueue<>(parsers + 1);
      for (int i = 0; i <= parsers; i++) {
        idle.add(new Parser(new JsonRecordReader(type), key));
        freeChunks.add(new Chunk());
      }
      this.inFlight = new InOrder<>(parsers, "redis-parser", this::apply);
    }

    void start(String source, java.util.function.Consumer<Progress> checkpoint, Progress from, boolean fresh) {
      this.source = source;
      this.fresh = fresh;
      this.checkpoint = checkpoint;
      this.last = from;
      this.acked = from;
    }

    @Override
    public void line(byte[] buf, int off, int len, long lineNumber) throws IOException {
      lines++;
      if (filling == null) {
        filling = freeChunks.poll();
        filling.lines = 0;
        filling.bytes = 0;
      }
      filling.add(buf, off, len, lineNumber);
    }

    @Override
    public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException {
      applyAll();
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
      Chunk c = filling;
      if (c != null && c.lines > 0 && c.nextLine[c.lines - 1] == 0) {
        // the boundary after the chunk's last line: where a checkpoint after that line points
        c.end[c.lines - 1] = offset;
        c.nextLine[c.lines - 1] = nextLine;
        if (c.lines == STAGE_RECORDS || c.bytes >= STAGE_BYTES) {
          submit();
        }
      } else if (full && inFlight.isEmpty() && (c == null || c.lines == 0)) {
        // after a line handled on this thread (oversized), with nothing read before it still out
        ship(offset, nextLine, false);
      }
    }

    void finish(LineReader.Position next, boolean atEnd) throws IOException {
      applyAll();
      ship(next.offset(), next.line(), atEnd);
    }

    /** Applies every chunk read so far, in input order. */
    private void applyAll() throws IOException {
      if (filling != null && filling.lines > 0) {
        submit();
      }
      inFlight.applyAll();
    }

    private void submit() throws IOException {
      Chunk c = filling;
      filling = null;
      inFlight.submit(() -> {
        Parser p = idle.poll();
        return () -> {
          try {
            p.parseAll(c);
          } finally {
            idle.add(p);
          }
          return c;
        };
      });
    }

    /** Applies a parsed chunk, oldest first: its lines to the Redis chunk (or the DLQ), in input order. */
    private void apply(Chunk c) throws IOException {
      try {
        for (int i = 0; i < c.lines; i++) {
          if (c.error[i] != null) {
            reject(c.error[i], c.number[i], c.line[i], 0, c.line[i].length, c.line[i].length);
          } else {
            full |= buffer.add(c.key[i], c.line[i], c.numberText[i]);
          }
          if (full && c.nextLine[i] != 0) {
            ship(c.end[i], c.nextLine[i], false);
          }
        }
      } finally {
        java.util.Arrays.fill(c.key, 0, c.lines, null);
        java.util.Arrays.fill(c.error, 0, c.lines, null);
        java.util.Arrays.fill(c.line, 0, c.lines, null);
        java.util.Arrays.fill(c.numberText, 0, c.lines, null);
        java.util.Arrays.fill(c.nextLine, 0, c.lines, 0);
        c.lines = 0;
        freeChunks.add(c);
      }
    }

    private void ship(long offset, long nextLine, boolean done) throws IOException {
      Progress next = new Progress(last.id(), last.size(), last.head(), offset, nextLine, done);
      buffer.ship(last.id(), source, fresh, () -> {
        checkpoint.accept(next);
        acked = next;
      });
      full = false;
      last = next;
    }

    /** Stops the parser threads (chunks not applied are dropped). */
    @Override
    public void close() {
      inFlight.close();
    }

    /**
     * Lines copied out of the line reader's buffer, each into an array of its own, which is the one
     * sent to Redis (so a line is copied once on the reading thread), with what a parser found for
     * each.
     */
    private static final class Chunk {
      final byte[][] line = new byte[STAGE_RECORDS][];
      final long[] number = new long[STAGE_RECORDS];
      /** The line number as the decimal text the stream entry holds (made on a parser thread). */
      final byte[][] numberText = new byte[STAGE_RECORDS][];
      /** The boundary after each line (offset, next line number); next line 0: none seen yet. */
      final long[] end = new long[STAGE_RECORDS];
      final long[] nextLine = new long[STAGE_RECORDS];
      /** Per line: its key, or why it is no record. */
      final String[] key = new String[STAGE_RECORDS];
      final String[] error = new String[STAGE_RECORDS];
      int lines;
      int bytes;

      void add(byte[] buf, int off, int len, long lineNumber) {
        line[lines] = java.util.Arrays.copyOfRange(buf, off, off + len);
        number[lines] = lineNumber;
        nextLine[lines] = 0;
        lines++;
        bytes += len;
      }
    }

    /** One parser thread's state: its reader, staging batch and key renderer. */
    private static final class Parser {
      final JsonRecordReader reader;
      final ColumnBatch staging;
      final PathTemplate key;
      final PathTemplate.Renderer keys;

      Parser(JsonRecordReader reader, PathTemplate key) {
        this.reader = reader;
        this.staging = new ColumnBatch(reader.recordType().schema());
        this.key = key;
        this.keys = key.renderer(() -> System.currentTimeMillis() * 1000);
      }

      /**
       * The stream name of a record with these key values. Escaping the values into a path was a
       * quarter of the parser threads' time (JFR), and a run has few distinct keys: the names are
       * kept per parser, at most {@link #NAMES} of them (cleared when full, so memory stays bounded).
       */
      private String name(List<String> values) {
        String n = names.get(values);
        if (n == null) {
          String path = key.path(values);
          n = path.isEmpty() ? "_" : path;
          if (names.size() >= NAMES) {
            names.clear();
          }
          names.put(values, n);
        }
        return n;
      }

      static final int NAMES = 4096;
      private final Map<List<String>, String> names = new java.util.HashMap<>();

      void parseAll(Chunk c) {
        for (int i = 0; i < c.lines; i++) {
          try {
            reader.append(c.line[i], 0, c.line[i].length, staging);
          } catch (RecordException e) {
            c.error[i] = e.getMessage();
            continue;
          }
          c.key[i] = name(keys.values(staging));
          c.numberText[i] = Long.toString(c.number[i]).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          if (staging.records() >= STAGE_RECORDS) {
            staging.clear();
          }
        }
        staging.clear();
      }
    }
  }
}
