package dev.json2parquet.pipeline;

import dev.json2parquet.buffer.MemoryBuffer;
import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.dlq.FileDeadLetterQueue;
import dev.json2parquet.dlq.Recovery;
import dev.json2parquet.dlq.RecoveryStores;
import dev.json2parquet.flush.Flusher;
import dev.json2parquet.flush.IntervalFlusher;
import dev.json2parquet.flush.Layout;
import dev.json2parquet.record.AvroSchemas;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.JsonSchemas;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.SchemaInference;
import dev.json2parquet.record.UnknownFields;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import dev.json2parquet.source.Input;
import dev.json2parquet.source.LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The batch pipeline: inputs, line reader, record reader and router on the calling thread; the
 * memory buffer; the flusher's encoder threads; the local sink; the dead-letter queue beside them.
 * Shutdown runs in a fixed order: flush the buffer, wait for the encoders, close the DLQ and sink.
 */
public final class Converter {
  public static final String VERSION = dev.json2parquet.Version.NUMBER;

  private final Config config;
  private final Clock clock;
  private final Ticker ticker;
  private final PrintStream err;
  private final boolean progress;
  private final boolean debug;
  private int progressWidth = 80;

  /** {@code debug}: log each file written (the caller has set the log level). */
  public Converter(Config config, Clock clock, Ticker ticker, PrintStream err, boolean progress, boolean debug) {
    this.config = config;
    this.clock = clock;
    this.ticker = ticker;
    this.err = err;
    this.progress = progress;
    this.debug = debug;
  }

  /** The terminal's width in columns, which the progress bar fits in (default 80). Returns this. */
  public Converter progressWidth(int columns) {
    this.progressWidth = columns;
    return this;
  }

  /**
   * Checks what this version cannot do yet, before anything is written or logged.
   *
   * @throws ConfigException for the Redis buffer or the S3 writer, which are not built yet
   */
  public static void checkSupported(Config config) {
    if (!config.bufferType().equals("memory")) {
      throw new ConfigException("Cannot use buffer_type = \"" + config.bufferType()
          + "\": the Redis buffer is not built yet (redis_host " + config.value("redis_host")
          + " was not contacted); use \"memory\" (or \"mem\")");
    }
    if (!config.writerType().equals("file")) {
      throw new ConfigException("Cannot use writer_type = \"" + config.writerType()
          + "\": the S3 writer is not built yet; use \"file\"");
    }
  }

  /**
   * The record type to read; for dynamic records without a schema file, infers one from the first
   * records of the inputs (in order), or returns null when the inputs hold only blank lines.
   */
  private RecordType recordType(List<Input> inputs) throws IOException {
    if (config.recordType().equals("log")) {
      return RecordType.log();
    }
    UnknownFields policy = UnknownFields.valueOf(config.unknownFields().toUpperCase(Locale.ROOT));
    RecordSchema schema;
    Path schemaFile = config.schemaPath();
    if (schemaFile != null) {
      String text;
      try {
        text = Files.readString(schemaFile);
      } catch (IOException e) {
        throw new ConfigException("Cannot read json_schema_path " + schemaFile + ": " + e.getMessage());
      }
      try {
        schema = AvroSchemas.isAvro(text) ? AvroSchemas.parse(text, "record") : JsonSchemas.parse(text, "record");
      } catch (IllegalArgumentException e) {
        throw new ConfigException("Invalid schema " + schemaFile + ": " + e.getMessage());
      }
    } else {
      SchemaInference inference = new SchemaInference();
      List<String> sources = SchemaSampler.sample(inference, inputs, config.schemaSample());
      if (inference.records() == 0) {
        if (inference.lines() == 0) {
          return null;
        }
        throw new ConfigException("Cannot infer a schema: none of the first " + inference.lines()
            + " non-blank lines of the input is a JSON object; give a schema with --schema");
      }
      try {
        schema = inference.result("record");
      } catch (IllegalStateException e) {
        throw new ConfigException(e.getMessage() + "; give a schema with --schema");
      }
      Files.createDirectories(config.outDir());
      Path written = config.outDir().resolve("_schema.json");
      Files.writeString(written, JsonSchemas.render(schema));
      err.println("json2parquet: no --schema given: inferred one from the first " + inference.records()
          + " records of " + String.join(", ", sources) + "; written to " + written
          + " (pass it with --schema to repeat this run)");
    }
    try {
      return RecordType.dynamic(schema, policy);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Invalid schema: " + e.getMessage());
    }
  }

  static PathTemplate template(String name, String text, RecordType type) {
    try {
      return PathTemplate.parse(text, type.schema());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Invalid " + name + " = \"" + text + "\": " + e.getMessage());
    }
  }

  /**
   * {@code yyyyMMdd'T'HHmmss'Z'-xxxx}: the run's start in UTC and 16 random bits in hex, written out
   * by hand (a DateTimeFormatter and String.format cost ~30 ms of a short run's start-up).
   */
  static String runId(java.time.Instant start, int random) {
    java.time.LocalDateTime t = java.time.LocalDateTime.ofInstant(start, ZoneOffset.UTC);
    return Layout.zeroPadded(t.getYear(), 4) + Layout.zeroPadded(t.getMonthValue(), 2)
        + Layout.zeroPadded(t.getDayOfMonth(), 2) + "T" + Layout.zeroPadded(t.getHour(), 2)
        + Layout.zeroPadded(t.getMinute(), 2) + Layout.zeroPadded(t.getSecond(), 2) + "Z-"
        + Integer.toHexString(0x10000 | (random & 0xFFFF)).substring(1);
  }

  public RunResult run(List<Input> given) throws IOException, InterruptedException {
    return run(given, newRunId());
  }

  /** A new run id, for callers that must record it before the run starts ({@code dlq replay}). */
  public String newRunId() {
    return runId(clock.instant(), ThreadLocalRandom.current().nextInt(1 << 16));
  }

  /** Converts {@code given} as run {@code runId} (names its files and its DLQ file {@code dlq-<runId>.jsonl}). */
  public RunResult run(List<Input> given, String runId) throws IOException, InterruptedException {
    checkSupported(config);
    List<Input> inputs = new ArrayList<>(given);
    RecordType type = recordType(inputs);
    if (type == null) {
      // nothing but blank lines, as a Log run over them: nothing to write
      return RunResult.empty();
    }
    PathTemplate partition = template("partition", config.partitionTemplate(), type);
    PathTemplate key = template("key", config.keyTemplate(), type);
    long start = ticker.read();
    AtomicLong bytesIn = new AtomicLong();
    MemoryBuffer[] buffer = new MemoryBuffer[1];
    String fatal = null;
    long lines;
    try (Sink sink = Sinks.open(config);
        FileDeadLetterQueue dlq = new FileDeadLetterQueue(config.dlqDir(), runId, clock)) {
      Flusher flusher = new Flusher(config.threads(), sink, new Layout(partition, key, runId), type.schema(),
          config.writerSettings(), Map.of("json2parquet.version", VERSION), b -> buffer[0].release(b))
          .logEachFile(debug).recoverInto(RecoveryStores.open(config, clock))
          .rollFiles(new Flusher.Rolling(config.bufferSize(), config.maxFileBytes(), config.maxOpenFiles(),
              Math.max(1, (long) (config.flushIntervalSeconds() * 1e9)), ticker));
      buffer[0] = new MemoryBuffer(type.schema(), config.bufferSize(), config.maxBufferBytes(),
          (long) (config.flushIntervalSeconds() * 1e9), ticker, flusher::submit);
      IntervalFlusher interval = new IntervalFlusher(buffer[0], flusher);
      interval.start();
      RecordRouter router = new RecordRouter(new JsonRecordReader(type), partition, key,
          () -> clock.instant().toEpochMilli() * 1000, buffer[0], dlq, config.maxLineBytes());
      LineReader lineReader = new LineReader(config.maxLineBytes());
      long total = inputs.stream().mapToLong(Input::size).reduce(0, (a, b) -> a < 0 || b < 0 ? -1 : a + b);
      Progress bar = progress ? new Progress(err, total, bytesIn::get, progressWidth) : null;
      try {
        for (Input input : inputs) {
          router.source(input.name(), input.origins());
          try (InputStream in = input.openDecoded(bytesIn::addAndGet)) {
            lineReader.read(in, router);
          } catch (IOException e) {
            fatal = (fatal == null ? "" : fatal + "; ") + "Cannot read " + input.name() + " past line "
                + router.lines + ": " + e.getMessage();
          } finally {
            router.drain();
          }
        }
      } finally {
        try {
          if (bar != null) {
            bar.finishing(flusher::unfinished);
          }
          interval.close();
          buffer[0].flushAll();
          flusher.close();
          buffer[0].close();
        } finally {
          if (bar != null) {
            bar.close();
          }
        }
      }
      lines = router.lines;
      var stats = flusher.stats();
      dlq.close();
      double seconds = (ticker.read() - start) / 1e9;
      long lost = lines - stats.records() - stats.failedRecords() - stats.recordsInRecovery() - dlq.count();
      if (lost != 0 && fatal == null) {
        fatal = "internal error: " + lost + " records unaccounted for";
      }
      return new RunResult(lines, stats.records(), dlq.count(), stats.recordsInRecovery(), stats.failedRecords(),
          router.droppedFields(), stats.files(), stats.bytes(), bytesIn.get(), seconds, dlq.file().toString(),
          Recovery.command(config), stats.failures(), fatal, router.placedByIngestTime(), stats.smallFiles());
    }
  }
}
