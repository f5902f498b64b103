package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in a real pseudo-terminal ({@code script}): stderr is the terminal while stdin is a pipe
 * and stdout a file, as in {@code cat x | json2parquet convert -o out > log}; the progress bar must
 * show, within the 40 columns given.
 */
class PseudoTerminalTest {
  @TempDir
  Path dir;

  @Test
  void progressBar_showsWhenOnlyStderrIsATerminal_andFitsItsWidth() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs util-linux script");
    String java = ProcessHandle.current().info().command().orElse("java");
    Path out = dir.resolve("out");
    Path stdout = dir.resolve("stdout.log");
    // the input pipe stays open for 3 s (the bar shows after 1.5 s), then closes
    String command = "(cat samples/logs.jsonl; sleep 3) | COLUMNS=40 '" + java + "' -cp '"
        + System.getProperty("java.class.path") + "' dev.json2parquet.cli.Main convert -o '" + out + "' > '"
        + stdout + "'";
    Process p = new ProcessBuilder("script", "-qec", command, "/dev/null")
        .redirectErrorStream(true)
        .start();
    p.getOutputStream().close();
    byte[] terminal = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String screen = new String(terminal, StandardCharsets.UTF_8);

    assertThat(p.exitValue()).as(screen).isZero();
    assertThat(screen).contains("\r").contains("kB read");
    List<String> drawn = Arrays.stream(screen.split("[\r\n]")).filter(s -> s.contains("kB read,")).toList();
    assertThat(drawn).isNotEmpty().allSatisfy(s -> assertThat(s.stripTrailing().length()).isLessThan(40));
    assertThat(screen).contains("201 records read, 201 written");
    assertThat(Files.readString(stdout)).isEmpty();
  }
}
