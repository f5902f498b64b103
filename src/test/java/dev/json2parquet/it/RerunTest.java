package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-runs into the same output directory, and output directories that cannot be written. */
class RerunTest {
  @TempDir
  Path dir;

  @Test
  void sameCommandTwice_refusedNamingTheRun_forceConvertsAgain() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, ConvertCliTest.lines(120));
    Path copy = dir.resolve("copy.jsonl");
    Files.write(copy, ConvertCliTest.lines(120));
    Path out = dir.resolve("out");

    Cli.Result first = Cli.run("convert", "-o", out.toString(), in.toString());
    String runId = Child.journals(out).get(0).getFileName().toString().replace(".json", "");
    Cli.Result second = Cli.run("convert", "-o", out.toString(), in.toString());
    Cli.Result renamed = Cli.run("convert", "-o", out.toString(), copy.toString());

    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(second.exit()).isEqualTo(2);
    assertThat(second.err().strip().lines()).hasSize(1);
    assertThat(second.err()).contains("Cannot convert " + in.toAbsolutePath() + ": run " + runId
        + " converted it into " + out.toAbsolutePath() + " at ", "(120 records); pass --force");
    // the same content under another name is the same input
    assertThat(renamed.exit()).isEqualTo(2);
    assertThat(DuckDb.messageIds(out)).hasSize(120).doesNotHaveDuplicates();

    Cli.Result forced = Cli.run("convert", "-o", out.toString(), "--force", in.toString());

    assertThat(forced.exit()).as(forced.err()).isZero();
    List<String> ids = DuckDb.messageIds(out);
    assertThat(ids).hasSize(240);
    assertThat(ids.stream().distinct()).hasSize(120);
  }

  @Test
  void inputGrownSinceItWasConverted_refusedSayingWhatToDo_forceConvertsItAll() throws Exception {
    Path in = dir.resolve("app.log");
    Files.write(in, ConvertCliTest.lines(40));
    long before = Files.size(in);
    Path out = dir.resolve("out");
    Cli.Result first = Cli.run("convert", "-o", out.toString(), in.toString());
    Files.write(in, ConvertCliTest.line(40, "cap0", "2024-11-24T00:00:00Z").getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);

    Cli.Result grown = Cli.run("convert", "-o", out.toString(), in.toString());

    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(grown.exit()).as(grown.err()).isEqualTo(2);
    assertThat(grown.err()).contains("Cannot convert " + in.toAbsolutePath(), "when it had " + before + " bytes",
        "has grown since", "tail -c +" + (before + 1), "--force");
    assertThat(DuckDb.messageIds(out)).hasSize(40).doesNotHaveDuplicates();

    Cli.Result forced = Cli.run("convert", "-o", out.toString(), "--force", in.toString());
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(DuckDb.messageIds(out)).hasSize(81);
  }

  @Test
  void newInputIntoSameOutput_isNormal() throws Exception {
    Path a = dir.resolve("a.jsonl");
    Path b = dir.resolve("b.jsonl");
    Files.write(a, ConvertCliTest.lines(30));
    Files.writeString(b, ConvertCliTest.line(99, "x", "2024-11-25T00:00:00Z"));
    Path out = dir.resolve("out");

    Cli.Result day1 = Cli.run("convert", "-o", out.toString(), a.toString());
    Cli.Result day2 = Cli.run("convert", "-o", out.toString(), b.toString());

    assertThat(day1.exit()).as(day1.err()).isZero();
    assertThat(day2.exit()).as(day2.err()).isZero();
    assertThat(DuckDb.messageIds(out)).hasSize(31).doesNotHaveDuplicates();
    assertThat(Child.journals(out)).hasSize(2);
    for (Path j : Child.journals(out)) {
      assertThat(Files.readString(j)).contains("\"state\":\"finished\"");
    }
  }

  @Test
  void unwritableOutputOrDlqDir_oneLineExit2_nothingRead() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, ConvertCliTest.lines(10));

    Cli.Result proc = Cli.run("convert", "-o", "/proc/x", in.toString());
    Cli.Result dlq = Cli.run("convert", "-o", dir.resolve("out").toString(), "--dlq", "/proc/y/dlq", in.toString());
    Path file = dir.resolve("a-file");
    Files.writeString(file, "x");
    Cli.Result underFile = Cli.run("convert", "-o", file.resolve("out").toString(), in.toString());

    assertThat(proc.exit()).isEqualTo(2);
    assertThat(proc.err().strip().lines()).containsExactly(proc.err().strip());
    assertThat(proc.err()).startsWith("json2parquet: Cannot write to /proc/x: ");
    assertThat(dlq.exit()).isEqualTo(2);
    assertThat(dlq.err().strip()).startsWith("json2parquet: Cannot write to /proc/y/dlq: ").doesNotContain("\n");
    assertThat(DuckDb.parquetFiles(dir.resolve("out"))).isEmpty();
    assertThat(underFile.exit()).isEqualTo(2);
    assertThat(underFile.err().strip()).startsWith("json2parquet: Cannot write to " + file.resolve("out"))
        .doesNotContain("\n");
  }

}
