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

  @Test
  void unknownFlag_oneErrorLineAndWhereTheOptionsAre_notTheWholeHelp_exit2() {
    for (String sub : Main.SUBCOMMANDS) {
      if (sub.equals("dlq") || sub.equals("schema")) {
        continue; // command groups: their subcommands are checked below
      }
      String r = run(false, sub, "--prot", "1");
      assertThat(r).as(sub).startsWith("2\n\n").contains("Unknown option").contains("'--prot'")
          .contains("Run 'json2parquet " + sub + " --help' for the options.")
          .doesNotContain("Usage:");
      assertThat(r.lines().count()).as(sub).isLessThan(8);
    }
    assertThat(run(false, "schema", "infer", "--prot")).startsWith("2\n")
        .contains("Run 'json2parquet schema infer --help' for the options.").doesNotContain("Usage:");
    assertThat(run(false, "nosuch")).startsWith("2\n").contains("Run 'json2parquet --help' for the options.")
        .doesNotContain("Usage:");
  }

  @Test
  void serve_missingAuthTokenFile_oneLine_exit2(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    String r = run(false, "serve", "--auth-token-file", "/nonexist", "-o", dir.resolve("out").toString(),
        "--port", "0", "--forward-port", "-1");
    assertThat(r).startsWith("2\n").contains("json2parquet: Cannot read the auth token file /nonexist: no such file")
        .doesNotContain("java.").doesNotContain("Exception");
  }

  @Test
  void serve_destination_namesTheS3UrlOrTheDirectory() {
    dev.json2parquet.config.ConfigLoader s3 = new dev.json2parquet.config.ConfigLoader();
    s3.flag("writer_file_path", "s3://bkt/pfx", "-o");
    s3.flag("s3_region", "us-east-1", "--s3-region");
    assertThat(ServeCommand.destination(s3.build())).isEqualTo("s3://bkt/pfx");
    dev.json2parquet.config.ConfigLoader local = new dev.json2parquet.config.ConfigLoader();
    local.flag("writer_file_path", "/data/out", "-o");
    assertThat(ServeCommand.destination(local.build())).isEqualTo("/data/out");
  }
}
