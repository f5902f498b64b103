package dev.json2parquet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.buffer.Ticker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Help text fits 80 columns, so picocli never wraps it, and the examples stay whole. */
class HelpTextTest {

  private static String help(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    Context ctx = new Context(new ByteArrayInputStream(new byte[0]), ps, ps, Map.of(), Clock.systemUTC(),
        Ticker.system(), false);
    Main.cli(ctx).execute(args);
    return out.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"convert", "flush", "generate", "schema", "recover", "dlq"})
  void subcommandHelp_fitsIn80Columns(String command) {
    assertThat(help(command, "--help").lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
  }

  @Test
  void convertHelp_keepsEveryExampleOnOneLine() {
    String text = help("convert", "--help");

    assertThat(text.lines()).contains(
        "  json2parquet convert --partition 'dt={time:yyyy-MM-dd}' -o out logs.jsonl",
        "  json2parquet convert --record-type dynamic --schema order.avsc -o out x.jsonl");
    assertThat(text).doesNotContain("{time:\n").doesNotContain("{business_capability}/year");
  }
}
