package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Signals, kill -9 and re-runs through child JVMs: every record read ends in Parquet exactly once
 * (read back with DuckDB and compared id by id with the input), a stopped run continues, a crashed
 * one is rolled back, a finished one is not converted twice, and a live run is never touched.
 */
class RunSafetyTest {
  static final int LINES = 150_000;
  private static final Pattern ID = Pattern.compile("\"message_id\":\"([^\"]+)\"");

  @TempDir
  static Path shared;
  static Path input;
  /** message_id of each input line, in order. */
  static List<String> ids;

  @TempDir
  Path dir;

  @BeforeAll
  static void generate() throws Exception {
    input = shared.resolve("big.jsonl");
    Cli.Result gen = Cli.run("generate", "--count", Integer.toString(LINES), "--keys", "20", "-o", input.toString());
    assertThat(gen.exit()).as(gen.err()).isZero();
    ids = new ArrayList<>(LINES);
    try (BufferedReader r = Files.newBufferedReader(input)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        Matcher m = ID.matcher(line);
        ids.add(m.find() ? m.group(1) : null);
      }
    }
    assertThat(ids).hasSize(LINES).doesNotContainNull().doesNotHaveDuplicates();
  }

  /** A few keys, small batches: files are committed early and often, and DuckDB reads few files. */
  static String[] convert(Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("convert", "-o", out.toString(), "--partition", "",
        "--key", "{business_capability}"));
    if (!List.of(more).contains("--max-buffer-bytes")) {
      args.addAll(List.of("--max-buffer-bytes", "8MiB"));
    }
    // files complete every 5,000 records of a key, so that files are committed while the run reads
    // (a key's file otherwise rolls until the end of this input)
    if (!List.of(more).contains("--buffer-size")) {
      args.addAll(List.of("--buffer-size", "5000"));
    }
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /**
   * {@code ids} sorted: two lists equal when sorted hold each id equally often, so no duplicate and
   * no loss (assertj's containsExactlyInAnyOrder is quadratic).
   */
  static List<String> sorted(List<String> ids) {
    List<String> s = new ArrayList<>(ids);
    s.sort(null);
    return s;
  }

  static long inProgress(Path out) throws IOException {
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".inprogress")).count();
    }
  }

  static long summaryRecords(String err) {
    Matcher m = Pattern.compile("(\\d+) records read").matcher(err);
    assertThat(m.find()).as(err).isTrue();
    return Long.parseLong(m.group(1));
  }

  @ParameterizedTest
  @CsvSource({"TERM,143", "INT,130", "HUP,129"})
  void signalMidRun_commitsEverythingRead_thenSameCommandContinuesExactlyOnce(String signal, int code) throws Exception {
    Path out = dir.resolve("out");
    int exit;
    String err;
    // the second commit waits for the gate: the run is mid-way (a file committed, reading goes on
    // until the budget fills) however fast it reads, and the gate opens once the signal was taken
    Path gate = dir.resolve("gate");
    Path signalled = dir.resolve("signalled");
    try (Child child = Child.start(dir.resolve("err1.txt"), FileGatedSink.jvmOptions(1, gate, signalled),
        convert(out, input.toString()))) {
      Child.awaitFile(dir.resolve("gate.paused"), child);
      child.signal(signal);
      Child.awaitFile(signalled, child);
      Files.createFile(gate);
      exit = child.waitFor();
      err = child.err();
    }

    assertThat(exit).as(err).isEqualTo(code);
    long read = summaryRecords(err);
    assertThat(read).isPositive().isLessThan(LINES);
    assertThat(err).contains("stopped by SIG" + signal + "; every record read was committed",
        "run the same command again to continue from " + input.toAbsolutePath() + " line " + (read + 1) + " (byte ");
    assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(ids.subList(0, (int) read)));
    assertThat(inProgress(out)).isZero();
    assertThat(Files.readString(Child.journals(out).get(0))).contains("\"state\":\"interrupted\"",
        "\"signal\":\"SIG" + signal + "\"");

    Cli.Result again = Cli.run(convert(out, input.toString()));

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.err()).contains("continuing run", (LINES - read) + " records read");
    assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(ids));
    assertThat(inProgress(out)).isZero();
  }

  @Test
  void kill9MidRun_nextRunRollsBackRemovesLeftoversAndConvertsExactlyOnce() throws Exception {
    Path out = dir.resolve("out");
    Path journal;
    // commits after the first wait for a gate that never opens: the kill lands mid-run however fast it reads
    try (Child child = Child.start(dir.resolve("err.txt"),
        FileGatedSink.jvmOptions(1, dir.resolve("gate"), dir.resolve("signalled")), convert(out, input.toString()))) {
      journal = Child.awaitFirstFile(out, child);
      Child.awaitFile(dir.resolve("gate.paused"), child);
      // the journal lists a file before its rename: wait until one is visible, so there is something to roll back
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
          .pollInterval(java.time.Duration.ofMillis(10)).until(() -> !DuckDb.parquetFiles(out).isEmpty());
      child.signal("KILL");
      child.waitFor();
    }
    String runId = journal.getFileName().toString().replace(".json", "");
    assertThat(DuckDb.messageIds(out)).isNotEmpty();
    // a file the killed run was writing: left behind whenever the kill lands mid-write
    Files.write(out.resolve(".x-" + runId + "-999999.parquet.inprogress"), new byte[] {1, 2, 3});
    long leftovers = inProgress(out);

    Cli.Result again = Cli.run(convert(out, input.toString()));

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.err()).contains("run " + runId + " stopped without finishing (killed or crashed): removed the",
        "removed " + leftovers + " unfinished .inprogress files", LINES + " records read");
    assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(ids));
    assertThat(inProgress(out)).isZero();
    assertThat(Files.readString(journal)).contains("\"event\":\"superseded\"", "\"action\":\"rolled back\"");
  }

  @Test
  void secondSignalDuringShutdown_haltsAtOnce_nextRunRollsBack() throws Exception {
    Path out = dir.resolve("out");
    int exit;
    String err;
    // every commit after the first waits for a gate that never opens: the second signal lands while
    // the first one's shutdown is committing
    Path signalled = dir.resolve("signalled");
    try (Child child = Child.start(dir.resolve("err.txt"), FileGatedSink.jvmOptions(1, dir.resolve("gate"), signalled),
        convert(out, input.toString()))) {
      Child.awaitFile(dir.resolve("gate.paused"), child);
      Path journal = Child.journals(out).get(0);
      child.signal("TERM");
      Child.awaitFile(signalled, child);
      child.signal("INT");
      exit = child.waitFor();
      err = child.err();
      assertThat(Files.readString(journal)).doesNotContain("\"event\":\"end\"");
    }

    assertThat(exit).as(err).isEqualTo(130);
    assertThat(err).contains("second signal (SIGINT): stopped at once")
        .doesNotContain("records read");
    DuckDb.messageIds(out); // every .parquet there is complete: DuckDB reads them all

    Cli.Result again = Cli.run(convert(out, input.toString()));
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.err()).contains("stopped without finishing (killed or crashed)");
    assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(ids));
    assertThat(inProgress(out)).isZero();
  }

  @Test
  void liveRun_itsFilesAndLockUntouched_deadRunsLeftoversRemoved() throws Exception {
    Path out = dir.resolve("out");
    Path small = dir.resolve("small.jsonl");
    Files.write(small, ConvertCliTest.lines(100));
    // the live run's commits after the first wait for the gate: it is still running while the others start
    Path gate = dir.resolve("gate");
    Path signalled = dir.resolve("signalled");
    try (Child live = Child.start(dir.resolve("err.txt"), FileGatedSink.jvmOptions(1, gate, signalled),
        convert(out, input.toString()))) {
      Path journal = Child.awaitFirstFile(out, live);
      Child.awaitFile(dir.resolve("gate.paused"), live);
      String liveId = journal.getFileName().toString().replace(".json", "");
      Path liveTemp = out.resolve(".x-" + liveId + "-999999.parquet.inprogress");
      Files.write(liveTemp, new byte[] {1});
      // a crashed run over another input: a journal without end, no lock, a leftover temp file
      String deadId = "20200101T000000Z-dead";
      Files.writeString(out.resolve("_runs/" + deadId + ".json"), "{\"event\":\"start\",\"run\":\"" + deadId
          + "\",\"time\":\"2020-01-01T00:00:00Z\",\"pid\":1,\"inputs\":[{\"path\":\"/gone.jsonl\",\"size\":5,"
          + "\"head_sha256\":\"a\",\"tail_sha256\":\"b\",\"from_offset\":0,\"from_line\":1}]}\n");
      Path deadTemp2 = out.resolve(".y-" + deadId + "-000001.parquet.inprogress");
      Files.write(deadTemp2, new byte[] {1});

      Cli.Result other = Cli.run(convert(out, small.toString()));
      Cli.Result same = Cli.run(convert(out, input.toString()));

      assertThat(other.exit()).as(other.err()).isZero();
      assertThat(other.err()).contains("removed 1 unfinished .inprogress files", "run " + deadId
          + " stopped without finishing");
      assertThat(liveTemp).exists();
      assertThat(deadTemp2).doesNotExist();
      assertThat(out.resolve("_runs/" + liveId + ".lock")).exists();
      assertThat(live.process.isAlive()).isTrue();
      assertThat(same.exit()).isEqualTo(2);
      assertThat(same.err()).contains("Cannot convert " + input.toAbsolutePath() + ": run " + liveId + " (pid "
          + live.process.pid() + ") is converting it");
      live.signal("TERM");
      Child.awaitFile(signalled, live);
      Files.createFile(gate);
      assertThat(live.waitFor()).isEqualTo(143);
    }
  }

  @Test
  void stdinBlockedRead_signalEndsIt_partialLineDeadLettered() throws Exception {
    Path out = dir.resolve("out");
    try (Child child = Child.start(dir.resolve("err.txt"), convert(out, "--flush-interval", "0.2"))) {
      OutputStream stdin = child.process.getOutputStream();
      for (int i = 0; i < 50; i++) {
        stdin.write(ConvertCliTest.line(i, "c", "2024-11-24T00:00:00Z").getBytes(StandardCharsets.UTF_8));
      }
      stdin.write("{\"time\":\"2024-11-24T00:00:00Z\",\"mess".getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      Child.awaitFirstFile(out, child); // the 50 lines were read; the reader now waits on stdin
      child.signal("TERM");
      int exit = child.waitFor();
      String err = child.err();

      assertThat(exit).as(err).isEqualTo(143);
      assertThat(err).contains("51 records read, 50 written", "1 dead-lettered",
          "stdin: 51 lines consumed; stdin cannot be read again");
      assertThat(DuckDb.messageIds(out)).hasSize(50).doesNotHaveDuplicates();
      List<com.fasterxml.jackson.databind.JsonNode> dlq = BadInputTest.dlqEntries(out.resolve("_dlq"));
      assertThat(dlq).hasSize(1);
      assertThat(dlq.get(0).get("error").asText()).contains("input stopped by SIGTERM before this line ended");
      assertThat(dlq.get(0).get("raw").asText()).isEqualTo("{\"time\":\"2024-11-24T00:00:00Z\",\"mess");
      assertThat(dlq.get(0).get("line").asLong()).isEqualTo(51);
    }
  }
}
