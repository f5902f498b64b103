package dev.json2parquet.it;

import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.cli.Context;
import dev.json2parquet.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/** Runs the real CLI in-process with captured streams. */
final class Cli {
  record Result(int exit, String out, String err, byte[] outBytes) {}

  static Result run(String... args) {
    return run(new byte[0], Map.of(), args);
  }

  static Result run(byte[] stdin, Map<String, String> env, String... args) {
    return runWithStdin(new ByteArrayInputStream(stdin), env, args);
  }

  static Result runWithStdin(InputStream in, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Context ctx = new Context(in, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, Clock.systemUTC(), Ticker.system(), false);
    int exit = Main.cli(ctx).execute(args);
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
        out.toByteArray());
  }

  private Cli() {}
}
