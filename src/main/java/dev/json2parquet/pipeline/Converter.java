package dev.json2parquet.pipeline;

import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.dlq.DeadLetterQueue;
import dev.json2parquet.dlq.DeadLetterQueues;
import dev.json2parquet.dlq.Recovery;
import dev.json2parquet.flush.Layout;
import dev.json2parquet.record.AvroSchemas;
import dev.json2parquet.record.JsonSchemas;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.SchemaInference;
import dev.json2parquet.record.UnknownFields;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.dlq.RecoveryStores;
import dev.json2parquet.sink.LocalSink;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import dev.json2parquet.source.Input;
import dev.json2parquet.source.LineReader;
import dev.json2parquet.source.StdinPump;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
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
  private final StopRequest stop;
  private final boolean force;
  private int progressWidth = 80;
  private DeadLetterQueues.Opener deadLetters = DeadLetterQueues::open;

  /** {@code debug}: log each file written (the caller has set the log level). */
  public Converter(Config config, Clock clock, Ticker ticker, PrintStream err, boolean progress, boolean debug) {
    this(config, clock, ticker, err, progress, debug, new StopRequest(), false);
  }

  /**
   * @param stop stops the run early (signals); the run registers listeners on it
   * @param force convert inputs that a finished run already converted into the same output
   */
  public Converter(Config config, Clock clock, Ticker ticker, PrintStream err, boolean progress, boolean debug,
      StopRequest stop, boolean force) {
    this.stop = stop;
    this.force = force;
    this.config = config;
    this.clock = clock;
    this.ticker = ticker;
    this.err = err;
    this.progress = progress;
    this.debug = debug;
  }

  /** Where this run's dead letters go instead of the configuration's queue ({@code dlq replay}: the store it replays). */
  public Converter deadLettersTo(DeadLetterQueues.Opener opener) {
    this.deadLetters = opener;
    return this;
  }

  /** The terminal's width in columns, which the progress bar fits in (default 80). Returns this. */
  public Converter progressWidth(int columns) {
    this.progressWidth = columns;
    return this;
  }

  /**
   * The ids of runs into {@code out} that stopped without finishing and wait to be rolled back by
   * the next run over their inputs; {@code recover} must not commit what they hold in the recovery
   * store, since that run discards it and converts their inputs again.
   *
   * @throws IOException when the run journals cannot be read
   */
  public static java.util.Set<String> runsToRollBack(Path out) throws IOException {
    return new Runs(out.toAbsolutePath().normalize()).toRollBack();
  }

  /**
   * Checks what this version cannot do yet, before anything is written or logged.
   *
   * @throws ConfigException for the Redis buffer, which is not built yet
   */
  public static void checkSupported(Config config) {
    if (!config.bufferType().equals("memory")) {
      throw new ConfigException("Cannot convert with buffer_type = \"" + config.bufferType()
          + "\" here: the Redis buffer runs through RedisConvert");
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
      return declaredType(config);
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

  /**
   * The record type the configuration declares: the Log record, or dynamic records of the schema
   * in {@code json_schema_path}; null for dynamic records without a schema (to be inferred).
   *
   * @throws ConfigException when the schema cannot be read or used
   */
  public static RecordType declaredType(Config config) {
    if (config.recordType().equals("log")) {
      return RecordType.log();
    }
    Path schemaFile = config.schemaPath();
    if (schemaFile == null) {
      return null;
    }
    UnknownFields policy = UnknownFields.valueOf(config.unknownFields().toUpperCase(Locale.ROOT));
    String text;
    try {
      text = Files.readString(schemaFile);
    } catch (IOException e) {
      throw new ConfigException("Cannot read json_schema_path " + schemaFile + ": " + e.getMessage());
    }
    RecordSchema schema;
    try {
      schema = AvroSchemas.isAvro(text) ? AvroSchemas.parse(text, "record") : JsonSchemas.parse(text, "record");
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Invalid schema " + schemaFile + ": " + e.getMessage());
    }
    try {
      return RecordType.dynamic(schema, policy);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Invalid schema: " + e.getMessage());
    }
  }

  /**
   * The record type of a run that cannot sample its input ({@code serve}): the Log record, or dynamic
   * records of the schema file.
   *
   * @throws ConfigException for dynamic records without a schema file, or a bad schema
   */
  public static RecordType fixedRecordType(Config config) {
    RecordType t = declaredType(config);
    if (t == null) {
      throw new ConfigException("Cannot serve dynamic records without a schema: give one with --schema"
          + " (json_schema_path); json2parquet schema infer FILE prints one inferred from sample records");
    }
    return t;
  }

  public static PathTemplate template(String name, String text, RecordType type) {
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

  /**
   * Converts {@code given}. Before any input is read: checks that OUT and the DLQ directory can be
   * written, takes this run's lock, plans the run from earlier runs' journals (see {@link Runs#plan};
   * may refuse with a {@link ConfigException}), rolls back crashed runs and removes their leftover
   * temporary files. A {@link StopRequest} stops reading at a line boundary; everything read is then
   * committed and the journal says where a re-run continues.
   *
   * @throws ConfigException for what a person must fix first (exit 2); nothing has been read then
   */
  public RunResult run(List<Input> given) throws IOException, InterruptedException {
    return run(given, newRunId());
  }

  /** A new run id, for callers that must record it before the run starts ({@code dlq replay}). */
  public String newRunId() {
    return runId(clock.instant(), ThreadLocalRandom.current().nextInt(1 << 16));
  }

  /**
   * Converts {@code given} as run {@code runId} (names its files, journal and DLQ file
   * {@code dlq-<runId>.jsonl}); otherwise as {@link #run(List)}.
   */
  public RunResult run(List<Input> given, String runId) throws IOException, InterruptedException {
    checkSupported(config);
    List<Input> inputs = new ArrayList<>(given);
    // a schema and templates that need no sample are checked before anything is created
    boolean sample = config.recordType().equals("dynamic") && config.schemaPath() == null;
    RecordType known = sample ? null : recordType(inputs);
    if (known != null) {
      template("partition", config.partitionTemplate(), known);
      template("key", config.keyTemplate(), known);
    }
    // opened before any input is read: the S3 sink checks its bucket here
    try (Sink sink = Sinks.open(config)) {
      return run(inputs, runId, known, sink);
    }
  }

  private RunResult run(List<Input> inputs, String runId, RecordType known, Sink sink)
      throws IOException, InterruptedException {
    Path out = config.outDir().toAbsolutePath().normalize();
    OutputDirs.checkWritable(out, false);
    OutputDirs.checkWritable(config.dlqDir(), true);
    Map<InputStream, StdinPump> pumps = new IdentityHashMap<>();
    List<StdinPump> pumpOf = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      StdinPump pump = null;
      // a replay of dead letters (origins) reads files and must not be read ahead: its origins follow its reads
      if (in.file() == null && in.origins() == null) {
        pump = pumps.computeIfAbsent(in.opener().open(), StdinPump::new);
        StdinPump p = pump;
        inputs.set(i, new Input(in.name(), -1, false, null, () -> p));
        stop.onStop(p::stop); // from here on, even a schema sample waiting on stdin ends at a signal
      }
      pumpOf.add(pump);
    }
    java.time.Instant started = clock.instant();
    Runs runs = new Runs(out);
    Runs.Lock lock;
    try {
      lock = runs.lock(runId);
    } catch (IOException e) {
      throw new ConfigException("Cannot write to " + out.resolve("_runs") + ": " + OutputDirs.reason(e));
    }
    try (lock) {
      List<RunJournal.Identity> ids = new ArrayList<>();
      for (Input in : inputs) {
        try {
          ids.add(in.file() == null ? null : RunJournal.Identity.of(in.file()));
        } catch (java.io.UncheckedIOException e) {
          throw new ConfigException(e.getMessage());
        }
      }
      List<Runs.Past> past = runs.past(runId);
      Runs.Plan plan = runs.plan(ids, past, force);
      // the schema and templates are checked before the journal starts: a run refused for them leaves none
      // a sampled input is replaced by a replay of its decoded bytes, which a resumed run skips as it would the input's
      RecordType type = known != null ? known : recordType(inputs);
      if (type == null) {
        // nothing but blank lines, as a Log run over them: nothing to write, no journal
        return RunResult.empty();
      }
      PathTemplate partition = template("partition", config.partitionTemplate(), type);
      PathTemplate key = template("key", config.keyTemplate(), type);
      try (RunJournal journal = RunJournal.append(runs.journalFile(runId))) {
        long recordsBefore = plan.resume().stream().mapToLong(Runs.Past::records).sum();
        journal.event(startEvent(runId, started, ids, plan, recordsBefore));
        prepare(runs, runId, past, plan, sink);
        return convert(inputs, pumpOf, runId, plan, journal, recordsBefore, type, partition, key, sink);
      }
    } finally {
      pumps.values().forEach(StdinPump::stop);
    }
  }

  private Map<String, Object> startEvent(String runId, java.time.Instant started, List<RunJournal.Identity> ids,
      Runs.Plan plan, long recordsBefore) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("event", "start");
    e.put("run", runId);
    e.put("time", started.toString());
    e.put("pid", ProcessHandle.current().pid());
    e.put("version", VERSION);
    e.put("out", config.outDir().toAbsolutePath().normalize().toString());
    e.put("dlq", config.dlqDir().resolve("dlq-" + runId + ".jsonl").toAbsolutePath().normalize().toString());
    e.put("recovery", config.recoveryDir().toAbsolutePath().normalize().toString());
    e.put("force", force);
    e.put("resumes", plan.resume().stream().map(Runs.Past::runId).toList());
    e.put("rolls_back", plan.rollBack().stream().map(Runs.Past::runId).toList());
    e.put("records_before", recordsBefore);
    List<Object> list = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Map<String, Object> m = ids.get(i) == null ? new LinkedHashMap<>(Map.of("stdin", true)) : ids.get(i).toMap();
      LineReader.Position from = plan.start().get(i);
      m.put("from_offset", from == Runs.Plan.DONE ? -1 : from.offset());
      m.put("from_line", from == Runs.Plan.DONE ? -1 : from.line());
      list.add(m);
    }
    e.put("inputs", list);
    return e;
  }

  /**
   * Rolls back crashed runs (their committed files, DLQ file and recovery-store entries), removes
   * leftover temporary files of dead runs, then marks the runs this one replaces as superseded. Run
   * after this run's start is in its journal, so a crash in the middle is rolled back by the next run
   * the same way.
   */
  private void prepare(Runs runs, String runId, List<Runs.Past> past, Runs.Plan plan, Sink sink) throws IOException {
    String now = clock.instant().toString();
    for (Runs.Past p : plan.rollBack()) {
      long files = runs.removeCommitted(p, sink);
      // the store that run held its files in, which this run's recovery_path may not be
      long stored = (p.recoveryDir() == null ? RecoveryStores.open(config, clock)
          : RecoveryStores.at(Path.of(p.recoveryDir()), clock)).discardRun(p.runId());
      err.println("json2parquet: run " + p.runId() + " stopped without finishing (killed or crashed): removed the "
          + files + " files it committed" + (stored > 0 ? " and " + stored + " of its records in the recovery store" : "")
          + " and its dead letters; converting its inputs again");
    }
    boolean deadRunning = past.stream().anyMatch(p -> p.state().equals("running") && !p.alive() && p.supersededBy() == null);
    if (deadRunning) {
      Map<String, Boolean> dead = new HashMap<>();
      long removed = LocalSink.removeLeftovers(config.outDir(),
          id -> !id.equals(runId) && dead.computeIfAbsent(id, k -> !runs.alive(k)));
      if (removed > 0) {
        err.println("json2parquet: removed " + removed + " unfinished .inprogress files left by runs that were killed");
      }
    }
    for (Runs.Past p : plan.rollBack()) {
      runs.supersede(p, runId, "rolled back", now);
    }
    // killed serve runs (no inputs): their .inprogress files went above; their committed files stay
    for (Runs.Past p : runs.deadServeRuns(runId)) {
      runs.supersede(p, runId, "kept", now);
    }
    for (Runs.Past p : plan.keep()) {
      runs.supersede(p, runId, "kept", now);
      err.println("json2parquet: run " + p.runId() + " read stdin and stopped without finishing (killed or crashed):"
          + " its " + p.files().size() + " committed files (" + p.records() + " records) are kept, since stdin cannot be"
          + " read again; they are not the first lines of that input but records of every key. To convert that input"
          + " exactly once, remove them (jq -r 'select(.event == \"file\") | .path' " + p.journal() + ") and feed it"
          + " whole to a new run");
    }
    for (Runs.Past p : plan.pending()) {
      err.println("json2parquet: run " + p.runId() + " stopped without finishing (killed or crashed); it is rolled back"
          + " when its inputs are converted again: " + p.inputs().stream().map(RunJournal.Identity::path).toList());
    }
    for (Runs.Past p : plan.resume()) {
      runs.supersede(p, runId, force ? "replaced (--force)" : "resumed", now);
      if (!force) {
        err.println("json2parquet: continuing run " + p.runId() + " (started at " + p.time() + "), which a signal stopped");
      }
    }
  }

  private RunResult convert(List<Input> inputs, List<StdinPump> pumpOf, String runId, Runs.Plan plan,
      RunJournal journal, long recordsBefore, RecordType type, PathTemplate partition, PathTemplate key, Sink sink)
      throws IOException, InterruptedException {
    long start = ticker.read();
    AtomicLong bytesIn = new AtomicLong();
    String fatal = null;
    long lines;
    int n = inputs.size();
    List<LineReader.Position> next = new ArrayList<>(plan.start());
    boolean[] done = new boolean[n];
    try (Pipeline pipeline = new Pipeline(config, runId, sink, type, partition, key, clock, ticker, debug,
        journal::file, false, deadLetters)) {
      RecordRouter router = pipeline.router();
      LineReader lineReader = new LineReader(config.maxLineBytes());
      long total = inputs.stream().mapToLong(Input::size).reduce(0, (a, b) -> a < 0 || b < 0 ? -1 : a + b);
      Progress bar = progress ? new Progress(err, total, bytesIn::get, progressWidth) : null;
      Runnable clearBar = bar == null ? () -> { } : bar::clear;
      stop.onStop(clearBar); // before anything is printed (the stdin pumps' listeners print nothing)
      // asked when the cut line is met: the stdin pump may end the read before any listener has run
      router.cutReason = () -> "input stopped by SIG" + stop.signal() + " before this line ended";
      try {
        for (int i = 0; i < n; i++) {
          Input input = inputs.get(i);
          LineReader.Position from = plan.start().get(i);
          if (from == Runs.Plan.DONE) {
            done[i] = true;
            next.set(i, from);
            continue;
          }
          if (stop.requested()) {
            continue;
          }
          router.source(input.name(), input.origins());
          try (InputStream raw = input.openDecoded(bytesIn::addAndGet)) {
            InputStream in = raw;
            if (from.offset() > 0) {
              RunJournal.skip(in, from.offset(), input.name());
            }
            if (pumpOf.get(i) != null) {
              in = pumpOf.get(i).marking(in);
            }
            LineReader.Ended ended = lineReader.read(in, router, from, stop::requested);
            next.set(i, ended.next());
            done[i] = ended.atEnd();
          } catch (IOException e) {
            done[i] = true; // what could be read was read; --force converts a repaired input again
            fatal = (fatal == null ? "" : fatal + "; ") + "Cannot read " + input.name() + " past line "
                + router.lines + ": " + e.getMessage();
          } finally {
            try {
              router.drain();
            } catch (IOException e) {
              // parser threads hand their dead letters over at the drain: a DLQ that fails there
              // (Redis at maxmemory, a full disk) ends this input like a failed read
              done[i] = true;
              if (fatal == null || !fatal.contains(e.getMessage())) {
                fatal = (fatal == null ? "" : fatal + "; ") + "Cannot read " + input.name() + " past line "
                    + router.lines + ": " + e.getMessage();
              }
            }
          }
        }
        for (StdinPump pump : new java.util.LinkedHashSet<>(pumpOf)) {
          if (pump != null) {
            router.rejectLate(pump.takeLate());
          }
        }
      } finally {
        router.close(); // its parser threads; every line read is in the buffer by now (drained above)
        try {
          if (bar != null) {
            bar.finishing(pipeline::unfinished);
          }
          pipeline.finish();
        } finally {
          stop.remove(clearBar);
          if (bar != null) {
            bar.close();
          }
        }
      }
      lines = router.lines;
      var stats = pipeline.flushStats();
      pipeline.close();
      DeadLetterQueueCount dlq = new DeadLetterQueueCount(pipeline.deadLettered(), pipeline.dlqLocation());
      double seconds = (ticker.read() - start) / 1e9;
      long lost = lines - stats.records() - stats.failedRecords() - stats.recordsInRecovery() - dlq.count();
      if (lost != 0 && fatal == null) {
        fatal = "internal error: " + lost + " records unaccounted for";
      }
      boolean finished = true;
      for (boolean d : done) {
        finished &= d;
      }
      Map<String, Object> end = new LinkedHashMap<>();
      end.put("event", "end");
      end.put("state", finished ? "finished" : "interrupted");
      end.put("signal", stop.signal() == null ? null : "SIG" + stop.signal());
      end.put("time", clock.instant().toString());
      end.put("records", lines);
      end.put("records_total", recordsBefore + lines);
      end.put("written", stats.records());
      end.put("dead_lettered", dlq.count());
      end.put("in_recovery", stats.recordsInRecovery());
      end.put("failed", stats.failedRecords());
      end.put("files", stats.files());
      List<Object> ends = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("next_offset", next.get(i).offset());
        m.put("next_line", next.get(i).line());
        m.put("done", done[i]);
        ends.add(m);
      }
      end.put("inputs", ends);
      List<String> notes = stopNotes(inputs, next, done, finished);
      String recoverWith = Recovery.command(config);
      try {
        journal.event(end);
      } catch (IOException e) {
        // e.g. a full disk: the run still reports what it did; without its end the journal reads as crashed
        fatal = (fatal == null ? "" : fatal + "; ") + "Cannot write the end of the journal of run " + runId
            + ": " + e.getMessage() + "; the next run over these inputs takes this run as crashed: it removes the"
            + " files this run wrote, discards what it holds in the recovery store and converts the inputs again";
        notes = List.of();
        recoverWith = "the same convert command, which rolls this run back and converts its inputs again";
      }
      return new RunResult(lines, stats.records(), dlq.count(), stats.recordsInRecovery(), stats.failedRecords(),
          router.droppedFields(), stats.files(), stats.bytes(), bytesIn.get(), seconds, dlq.location(),
          recoverWith, stats.failures(), fatal, router.placedByIngestTime(), stats.smallFiles(), notes,
          new RunResult.Spread(stats.partitions(), stats.keys(), stats.pairs(), dev.json2parquet.flush.FlushStats.DISTINCT_CAP,
              stats.completedByOpenFileCap(), pipeline.openFileCap(),
              pipeline.openFileCap() < config.maxOpenFiles(), stats.completedByInterval(),
              config.flushIntervalSeconds()));
    }
  }

  private record DeadLetterQueueCount(long count, String location) { }

  /** What a person needs after a stop: that all read was committed, and where a re-run continues. */
  private List<String> stopNotes(List<Input> inputs, List<LineReader.Position> next, boolean[] done, boolean finished) {
    if (!stop.requested()) {
      return List.of();
    }
    List<String> notes = new ArrayList<>();
    if (finished) {
      notes.add("stopped by SIG" + stop.signal() + " after every input was read; all of it is committed");
      return notes;
    }
    notes.add("stopped by SIG" + stop.signal() + "; every record read was committed");
    for (int i = 0; i < inputs.size(); i++) {
      if (done[i]) {
        continue;
      }
      Input in = inputs.get(i);
      LineReader.Position p = next.get(i);
      if (in.origins() != null) {
        continue; // a dead-letter replay: dlq replay reports (and undoes) a stopped replay itself
      }
      if (in.file() == null) {
        notes.add("stdin: " + (p.line() - 1) + " lines consumed; stdin cannot be read again, so this run cannot be"
            + " continued: give a new run the rest of the input, from line " + p.line());
      } else {
        notes.add("run the same command again to continue from " + in.file().toAbsolutePath().normalize()
            + " line " + p.line() + " (byte " + p.offset() + ")");
        break;
      }
    }
    return notes;
  }
}
