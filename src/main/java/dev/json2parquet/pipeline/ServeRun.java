package dev.json2parquet.pipeline;

import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.flush.FlushStats;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One start of {@code serve} as a run: a run id (which names its files and its DLQ file, as in
 * {@code convert}), its lock and its journal under {@code OUT/_runs} (a {@code start} line with
 * {@code "serve": true} and no inputs, a {@code file} line before each commit, an {@code end} line
 * at shutdown), and the {@link Pipeline} the listeners feed. A serve run has no inputs to convert
 * again, so it is never rolled back or continued: files it committed hold acknowledged records and
 * stay, whatever happens to the process. Not thread-safe: opened and closed by one thread.
 */
public final class ServeRun implements AutoCloseable {
  private final Config config;
  private final Clock clock;
  private final String runId;
  private final Sink sink;
  private final Runs.Lock lock;
  private final RunJournal journal;
  private final Pipeline pipeline;
  private final List<String> notes;
  private boolean closed;

  private ServeRun(Config config, Clock clock, String runId, Sink sink, Runs.Lock lock, RunJournal journal,
      Pipeline pipeline, List<String> notes) {
    this.notes = List.copyOf(notes);
    this.config = config;
    this.clock = clock;
    this.runId = runId;
    this.sink = sink;
    this.lock = lock;
    this.journal = journal;
    this.pipeline = pipeline;
  }

  /**
   * Opens the sink (the S3 sink checks its bucket), checks that OUT and the DLQ directory can be
   * written, takes the run's lock, writes the journal's start and opens the pipeline.
   *
   * @param type the record type to read (serve never infers a schema)
   * @throws ConfigException for what a person must fix first (exit 2)
   */
  public static ServeRun open(Config config, RecordType type, Clock clock, Ticker ticker, boolean debug)
      throws IOException {
    boolean redis = config.bufferType().equals("redis");
    if (!redis) {
      Converter.checkSupported(config);
    }
    PathTemplate partition = Converter.template("partition", config.partitionTemplate(), type);
    PathTemplate key = Converter.template("key", config.keyTemplate(), type);
    String runId = Converter.runId(clock.instant(), ThreadLocalRandom.current().nextInt(1 << 16));
    // Redis flushers of several instances may write one batch's name at once: private temporary names
    Sink sink = Sinks.open(config, redis);
    Runs.Lock lock = null;
    RunJournal journal = null;
    try {
      Path out = config.outDir().toAbsolutePath().normalize();
      OutputDirs.checkWritable(out, false);
      if (!redis) {
        OutputDirs.checkWritable(config.dlqDir(), true);
      }
      Runs runs = new Runs(out);
      try {
        lock = runs.lock(runId);
      } catch (IOException e) {
        throw new ConfigException("Cannot write to " + out.resolve("_runs") + ": " + OutputDirs.reason(e));
      }
      journal = RunJournal.append(runs.journalFile(runId));
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("event", "start");
      e.put("run", runId);
      e.put("time", clock.instant().toString());
      e.put("pid", ProcessHandle.current().pid());
      e.put("version", Converter.VERSION);
      e.put("serve", true);
      e.put("out", out.toString());
      e.put("dlq", config.dlqDir().resolve("dlq-" + runId + ".jsonl").toAbsolutePath().normalize().toString());
      e.put("recovery", config.recoveryDir().toAbsolutePath().normalize().toString());
      e.put("inputs", List.of());
      journal.event(e);
      List<String> notes = cleanUp(runs, runId, out, clock.instant().toString());
      Pipeline p = new Pipeline(config, runId, sink, type, partition, key, clock, ticker, debug, journal::file, true);
      return new ServeRun(config, clock, runId, sink, lock, journal, p, notes);
    } catch (IOException | RuntimeException e) {
      if (journal != null) {
        journal.close();
      }
      if (lock != null) {
        lock.close();
      }
      sink.close();
      throw e;
    }
  }

  /**
   * Earlier serve runs into {@code out} that were killed (or stopped by a second signal): removes
   * their hidden {@code .inprogress} files (partial files, never acknowledged as written) and their
   * lock, and marks their journals superseded ("kept": the files they committed stay). Returns one
   * line per run for the operator.
   */
  private static List<String> cleanUp(Runs runs, String runId, Path out, String now) throws IOException {
    List<String> notes = new ArrayList<>();
    for (Runs.Past p : runs.deadServeRuns(runId)) {
      long removed = dev.json2parquet.sink.LocalSink.removeLeftovers(out, id -> id.equals(p.runId()));
      runs.supersede(p, runId, "kept", now);
      notes.add("serve run " + p.runId() + " stopped without finishing (killed or a second signal): its "
          + p.files().size() + " committed files are kept; removed its lock and " + removed + " unfinished"
          + " .inprogress files");
    }
    return notes;
  }

  /** What opening did to earlier, killed serve runs (one line each), for the operator. */
  public List<String> notes() {
    return notes;
  }

  public String runId() {
    return runId;
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  /** What the run did, for the summary line. */
  public record Summary(long records, long written, long deadLettered, long inRecovery, long failed, long files,
      List<String> failures) {
    public boolean ok() {
      return inRecovery == 0 && failed == 0 && records == written + deadLettered;
    }
  }

  /**
   * Flushes and commits every key, closes the DLQ, writes the journal's end ({@code finished}, with
   * the signal that stopped the server when there was one) and releases the lock and the sink.
   * Call once the listeners accept nothing more. Idempotent.
   */
  public Summary close(String signal) throws IOException, InterruptedException {
    if (closed) {
      throw new IllegalStateException("Cannot close serve run " + runId + ": already closed");
    }
    closed = true;
    try {
      pipeline.close();
      FlushStats stats = pipeline.flushStats();
      Summary s = new Summary(pipeline.feedLines(), stats.records(), pipeline.deadLettered(),
          stats.recordsInRecovery(), stats.failedRecords(), stats.files(), new ArrayList<>(stats.failures()));
      Map<String, Object> end = new LinkedHashMap<>();
      end.put("event", "end");
      end.put("state", "finished");
      end.put("signal", signal == null ? null : "SIG" + signal);
      end.put("time", clock.instant().toString());
      end.put("records", s.records());
      end.put("records_total", s.records());
      end.put("written", s.written());
      end.put("dead_lettered", s.deadLettered());
      end.put("in_recovery", s.inRecovery());
      end.put("failed", s.failed());
      end.put("files", s.files());
      end.put("inputs", List.of());
      journal.event(end);
      return s;
    } finally {
      try {
        journal.close();
        lock.close();
      } finally {
        sink.close();
      }
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (!closed) {
      close(null);
    }
  }

  /** The recover command for the summary. */
  public String recoverWith() {
    return dev.json2parquet.dlq.Recovery.command(config);
  }
}
