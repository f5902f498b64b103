package dev.json2parquet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Terminal detection and width, with the /proc link target and the environment injected. */
class TerminalTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/dev/pts/3, true",
      "/dev/tty1, true",
      "/dev/console, true",
      "'pipe:[4711]', false",
      "/tmp/out.log, false",
      "/dev/null, false",
      "'socket:[99]', false",
  })
  void isTerminalDevice_followsTheFdLink(String target, boolean terminal) throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("2"), Path.of(target));

    boolean answer = Terminal.isTerminalDevice(link);
    Files.delete(link);

    assertThat(answer).isEqualTo(terminal);
  }

  @Test
  void isTerminalDevice_withoutLink_isFalse() {
    assertThat(Terminal.isTerminalDevice(dir.resolve("missing"))).isFalse();
  }

  @Test
  void width_comesFromColumns() {
    assertThat(Terminal.width(Map.of("COLUMNS", "40"))).isEqualTo(40);
  }

  @Test
  void width_withBadColumns_isStillAPositiveWidth() {
    assertThat(Terminal.width(Map.of("COLUMNS", "wide"))).isPositive();
    assertThat(Terminal.width(Map.of("COLUMNS", "0"))).isPositive();
  }

  @Test
  void progress_isShownOnlyWhenStderrIsATerminalAndNotQuiet() {
    assertThat(Terminal.showProgress(true, false)).isTrue();
    assertThat(Terminal.showProgress(true, true)).isFalse();
    assertThat(Terminal.showProgress(false, false)).isFalse();
  }

  @Test
  void stdinNotice_onlyWhenStdinIsReadAndIsATerminal() {
    assertThat(Terminal.stdinNotice(List.of(), true)).contains("waiting for JSON lines on stdin").contains("Ctrl-D");
    assertThat(Terminal.stdinNotice(List.of("a.jsonl", "-"), true)).isNotNull();
    assertThat(Terminal.stdinNotice(List.of("a.jsonl"), true)).isNull();
    assertThat(Terminal.stdinNotice(List.of(), false)).isNull();
  }
}
