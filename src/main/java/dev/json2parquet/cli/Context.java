package dev.json2parquet.cli;

import dev.json2parquet.buffer.Ticker;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * What a command may touch of the outside world; tests pass their own.
 *
 * @param terminal whether {@code err} is a terminal (the progress bar is drawn there); stdin and
 *     stdout may be pipes or files (see {@link Terminal#isTerminal})
 */
public record Context(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Clock clock,
    Ticker ticker, boolean terminal) {

  public static Context system() {
    return new Context(System.in, System.out, System.err, System.getenv(), Clock.systemUTC(), Ticker.system(),
        Terminal.isTerminal(2));
  }
}
