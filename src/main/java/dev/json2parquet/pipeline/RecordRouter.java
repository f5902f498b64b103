package dev.json2parquet.pipeline;

import dev.json2parquet.buffer.Buffer;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.dlq.DeadLetterQueue;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.source.Input;
import dev.json2parquet.record.Utf8;
import dev.json2parquet.source.LineReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.LongSupplier;

/**
 * The reading end of the pipeline: each line becomes one record in the buffer under its key, or
 * one entry in the dead-letter queue. Records are parsed into a staging batch, and handed to the
 * buffer in runs of consecutive records with the same key (one run per drain when the input has
 * one key, or is sorted by key), so that they are copied column by column in bulk rather than
 * record by record. The staging batch is drained when it holds {@link #STAGE_RECORDS} lines or
 * {@link #STAGE_BYTES} bytes of lines, before a read that may block, and at the end of each input.
 *
 * <p><b>Parallel parsing</b> ({@code parsers > 1}): parsing JSON is most of a conversion's work
 * (JFR on the single-key job: ~75% of the samples are the reading thread, the encoder waits), so
 * the reading thread only splits lines and copies them into a chunk of up to {@link #STAGE_RECORDS}
 * lines or {@link #STAGE_BYTES} bytes; {@code parsers} threads parse chunks into staging batches of
 * their own, and the reading thread hands the parsed chunks to the buffer and their rejects to the
 * dead-letter queue strictly in input order. The buffer therefore sees the same records in the same
 * order as with one parser, and since its decisions depend only on that order (see MemoryBuffer),
 * the files are the same. At most {@code parsers + 1} chunks exist at once (memory: a few MiB per
 * parser). {@link #drain}, {@link #idle}, an oversized or cut line and the end of an input wait
 * until every chunk read so far is in the buffer.
 *
 * <p>Called on the reading thread only; {@link #close} stops the parser threads.
 */
final class RecordRouter implements LineReader.Handler, AutoCloseable {
  static final int STAGE_RECORDS = 1024;
  static final int STAGE_BYTES = 1 << 20;

  private final RecordType type;
  private final PathTemplate partitionTemplate;
  private final PathTemplate keyTemplate;
  private final LongSupplier ingestMicros;
  private final Buffer buffer;
  private final DeadLetterQueue dlq;
  private final int maxLineBytes;
  private String source = "";
  private Input.Origins origins;
  long lines;

  /** With one parser: the reading thread's own. */
  private final Parser inline;
  /** With parser threads: idle parsers, free chunks, and the chunks being parsed, oldest first. */
  private final InOrder<Parser> inFlight;
  private final ArrayBlockingQueue<Parser> parsers;
  private final ArrayDeque<Chunk> freeChunks = new ArrayDeque<>();
  private final List<Parser> all = new ArrayList<>();
  private Chunk filling;

  RecordRouter(JsonRecordReader reader, PathTemplate partition, PathTemplate key, LongSupplier ingestMicros,
      Buffer buffer, DeadLetterQueue dlq, int maxLineBytes) {
    this(reader, partition, key, ingestMicros, buffer, dlq, maxLineBytes, 1);
  }

  /** @param parsers threads that parse JSON; 1 parses on the reading thread */
  RecordRouter(JsonRecordReader reader, PathTemplate partition, PathTemplate key, LongSupplier ingestMicros,
      Buffer buffer, DeadLetterQueue dlq, int maxLineBytes, int parsers) {
    this.type = reader.recordType();
    this.partitionTemplate = partition;
    this.keyTemplate = key;
    this.ingestMicros = ingestMicros;
    this.buffer = buffer;
    this.dlq = dlq;
    this.maxLineBytes = maxLineBytes;
    if (parsers <= 1) {
      this.inline = parser(reader);
      this.inFlight = null;
      this.parsers = null;
    } else {
      this.inline = null;
      this.parsers = new ArrayBlockingQueue<>(parsers + 1);
      for (int i = 0; i <= parsers; i++) {
        this.parsers.add(parser(i == 0 ? reader : new JsonRecordReader(type)));
        freeChunks.add(new Chunk());
      }
      this.inFlight = new InOrder<>(parsers, "parser", this::apply);
    }
  }

  private Parser parser(JsonRecordReader reader) {
    Parser p = new Parser(reader);
    all.add(p);
    return p;
  }

  /** Records whose event time was missing or unparseable, placed by the ingest time instead. */
  long placedByIngestTime() {
    long n = 0;
    for (Parser p : all) {
      n += p.placedByIngestTime;
    }
    return n;
  }

  /** Fields left out of records under {@code unknown_fields = drop}. */
  long droppedFields() {
    long n = 0;
    for (Parser p : all) {
      n += p.reader.droppedFields();
    }
    return n;
  }

  void source(String name) {
    source(name, null);
  }

  /** The input read next; {@code origins}, when not null, names the source and line of each dead letter. */
  void source(String name, Input.Origins origins) {
    this.source = name;
    this.origins = origins;
  }

  private void reject(String error, String source, Input.Origins origins, long lineNumber, byte[] raw, int off,
      int len, long totalBytes) throws IOException {
    Input.Origin o = origins == null ? null : origins.of(lineNumber);
    if (o == null) {
      dlq.reject(error, source, lineNumber, raw, off, len, totalBytes);
    } else {
      dlq.reject(error, o.source(), o.line(), raw, off, len, totalBytes);
    }
  }

  private void reject(String error, long lineNumber, byte[] raw, int off, int len, long totalBytes) throws IOException {
    reject(error, source, origins, lineNumber, raw, off, len, totalBytes);
  }

  @Override
  public void line(byte[] buf, int off, int len, long lineNumber) throws IOException {
    lines++;
    if (inline != null) {
      String error = inline.parse(buf, off, len);
      if (error != null) {
        reject(error, lineNumber, buf, off, len, len);
      } else if (inline.staged == STAGE_RECORDS || inline.stagedBytes >= STAGE_BYTES) {
        handOver(inline);
      }
      return;
    }
    if (filling == null) {
      filling = freeChunks.poll();
      filling.start(source, origins);
    }
    filling.add(buf, off, len, lineNumber);
    if (filling.lines == STAGE_RECORDS || filling.bytes >= STAGE_BYTES) {
      submit();
    }
  }

  @Override
  public void idle() throws IOException {
    drain();
  }

  /** A record that puts itself into a staging batch, or declines (false, batch as it was). serve's addition. */
  interface Shredder {
    boolean appendTo(ColumnBatch batch);
  }

  /**
   * serve's addition: appends a record that is not a JSON line but puts itself into the staging
   * batch (a forward event read straight from msgpack); it is keyed and handed over exactly as a
   * parsed line. Returns false, nothing changed, when the record declines (the caller then gives
   * its JSON line to {@link #line}) or when lines are parsed on parser threads.
   *
   * @param bytes the record's size, counted towards {@link #STAGE_BYTES}
   */
  boolean shredded(Shredder s, int bytes) throws IOException {
    if (inline == null || !s.appendTo(inline.staging)) {
      return false;
    }
    lines++;
    inline.keyed(bytes);
    if (inline.staged == STAGE_RECORDS || inline.stagedBytes >= STAGE_BYTES) {
      handOver(inline);
    }
    return true;
  }

  /** Hands every record read so far to the buffer (waiting for the parser threads), in input order. */
  void drain() throws IOException {
    if (inline != null) {
      handOver(inline);
      return;
    }
    if (filling != null) {
      submit();
    }
    inFlight.applyAll();
  }

  /** Queues the chunk being filled for a parser thread; when too many are out, applies the oldest first. */
  private void submit() throws IOException {
    Chunk c = filling;
    filling = null;
    inFlight.submit(() -> {
      Parser p = parsers.poll();
      return () -> {
        p.parseAll(c);
        return p;
      };
    });
  }

  /** Applies a parsed chunk, oldest first: its rejects to the DLQ, its records to the buffer. */
  private void apply(Parser p) throws IOException {
    Chunk c = p.chunk;
    try {
      for (int i = 0; i < p.rejects; i++) {
        int at = p.rejectAt[i];
        reject(p.rejectError[i], c.source, c.origins, c.number[at], c.data, c.start[at], c.length[at], c.length[at]);
        p.rejectError[i] = null;
      }
      handOver(p);
    } finally {
      p.rejects = 0;
      p.chunk = null;
      freeChunks.add(c);
      parsers.add(p);
    }
  }

  /** Hands a parser's staged records to the buffer, a run of equal keys at a time. */
  private void handOver(Parser p) throws IOException {
    if (p.staged == 0) {
      return;
    }
    ColumnBatch.Cursor at = p.staging.cursor();
    try {
      int a = 0;
      while (a < p.staged) {
        int b = a + 1;
        while (b < p.staged && p.keys[b] == p.keys[a]) {
          b++;
        }
        buffer.append(p.keys[a], p.staging, at, b - a);
        a = b;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for buffer space");
    } finally {
      p.clear();
    }
  }

  /** Stops the parser threads (records not drained are dropped: drain first). */
  @Override
  public void close() {
    if (inFlight != null) {
      inFlight.close();
    }
  }

  /** Lines copied out of the line reader's buffer, for a parser thread. */
  private static final class Chunk {
    byte[] data = new byte[STAGE_BYTES + (STAGE_BYTES >> 2)];
    final int[] start = new int[STAGE_RECORDS];
    final int[] length = new int[STAGE_RECORDS];
    final long[] number = new long[STAGE_RECORDS];
    int lines;
    int bytes;
    String source;
    Input.Origins origins;

    void start(String source, Input.Origins origins) {
      this.source = source;
      this.origins = origins;
      lines = 0;
      bytes = 0;
    }

    void add(byte[] buf, int off, int len, long lineNumber) {
      if (bytes + len > data.length) {
        data = Arrays.copyOf(data, Math.max(bytes + len, data.length * 2));
      }
      System.arraycopy(buf, off, data, bytes, len);
      start[lines] = bytes;
      length[lines] = len;
      number[lines] = lineNumber;
      lines++;
      bytes += len;
    }
  }

  /** One thread's parsing state: its reader, staging batch and the keys of the staged records. */
  private final class Parser {
    final JsonRecordReader reader;
    final ColumnBatch staging;
    final BucketKey[] keys = new BucketKey[STAGE_RECORDS];
    final PathTemplate.Renderer partition;
    final PathTemplate.Renderer key;
    int staged;
    long stagedBytes;
    boolean usedIngestTime;
    long placedByIngestTime;
    /** The chunk parsed last, and its lines that are no record (index in the chunk, error). */
    Chunk chunk;
    int rejects;
    int[] rejectAt = new int[16];
    String[] rejectError = new String[16];

    Parser(JsonRecordReader reader) {
      this.reader = reader;
      this.staging = new ColumnBatch(type.schema());
      // the templates fall back to the ingest time when a record's event time is missing or
      // unparseable: noting each call counts the records placed that way
      LongSupplier noted = () -> {
        usedIngestTime = true;
        return ingestMicros.getAsLong();
      };
      this.partition = partitionTemplate.renderer(noted);
      this.key = keyTemplate.renderer(noted);
    }

    /** Parses one line into the staging batch; returns why it is no record, or null. */
    String parse(byte[] buf, int off, int len) {
      try {
        reader.append(buf, off, len, staging);
      } catch (RecordException e) {
        return e.getMessage();
      }
      keyed(len);
      return null;
    }

    /** Keys the record just appended to the staging batch ({@code len}: its size in bytes). */
    void keyed(int len) {
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
    }

    /** On a parser thread: parses every line of {@code c}. */
    void parseAll(Chunk c) {
      chunk = c;
      // the chunk's lines lie one after another: one parser reads them all
      reader.beginRegion(c.data, c.bytes);
      try {
        for (int i = 0; i < c.lines; i++) {
          String error = parse(c.data, c.start[i], c.length[i]);
          if (error != null) {
            if (rejects == rejectAt.length) {
              rejectAt = Arrays.copyOf(rejectAt, rejects * 2);
              rejectError = Arrays.copyOf(rejectError, rejects * 2);
            }
            rejectAt[rejects] = i;
            rejectError[rejects++] = error;
          }
        }
      } finally {
        reader.endRegion();
      }
    }

    void clear() {
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
    drain();
    lines++;
    dlq.reject(cutReason.get() + "; the line may be incomplete", source, lineNumber, buf, off, len, totalBytes);
  }

  @Override
  public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) throws IOException {
    drain();
    lines++;
    // keep whole characters, so that the prefix of a valid line is stored as text
    prefixLen = Utf8.boundaryLength(prefix, 0, prefixLen);
    reject("line of " + totalBytes + " bytes is longer than max_line_bytes (" + maxLineBytes
        + "); raw holds its first " + prefixLen + " bytes", lineNumber, prefix, 0, prefixLen, totalBytes);
  }
}
