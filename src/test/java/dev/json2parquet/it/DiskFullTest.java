package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the output directory on a 3 MiB tmpfs (needs root, as CI runs; skipped
 * otherwise). Files that cannot be written land whole in the recovery store (on another file
 * system), the run ends with its summary and exit 1, and after the disk grows {@code recover}
 * commits them: every record exactly once.
 */
@Timeout(120)
class DiskFullTest {
  @TempDir
  Path dir;
  private Path small;

  private static int sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  @AfterEach
  void unmount() throws Exception {
    if (small != null) {
      sh("umount", "-l", small.toString());
    }
  }

  @Test
  void diskFullMidRun_filesGoWholeToRecovery_summaryAndExit1_recoverThenCommitsEachRecordOnce() throws Exception {
    Path mount = Files.createDirectories(dir.resolve("small"));
    assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString()) == 0,
        "needs root to mount a tmpfs");
    small = mount;
    Path in = dir.resolve("in.jsonl");
    Files.write(in, Cli.run("generate", "--count", "20000", "--seed", "7").outBytes());
    Path out = mount.resolve("out");
    Path rec = dir.resolve("rec");

    Cli.Result convert = Cli.run("convert", "-o", out.toString(), "--recovery", rec.toString(), in.toString());

    assertThat(convert.exit()).as(convert.err()).isEqualTo(1);
    assertThat(convert.err()).doesNotContain("NOT written", "are lost", "error:");
    Matcher m = Pattern.compile("20000 records read, (\\d+) written .*; (\\d+) records in recovery").matcher(convert.err());
    assertThat(m.find()).as(convert.err()).isTrue();
    assertThat(Long.parseLong(m.group(1)) + Long.parseLong(m.group(2))).isEqualTo(20000);
    assertThat(Long.parseLong(m.group(2))).isPositive();

    assertThat(sh("mount", "-o", "remount,size=300m", mount.toString())).isZero();
    // the run's journal is on the full disk too: when its end could not be written, the run counts as
    // crashed and the summary says to run the same command again (which rolls it back), else recover
    if (convert.err().contains("(recover with: the same convert command")) {
      assertThat(convert.err()).contains("Cannot write the end of the journal of run");
      Cli.Result again = Cli.run("convert", "-o", out.toString(), "--recovery", rec.toString(), in.toString());
      assertThat(again.exit()).as(again.err()).isZero();
      assertThat(again.err()).contains("stopped without finishing (killed or crashed): removed the");
    } else {
      assertThat(convert.err()).contains("(recover with: json2parquet recover -o " + out);
      Cli.Result recover = Cli.run("recover", "-o", out.toString(), "--recovery", rec.toString());
      assertThat(recover.exit()).as(recover.err()).isZero();
    }
    // an append the full disk cut short is cut off, never merged with the next line (which was lost so)
    try (var journals = Files.newDirectoryStream(out.resolve("_runs"), "*.json")) {
      for (Path journal : journals) {
        for (String line : Files.readAllLines(journal)) {
          assertThat(line).as(journal.toString()).startsWith("{\"event\"").endsWith("}");
          assertThat(line.indexOf("{\"event\"", 1)).as(journal + ": " + line).isEqualTo(-1);
        }
      }
    }
    try (DuckDb duck = new DuckDb()) {
      List<Map<String, Object>> r = duck.query("select count(*) as n, count(distinct message_id) as d from read_parquet('"
          + out + "/**/*.parquet')");
      assertThat(((Number) r.get(0).get("n")).longValue()).isEqualTo(20000);
      assertThat(((Number) r.get(0).get("d")).longValue()).isEqualTo(20000);
    }
  }
}
