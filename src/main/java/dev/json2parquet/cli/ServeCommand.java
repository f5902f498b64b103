package dev.json2parquet.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.pipeline.Converter;
import dev.json2parquet.pipeline.ServeRun;
import dev.json2parquet.pipeline.StopRequest;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.serve.Server;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Receives JSON records over HTTP (POST /records, /record) and the Fluent forward protocol and writes them",
      "to Parquet files split by key, as convert does; answers (HTTP 2xx, forward acks) only once records are buffered.",
      "SIGTERM, SIGINT or SIGHUP: stops accepting, finishes the requests in flight, flushes and commits every key, exits 0.",
      "With --buffer redis, records are acknowledged once Redis has them (they survive kill -9) and are flushed as",
      "`flush` does, unless --redis-skip-flush (then a separate `flush --every` writes)."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:stopped by a signal after committing every record it accepted",
      "1:failure; some records are in the recovery store or lost (the message says which)",
      "2:usage or configuration error (a port in use, a bad TLS key); nothing was accepted"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  json2parquet serve -o out",
      "  json2parquet serve -c config.json --address 0.0.0.0 --auth-token-file token",
      "  json2parquet serve --buffer redis --redis-host cache:6379 -o out",
      "  curl -H 'Content-Type: application/x-ndjson' --data-binary @logs.jsonl \\",
      "      localhost:8080/records"})
final class ServeCommand implements Callable<Integer> {
  private final Context ctx;

  ServeCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Mixin
  StoreOptions store;

  @Mixin
  ConversionOptions conversion;

  @Mixin
  ServeOptions serve;

  @Mixin
  S3Options s3;

  @Mixin
  RedisOptions redis;

  @Option(names = {"-v", "--verbose"}, description = "Log what is written; stack traces on errors.")
  boolean verbose;

  /** How long in-flight requests may take to be answered at shutdown. */
  static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(60);

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = redis.apply(s3.apply(serve.apply(conversion.apply(store.loader(ctx)))));
    Config cfg = loader.build();
    for (String warning : loader.ineffective()) {
      ctx.err().println("json2parquet: warning: " + warning);
    }
    if (!cfg.bufferType().equals("redis")) {
      Converter.checkSupported(cfg);
    }
    boolean debug = verbose || cfg.debug();
    if (debug) {
      ((Logger) LoggerFactory.getLogger("dev.json2parquet")).setLevel(Level.DEBUG);
    }
    RecordType type = Converter.fixedRecordType(cfg);
    Server.Settings settings = Server.Settings.of(cfg, type);
    if (cfg.value("log_path") == null) {
      return run(cfg, type, settings, debug);
    }
    try (FileLog fileLog = FileLog.attach(Path.of((String) cfg.value("log_path")), debug, verbose)) {
      return run(cfg, type, settings, debug);
    }
  }

  /** Where the Parquet files go: {@code s3://BUCKET/PREFIX} for the S3 writer, else the output directory. */
  static String destination(Config cfg) {
    if (cfg.writerType().equals("s3")) {
      String prefix = (String) cfg.value("s3_prefix");
      return "s3://" + cfg.value("s3_bucket_name") + (prefix == null || prefix.isEmpty() ? "" : "/" + prefix);
    }
    return cfg.outDir().toString();
  }

  private int run(Config cfg, RecordType type, Server.Settings settings, boolean debug) throws Exception {
    if (cfg.tryAutoRecover()) {
      if (cfg.bufferType().equals("redis")) {
        RedisRuns.recover(cfg, ctx, true);
      } else {
        RecoverCommand.recover(cfg, ctx, true);
      }
    }
    StopRequest stop = new StopRequest();
    CountDownLatch stopped = new CountDownLatch(1);
    stop.onStop(stopped::countDown);
    org.slf4j.Logger log = LoggerFactory.getLogger(ServeCommand.class);
    java.util.concurrent.atomic.AtomicReference<ServeRun> opened = new java.util.concurrent.atomic.AtomicReference<>();
    boolean redisBuffer = cfg.bufferType().equals("redis");
    try (Signals signals = Signals.install(stop, ctx.err(), () -> redisBuffer ? Signals.SERVE_REDIS_HALTED
        : Signals.serveMemoryHalted(buffered(opened.get())))) {
      ServeRun run = ServeRun.open(cfg, type, ctx.clock(), ctx.ticker(), debug);
      opened.set(run);
      for (String note : run.notes()) {
        ctx.err().println("json2parquet: " + note);
      }
      Server server = new Server(settings, run.pipeline(), run.runId(), ctx.err());
      ServeRun.Summary summary;
      try {
        try {
          server.start();
        } catch (RuntimeException e) {
          server.stop(0);
          throw e;
        }
        String ready = "json2parquet: serving run " + run.runId() + " into " + destination(cfg) + " (journal "
            + cfg.outDir().resolve("_runs").resolve(run.runId() + ".json") + "): HTTP on "
            + settings.address() + ":" + server.httpPort() + (settings.tls() != null ? " (TLS)" : "")
            + (server.forwardPort() >= 0 ? ", forward on " + settings.address() + ":" + server.forwardPort() : "");
        ctx.err().println(ready);
        log.info(ready);
        stopped.await();
        ctx.err().println("json2parquet: SIG" + stop.signal() + ": stopping: no longer accepting once 0.5 s pass"
            + " without a new connection; reading each open connection until it is quiet for 0.5 s and answering the"
            + " requests in flight (up to " + TimeUnit.NANOSECONDS.toSeconds(DRAIN_NANOS) + " s), then flushing every"
            + " key");
        if (!server.stop(DRAIN_NANOS)) {
          ctx.err().println("json2parquet: some requests were still being handled after "
              + TimeUnit.NANOSECONDS.toSeconds(DRAIN_NANOS) + " s; their connections were closed unanswered");
        }
      } finally {
        summary = run.close(stop.signal());
      }
      String line = "json2parquet: serve run " + run.runId() + (stop.signal() == null ? "" : " stopped by SIG"
          + stop.signal()) + ": " + summary.records() + " records received, " + summary.written() + " written, "
          + summary.deadLettered() + " dead-lettered" + (summary.inRecovery() > 0 ? ", " + summary.inRecovery()
          + " in recovery (recover with: " + run.recoverWith() + ")" : "") + (summary.failed() > 0 ? ", "
          + summary.failed() + " NOT written" : "") + ", " + summary.files() + " files";
      ctx.err().println(line);
      log.info(line);
      for (String f : summary.failures()) {
        ctx.err().println("json2parquet: " + f);
      }
      // failures: records lost, or (Redis buffer) batches left in the recovery store or a flush round Redis failed
      return summary.inRecovery() > 0 || summary.failed() > 0 || !summary.failures().isEmpty() ? ExitCodes.FAILURE
          : ExitCodes.OK;
    }
  }

  /** Records accepted and not yet in a committed file, summed over the keys; -1 when not known. */
  private static long buffered(ServeRun run) {
    if (run == null) {
      return 0;
    }
    long[] n = new long[1];
    run.pipeline().stats().forEach((k, s) -> n[0] += s.buffered());
    return n[0];
  }
}
