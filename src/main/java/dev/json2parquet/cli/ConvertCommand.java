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
      "0:every record was written",
      "1:failure; the message says what was and was not written",
      "2:usage or configuration error",
      "3:finished, some records were dead-lettered",
      "129/130/143:stopped by SIGHUP/SIGINT/SIGTERM after committing every record read; run again to continue"})
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

  @Option(names = {"-q", "--quiet"}, description = "No summary line and no progress bar.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Log what is written; stack traces on errors.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = conversion.apply(store.loader(ctx));
    Config cfg = loader.build();
    boolean debug = verbose || cfg.debug();
    if (debug) {
      ((Logger) LoggerFactory.getLogger("dev.json2parquet")).setLevel(Level.DEBUG);
    }
    List<Input> inputs = inputs(files, ctx);
    StopRequest stop = new StopRequest();
    RunResult result;
    try (Signals signals = Signals.install(stop, ctx.err())) {
      result = new Converter(cfg, ctx.clock(), ctx.ticker(), ctx.err(), ctx.terminal() && !quiet, debug, stop, force)
          .run(inputs);
    }
    if (!quiet || !result.ok() || stop.requested()) {
      ctx.err().println(result.summary());
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
