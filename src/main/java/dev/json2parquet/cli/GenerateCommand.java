package dev.json2parquet.cli;

import dev.json2parquet.config.ConfigException;
import dev.json2parquet.config.Sizes;
import dev.json2parquet.generate.LogGenerator;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Writes synthetic records in the Log shape as JSON lines, for load and DLQ testing.")
final class GenerateCommand implements Callable<Integer> {
  private final Context ctx;

  GenerateCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Option(names = "--count", paramLabel = "N", defaultValue = "1000",
      description = "Number of lines; scientific notation accepted, e.g. 1e6 (default ${DEFAULT-VALUE}).")
  String count;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Same seed, same bytes (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--keys", paramLabel = "N", defaultValue = "300", description = "Distinct keys (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--bad-ratio", paramLabel = "R", defaultValue = "0",
      description = "Fraction of invalid lines of several kinds (default ${DEFAULT-VALUE}).")
  double badRatio;

  @Option(names = "--start-time", paramLabel = "INSTANT", defaultValue = "2024-11-24T00:00:00Z",
      description = "Event time of the first record, RFC 3339 (default ${DEFAULT-VALUE}).")
  String startTime;

  @Option(names = "--rate", paramLabel = "N", defaultValue = "1000",
      description = "Records per second of event time: 1e6 records span about 17 minutes (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Output file (default stdout).")
  Path out;

  @Override
  public Integer call() throws Exception {
    long n;
    try {
      n = Sizes.parseCount(count);
    } catch (NumberFormatException e) {
      throw new ConfigException("Invalid --count = \"" + count + "\": must be a whole number such as 1000 or 1e6");
    }
    Instant start;
    try {
      start = Instant.parse(startTime);
    } catch (DateTimeParseException e) {
      throw new ConfigException("Invalid --start-time = \"" + startTime + "\": must be an RFC 3339 instant such as 2024-11-24T00:00:00Z");
    }
    LogGenerator.Options options;
    try {
      options = new LogGenerator.Options(n, seed, keys, badRatio, start, rate);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    LogGenerator generator = new LogGenerator(options);
    if (out == null) {
      OutputStream o = new BufferedOutputStream(ctx.out(), 1 << 16);
      generator.write(o);
      o.flush();
    } else {
      try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
        generator.write(o);
      }
    }
    return ExitCodes.OK;
  }
}
