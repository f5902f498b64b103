package dev.json2parquet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.buffer.Ticker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line built for one named subcommand behaves as the full one for that subcommand. */
class MainTest {

  private static String run(boolean full, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Context ctx = new Context(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), Clock.systemUTC(), Ticker.system(), false);
    int exit = (full ? Main.cli(ctx) : Main.cli(ctx, args.length > 0 ? args[0] : null)).execute(args);
    return exit + "\n" + out.toString(StandardCharsets.UTF_8) + "\n" + err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void oneSubcommandBuilt_sameHelpErrorsAndListingAsAllBuilt() {
    String[][] cases = {
      {"convert", "--help"}, {"generate", "--help"}, {"schema", "infer", "--help"}, {"convert", "--no-such-flag"},
      {"--help"}, {"--version"}, {"nosuch"}, {},
    };
    for (String[] args : cases) {
      assertThat(run(false, args)).as(String.join(" ", args)).isEqualTo(run(true, args));
    }
    assertThat(run(false, "--help")).contains("convert").contains("generate").contains("schema");
  }
}
