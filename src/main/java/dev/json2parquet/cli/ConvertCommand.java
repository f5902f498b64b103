package dev.json2parquet.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.pipeline.Converter;
import dev.json2parquet.pipeline.RunResult;
import dev.json2parquet.pipeline.StopRequest;
import dev.json2parquet.source.Input;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Converts JSON lines (one object per line) from files or stdin to Parquet files split by key.",
      "Lines that are not valid records go to the dead-letter queue with the reason; the run goes on.",
      "Settings come from flags, then JSON2PARQUET_<KEY> environment variables, then the config file, then defaults."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:every record was written (--buffer redis: every record was buffered, and flushed unless its key was",
      "  locked by another flusher: the summary says how many records stay in Redis and when the locks expire)",
      "1:failure; the message says what was and was not written",
      "2:usage or configuration error",
      "3:finished, some records were dead-lettered",
      "129/130/143:stopped by SIGHUP/SIGINT/SIGTERM after committing every record read; run again to continue"},
    // examples live in the footer, one per line and shorter than the 80-column usage width, so
    // that picocli never wraps them and every template stays copyable
    footerHeading = "%nExamples:%n",
    footer = {
      "  cat logs.jsonl | json2parquet convert -o out",
      "  json2parquet convert -c config.json logs-1.jsonl.gz logs-2.jsonl.gz",
      "  json2parquet convert --partition 'dt={time:yyyy-MM-dd}' -o out logs.jsonl",
      "  json2parquet convert --partition '{business_domain}/{time:yyyy}' \\",
      "      --key '{application_service}' -o out logs.jsonl",
      "  json2parquet convert --record-type dynamic --schema order.avsc -o out x.jsonl"})
final class ConvertCommand implements Callable<Integer> {
  private final Context ctx;

  ConvertCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Parameters(paramLabel = "FILE", arity = "0..*",
      description = "Input files (.gz is decompressed); '-' or none reads stdin.")
  List<String> files = new ArrayList<>();

  @Mixin
  StoreOptions store;

  @Mixin
  ConversionOptions conversion;

  @Option(names = "--force",
      description = "Convert inputs that a finished run already converted into the same output (otherwise refused, exit 2).")
  boolean force;

  @Mixin
  S3Options s3;

  @Mixin
  RedisOptions redis;

  @Option(names = "--restart",
      description = "With --buffer redis: buffer inputs again from their start, even those an earlier run buffered (all or"
          + " part): their records already in Redis or written are then buffered and written a second time (duplicates)."
          + " A grown input needs no --restart: it continues where the earlier run stopped.")
  boolean restart;

  @Option(names = {"-q", "--quiet"}, description = "No summary line and no progress bar.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Log what is written; stack traces on errors.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = redis.apply(s3.apply(conversion.apply(store.loader(ctx))));
    Config cfg = loader.build();
    for (String warning : loader.ineffective()) {
      ctx.err().println("json2parquet: warning: " + warning);
    }
    if (cfg.bufferType().equals("redis")) {
      return runRedis(cfg, inputs(files, ctx));
    }
    Converter.checkSupported(cfg);
    boolean debug = verbose || cfg.debug();
    if (debug) {
      ((Logger) LoggerFactory.getLogger("dev.json2parquet")).setLevel(Level.DEBUG);
    }
    List<Input> inputs = inputs(files, ctx);
    if (cfg.value("log_path") == null) {
      return run(cfg, inputs, debug, null);
    }
    try (FileLog fileLog = FileLog.attach(Path.of((String) cfg.value("log_path")), debug, verbose)) {
      org.slf4j.Logger log = LoggerFactory.getLogger(ConvertCommand.class);
      log.info("convert {} into {}", files.isEmpty() ? "stdin" : String.join(" ", files), cfg.outDir());
      return run(cfg, inputs, debug, log);
    }
  }

  /** Runs the conversion and reports it; {@code log}, when not null, also gets the summary. */
  private int run(Config cfg, List<Input> inputs, boolean debug, org.slf4j.Logger log) throws Exception {
    if (cfg.tryAutoRecover()) {
      RecoverCommand.recover(cfg, ctx, true);
    }
    boolean progress = Terminal.showProgress(ctx.terminal(), quiet);
    String notice = Terminal.stdinNotice(files, ctx.in() == System.in && Terminal.isTerminal(0));
    if (notice != null) {
      ctx.err().println(notice);
    }
    StopRequest stop = new StopRequest();
    RunResult result;
    try (Signals signals = Signals.install(stop, ctx.err())) {
      result = new Converter(cfg, ctx.clock(), ctx.ticker(), ctx.err(), progress, debug, stop, force)
          .progressWidth(progress ? Terminal.width(ctx.env()) : Terminal.DEFAULT_WIDTH)
          .run(inputs);
    }
    if (!quiet || !result.ok() || stop.requested()) {
      ctx.err().println(result.summary());
    }
    if (!quiet && result.hint() != null) {
      ctx.err().println(result.hint());
    }
    if (log != null) {
      log.info(result.summary());
    }
    for (String note : result.notes()) {
      ctx.err().println("json2parquet: " + note);
    }
    for (String f : result.failures()) {
      ctx.err().println("json2parquet: " + f);
    }
    if (result.fatal() != null) {
      ctx.err().println("json2parquet: " + result.fatal());
    }
    if (stop.requested()) {
      return stop.exitCode();
    }
    if (!result.ok()) {
      return ExitCodes.FAILURE;
    }
    return result.deadLettered() > 0 ? ExitCodes.DEAD_LETTERED : ExitCodes.OK;
  }

  /**
   * {@code --buffer redis}: buffers the inputs into Redis (resumably), then, unless
   * {@code redis_skip_flush}, flushes every key as {@code flush} does.
   */
  private int runRedis(Config cfg, List<Input> inputs) throws Exception {
    for (Input in : inputs) {
      if (in.file() == null) {
        throw new ConfigException("Cannot buffer stdin into Redis: a resumable run reads files; give the input as a"
            + " FILE (or use --buffer memory)");
      }
    }
    dev.json2parquet.redis.RedisSettings rs = dev.json2parquet.redis.RedisSettings.of(cfg);
    dev.json2parquet.record.RecordType type = dev.json2parquet.pipeline.RedisConvert.recordType(cfg);
    StopRequest stop = new StopRequest();
    try (redis.clients.jedis.UnifiedJedis jedis = dev.json2parquet.redis.RedisClients.open(rs);
        Signals signals = Signals.install(stop, ctx.err(), "what was read before the first signal is in Redis (run the"
            + " same command again to continue reading); " + Signals.REDIS_FLUSH_HALTED)) {
      if (cfg.tryAutoRecover() && !rs.skipFlush()) {
        RedisRuns.recover(cfg, ctx, true);
      }
      if (!rs.skipFlush()) {
        dev.json2parquet.sink.Sinks.open(cfg, true).close(); // the S3 bucket is checked before anything is read
      }
      dev.json2parquet.pipeline.RedisConvert.Result r =
          new dev.json2parquet.pipeline.RedisConvert(cfg, ctx.clock(), ctx.err(), stop, restart).run(inputs, jedis, type);
      if (!quiet || r.fatal() != null) {
        ctx.err().println("json2parquet: " + r.lines() + " lines read: " + r.buffered() + " records buffered into Redis at "
            + rs.address() + ", " + r.deadLettered() + " dead-lettered" + (r.deadLettered() > 0 ? " (into Redis, "
            + rs.dlqKey(dev.json2parquet.buffer.RedisBuffer.UNKEYED) + "; read them with: json2parquet dlq list " + rs.dlqFlags() + ")" : "")
            + skippedLines(r.lines() - r.buffered() - r.deadLettered()));
      }
      for (String note : r.notes()) {
        ctx.err().println("json2parquet: " + note);
      }
      if (r.fatal() != null) {
        ctx.err().println("json2parquet: " + r.fatal());
        return ExitCodes.FAILURE;
      }
      if (stop.requested()) {
        return stop.exitCode();
      }
      if (!rs.skipFlush() && !RedisRuns.flush(cfg, ctx, jedis, null, !verbose, quiet, stop, true)) {
        return ExitCodes.FAILURE;
      }
      if (stop.requested()) {
        return stop.exitCode(); // stopped while flushing: every input is in Redis, the rest is for `flush`
      }
      return r.deadLettered() > 0 ? ExitCodes.DEAD_LETTERED : ExitCodes.OK;
    }
  }

  /** What the Redis summary says of lines read that were neither buffered now nor dead-lettered. */
  static String skippedLines(long n) {
    return n <= 0 ? "" : ", " + n + " skipped: Redis had them already (the lines of a pipeline that reached Redis just"
        + " before a crash, a signal or a lost connection, read again; each line is buffered once)";
  }

  /** The inputs named on a command line: files (checked to be readable), '-' or nothing for stdin. */
  static List<Input> inputs(List<String> files, Context ctx) {
    List<Input> list = new ArrayList<>();
    if (files.isEmpty()) {
      list.add(Input.stream("stdin", ctx.in()));
    }
    for (String f : files) {
      if (f.equals("-")) {
        list.add(Input.stream("stdin", ctx.in()));
        continue;
      }
      Path p = Path.of(f);
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new ConfigException("Cannot read input " + f + ": " + (Files.exists(p) ? "not a readable file" : "no such file"));
      }
      list.add(Input.file(p));
    }
    return list;
  }
}
