package dev.json2parquet.cli;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.dlq.DeadLetter;
import dev.json2parquet.dlq.DeadLetterFilter;
import dev.json2parquet.dlq.DeadLetterQueues;
import dev.json2parquet.dlq.DeadLetterStore;
import dev.json2parquet.dlq.DeadLetterStores;
import dev.json2parquet.dlq.ErrorKinds;
import dev.json2parquet.dlq.ReplayUndo;
import dev.json2parquet.pipeline.Converter;
import dev.json2parquet.pipeline.RunResult;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code json2parquet dlq}: inspect, export, replay and purge dead letters. The verbs read the store
 * through {@link DeadLetterStore} (chosen by {@link DeadLetterStores} from the configuration); each
 * holds the store's lock and first finishes or undoes a replay that a crash interrupted.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = "Inspect, export, replay and purge the dead-letter queue: the DLQ files (dlq_path, default OUT/_dlq),"
        + " or the Redis DLQ streams with --buffer redis.")
final class DlqCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: count, list, export, replay or purge");
  }

  static CommandLine create(Context ctx) {
    CommandLine cl = new CommandLine(new DlqCommand());
    cl.addSubcommand(new Count(ctx));
    cl.addSubcommand(new ListVerb(ctx));
    cl.addSubcommand(new Export(ctx));
    cl.addSubcommand(new Replay(ctx));
    cl.addSubcommand(new Purge(ctx));
    return cl;
  }

  /** The filters every verb takes. */
  static final class Filters {
    @Option(names = "--source", paramLabel = "GLOB",
        description = "Only dead letters whose source (input name, whole) matches: exact, or a glob where * matches any characters ('/' too) and ? one.")
    String source;

    @Option(names = "--error", paramLabel = "TEXT", description = "Only dead letters whose error contains TEXT (case-sensitive).")
    String error;

    @Option(names = "--since", paramLabel = "TIME",
        description = "Only dead letters rejected at or after TIME: an ISO-8601 instant (2026-11-25T04:07:05Z) or a date (2026-11-25, from its start in UTC).")
    String since;

    DeadLetterFilter filter() {
      try {
        return new DeadLetterFilter(source, error, since == null ? null : DeadLetterFilter.parseSince(since));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("Invalid --since = \"" + since + "\": " + e.getMessage());
      }
    }
  }

  /**
   * The configuration a replay converts with: the memory buffer whatever {@code buffer_type} says,
   * so that the records are in committed files when the conversion returns and the replayed dead
   * letters (their only other copy) can be removed then; with the Redis buffer they would only be
   * buffered, perhaps for another instance to flush.
   */
  static Config convertedInMemory(Config c) {
    if (c.bufferType().equals("memory")) {
      return c;
    }
    Map<String, Object> values = new java.util.LinkedHashMap<>(c.values());
    values.put("buffer_type", "memory");
    return new Config(c.outDir(), c.dlqDir(), c.recoveryDir(), c.compression(), c.rowGroupBytes(), c.pageBytes(),
        c.bufferSize(), c.maxBufferBytes(), c.flushIntervalSeconds(), c.partition(), c.key(), c.recordType(),
        c.schemaPath(), c.unknownFields(), c.schemaSample(), c.maxLineBytes(), c.threads(), c.debug(), "memory",
        c.writerType(), c.tryAutoRecover(), c.recoveryAttempts(), java.util.Collections.unmodifiableMap(values));
  }

  /** What every verb shares: the stores, the filters, the lock and the recovery of interrupted replays. */
  abstract static class Verb implements Callable<Integer> {
    final Context ctx;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Mixin
    Filters filters;

    @Mixin
    RedisOptions redis;

    Verb(Context ctx) {
      this.ctx = ctx;
    }

    Config config() {
      Config c = redis.apply(store.loader(ctx)).build();
      checkExists(c);
      return c;
    }

    /** A mistyped directory is a usage error; dead letters in Redis have no directory. */
    static void checkExists(Config c) {
      if (!c.bufferType().equals("redis")) {
        StoreOptions.checkExists(c, c.dlqDir(), "dead-letter directory");
      }
    }

    @Override
    public Integer call() throws Exception {
      Config config = config();
      DeadLetterFilter filter = filters.filter();
      try (DeadLetterStore dlq = DeadLetterStores.open(config)) {
        return call(config, filter, dlq);
      }
    }

    private int call(Config config, DeadLetterFilter filter, DeadLetterStore dlq) throws Exception {
      try (DeadLetterStore.Lock lock = dlq.lock()) {
        for (String done : dlq.recoverInterrupted(new ReplayUndo(convertedInMemory(config)))) {
          ctx.err().println("json2parquet: " + done);
        }
        return run(config, dlq, filter);
      } catch (IOException e) {
        String m = String.valueOf(e.getMessage());
        ctx.err().println("json2parquet: " + (m.startsWith("Cannot ") ? m
            : "Cannot " + spec.name() + " the dead letters in " + dlq.location() + ": " + e));
        return ExitCodes.FAILURE;
      }
    }

    abstract int run(Config config, DeadLetterStore dlq, DeadLetterFilter filter) throws Exception;

    /**
     * When a verb found no dead letter to act on: one line saying so, and whether the queue is empty
     * or the filters matched none of what it holds (a mistyped --source looks like an empty queue).
     */
    void sayIfNothingMatched(DeadLetterStore dlq, DeadLetterFilter filter, long matched) throws IOException {
      if (matched > 0) {
        return;
      }
      if (filter.all()) {
        ctx.err().println("json2parquet: no dead letters in " + dlq.location() + ": nothing to do");
        return;
      }
      long[] all = {0};
      dlq.scan(DeadLetterFilter.ALL, d -> all[0]++);
      List<String> given = new ArrayList<>();
      if (filter.source() != null) {
        given.add("--source " + filter.source());
      }
      if (filter.error() != null) {
        given.add("--error " + filter.error());
      }
      if (filter.since() != null) {
        given.add("--since " + filter.since());
      }
      ctx.err().println("json2parquet: no dead letter in " + dlq.location() + " matched " + String.join(" ", given)
          + " (it holds " + all[0] + " in all): nothing to do");
    }

    void warnUnreadable(DeadLetterStore dlq, long unreadable) {
      if (unreadable > 0) {
        ctx.err().println("json2parquet: skipped " + unreadable + " lines in " + dlq.location()
            + " that are not dead-letter envelopes (left as they are)");
      }
    }
  }

  @Command(name = "count", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Counts dead letters: the total, by kind of error (quoted values and numbers folded) and by source.")
  static final class Count extends Verb {
    Count(Context ctx) {
      super(ctx);
    }

    @Override
    int run(Config config, DeadLetterStore dlq, DeadLetterFilter filter) throws IOException {
      Map<String, long[]> byKind = new HashMap<>();
      Map<String, long[]> bySource = new HashMap<>();
      long[] total = {0, 0}; // envelopes, of them truncated
      long unreadable = dlq.scan(filter, d -> {
        total[0]++;
        total[1] += d.truncated() ? 1 : 0;
        byKind.computeIfAbsent(ErrorKinds.of(d.error()), k -> new long[1])[0]++;
        bySource.computeIfAbsent(d.source(), k -> new long[1])[0]++;
      });
      var out = ctx.out();
      out.println(total[0] + " dead letters in " + dlq.location() + (filter.all() ? "" : " matching the filters")
          + (total[1] > 0 ? " (" + total[1] + " truncated)" : ""));
      if (total[0] > 0) {
        out.println("by error:");
        print(byKind);
        out.println("by source:");
        print(bySource);
      }
      out.flush();
      warnUnreadable(dlq, unreadable);
      return ExitCodes.OK;
    }

    private void print(Map<String, long[]> counts) {
      List<Map.Entry<String, long[]>> rows = new ArrayList<>(counts.entrySet());
      rows.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Long.compare(b.getValue()[0], a.getValue()[0])
          : a.getKey().compareTo(b.getKey()));
      for (var r : rows) {
        String n = Long.toString(r.getValue()[0]);
        ctx.out().println(" ".repeat(Math.max(1, 9 - n.length())) + n + "  " + r.getKey());
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Lists dead letters, one per line: source:line, error, the start of the line.",
        "[base64]: not valid UTF-8, shown with \\xNN escapes; [truncated]: only a prefix was kept."})
  static final class ListVerb extends Verb {
    static final int ERROR_CHARS = 100;
    static final int MIN_PREVIEW = 40;

    @Option(names = "--width", paramLabel = "CHARS",
        description = "Cut each line to this many characters, but show at least 40 of the raw line "
            + "(default: $COLUMNS, else 160).")
    Integer width;

    ListVerb(Context ctx) {
      super(ctx);
    }

    @Override
    int run(Config config, DeadLetterStore dlq, DeadLetterFilter filter) throws IOException {
      int w = width != null ? width : columns();
      long[] n = {0};
      long unreadable = dlq.scan(filter, d -> {
        String error = DeadLetter.printable(d.error(), ERROR_CHARS);
        String head = d.source() + ":" + d.line() + "  " + error + "  ";
        ctx.out().println(head + d.preview(Math.max(MIN_PREVIEW, w - head.length())));
        n[0]++;
      });
      ctx.out().flush();
      sayIfNothingMatched(dlq, filter, n[0]);
      warnUnreadable(dlq, unreadable);
      return ExitCodes.OK;
    }

    private int columns() {
      try {
        int c = Integer.parseInt(ctx.env().getOrDefault("COLUMNS", ""));
        return c > 0 ? c : 160;
      } catch (NumberFormatException e) {
        return 160;
      }
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Writes the dead letters as stored (JSON lines), or with --raw the original lines byte for byte.",
        "A truncated line cannot be exported raw: it is left out and counted on stderr."})
  static final class Export extends Verb {
    @Option(names = "--raw", description = "Write each original line (decoded from raw_base64 where needed) instead of its envelope.")
    boolean raw;

    @Option(names = "--to", paramLabel = "FILE", description = "Write to FILE (replaced) instead of stdout.")
    Path to;

    Export(Context ctx) {
      super(ctx);
    }

    @Override
    int run(Config config, DeadLetterStore dlq, DeadLetterFilter filter) throws IOException {
      long[] n = {0, 0}; // written, truncated left out
      long unreadable;
      OutputStream out = to == null ? ctx.out() : new BufferedOutputStream(Files.newOutputStream(to), 1 << 16);
      try {
        unreadable = dlq.scan(filter, d -> {
          if (raw && d.truncated()) {
            n[1]++;
            return;
          }
          out.write(raw ? d.raw() : d.envelope());
          out.write('\n');
          n[0]++;
        });
      } finally {
        if (to == null) {
          out.flush();
        } else {
          out.close();
        }
      }
      ctx.err().println("json2parquet: exported " + n[0] + (raw ? " lines" : " dead letters")
          + (to == null ? "" : " to " + to));
      sayIfNothingMatched(dlq, filter, n[0] + n[1]);
      if (n[1] > 0) {
        ctx.err().println("json2parquet: left out " + n[1] + " truncated lines: only their first bytes were kept, "
            + "so they cannot be exported whole (export without --raw to see them)");
      }
      warnUnreadable(dlq, unreadable);
      return ExitCodes.OK;
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Converts the dead-lettered lines again with the current settings, after a schema or config fix.",
        "Lines that convert go to the same output; lines that fail again stay in the DLQ with their new error",
        "and their original source and line. Truncated lines cannot be replayed and stay.",
        "A replay that cannot write everything is undone as a whole."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:every matching dead letter was converted",
        "1:failure; the replay was undone and the DLQ is as it was",
        "2:usage or configuration error",
        "3:some matching dead letters are still in the DLQ (failed again, or truncated)"})
  static final class Replay extends Verb {
    @Mixin
    ConversionOptions conversion;

    @Mixin
    S3Options s3;

    Replay(Context ctx) {
      super(ctx);
    }

    @Override
    Config config() {
      Config c = redis.apply(s3.apply(conversion.apply(store.loader(ctx)))).build();
      checkExists(c);
      if (c.recordType().equals("dynamic") && c.schemaPath() == null) {
        throw new ConfigException("Cannot replay dynamic records without a schema: give the (fixed) schema with "
            + "--schema, e.g. --schema " + c.outDir().resolve("_schema.json"));
      }
      return c;
    }

    @Override
    int run(Config config, DeadLetterStore dlq, DeadLetterFilter filter) throws Exception {
      // lines that fail again go back to the store they came from
      Config convertWith = convertedInMemory(config);
      Converter converter = new Converter(convertWith, ctx.clock(), ctx.ticker(), ctx.err(), false, false)
          .deadLettersTo((c, id, clock) -> DeadLetterQueues.open(config, id, clock));
      String runId = converter.newRunId();
      DeadLetterStore.Replay replay = dlq.replay(filter, runId);
      ReplayUndo undo = new ReplayUndo(convertWith);
      RunResult result;
      try {
        result = converter.run(List.of(replay.input()), runId);
      } catch (Exception | Error e) {
        undo.undo(runId);
        replay.abort();
        throw e;
      }
      ctx.err().println(result.summary());
      String problem = result.fatal();
      if (problem == null && result.records() != replay.replayed()) {
        problem = "internal error: " + replay.replayed() + " lines replayed but " + result.records() + " read";
      }
      if (problem != null || !result.ok()) {
        undo.undo(runId);
        replay.abort();
        for (String f : result.failures()) {
          ctx.err().println("json2parquet: " + f);
        }
        ctx.err().println("json2parquet: Cannot replay " + dlq.location() + ": "
            + (problem != null ? problem : result.failed() + " records could not be written")
            + "; undone (" + undo.removedFiles() + " files removed), the dead letters are as they were");
        return ExitCodes.FAILURE;
      }
      replay.commit();
      long again = result.deadLettered();
      ctx.err().println("json2parquet: replayed " + replay.replayed() + " dead letters from " + dlq.location() + ": "
          + result.written() + " written, " + again + " dead-lettered again"
          + (again > 0 ? " (now in " + result.dlqFile() + ")" : ""));
      sayIfNothingMatched(dlq, filter, replay.replayed() + replay.notReplayable());
      if (replay.notReplayable() > 0) {
        ctx.err().println("json2parquet: left " + replay.notReplayable() + " dead letters in the DLQ that cannot be replayed:");
        for (String e : replay.notReplayableExamples()) {
          ctx.err().println("  " + e);
        }
        if (replay.notReplayable() > replay.notReplayableExamples().size()) {
          ctx.err().println("  ...");
        }
      }
      return again > 0 || replay.notReplayable() > 0 ? ExitCodes.DEAD_LETTERED : ExitCodes.OK;
    }
  }

  @Command(name = "purge", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Removes the matching dead letters (all without filters); says what it would remove unless --yes.",
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:removed, or nothing matched (said on stderr)", "1:failure", "2:usage error, or --yes missing (nothing removed)"})
  static final class Purge extends Verb {
    @Option(names = "--yes", description = "Really remove them.")
    boolean yes;

    Purge(Context ctx) {
      super(ctx);
    }

    @Override
    int run(Config config, DeadLetterStore dlq, DeadLetterFilter filter) throws IOException {
      String what = filter.all() ? "" : " matching the filters";
      if (!yes) {
        long[] n = {0};
        dlq.scan(filter, d -> n[0]++);
        if (n[0] == 0) {
          sayIfNothingMatched(dlq, filter, 0);
          return ExitCodes.OK;
        }
        ctx.err().println("json2parquet: would remove " + n[0] + " dead letters" + what + " from " + dlq.location()
            + "; add --yes to remove them");
        return ExitCodes.USAGE;
      }
      long removed = dlq.purge(filter);
      ctx.err().println("json2parquet: removed " + removed + " dead letters" + what + " from " + dlq.location());
      sayIfNothingMatched(dlq, filter, removed);
      return ExitCodes.OK;
    }
  }
}
