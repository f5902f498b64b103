package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.json2parquet.dlq.Recovery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write failures injected through the sink interface ({@link FaultySink}): records land in the
 * recovery store, {@code recover} commits them, and DuckDB sees every input record exactly once,
 * also after {@code recover} is killed between a commit and the removal from the store.
 */
@Timeout(60)
class RecoveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** Records {@code from} to {@code from + n - 1}: 3 capabilities x 4 hours, so 12 files. */
  static byte[] lines(int from, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < from + n; i++) {
      sb.append(ConvertCliTest.line(i, "cap" + (i % 3), "2024-11-24T0" + (i % 4) + ":00:00Z"));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static List<String> ids(int from, int n) {
    return IntStream.range(from, from + n).mapToObj(i -> "id" + i).toList();
  }

  private Path input(String name, int from, int n) throws Exception {
    return Files.write(dir.resolve(name), lines(from, n));
  }

  private static List<JsonNode> manifests(Path store) throws Exception {
    if (!Files.isDirectory(store)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(store)) {
      List<JsonNode> out = new ArrayList<>();
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
        out.add(JSON.readTree(p.toFile()));
      }
      return out;
    }
  }

  private static long storedRecords(Path store) throws Exception {
    return manifests(store).stream().mapToLong(m -> m.get("records").asLong()).sum();
  }

  @Test
  void convert_whenEveryCommitFails_holdsEveryRecordInRecoveryAndRecoverCommitsThemOnce() throws Exception {
    Path in = input("in.jsonl", 0, 300);
    Path out = dir.resolve("out");

    Cli.Result convert = FaultySink.with("always", () -> Cli.run("convert", "-o", out.toString(), in.toString()));

    assertThat(convert.exit()).as(convert.err()).isEqualTo(1);
    assertThat(convert.err()).contains("300 records read, 0 written to 0 files",
        "; 300 records in recovery (recover with: json2parquet recover -o " + out + ")");
    assertThat(convert.err()).doesNotContain("NOT written", "Cannot write");
    assertThat(DuckDb.parquetFiles(out)).isEmpty();
    List<JsonNode> manifests = manifests(out.resolve("_recovery"));
    assertThat(manifests).hasSize(12);
    JsonNode m = manifests.get(0);
    assertThat(m.get("attempts").asInt()).isEqualTo(3);
    assertThat(m.get("last_error").asText()).contains("injected failure");
    assertThat(m.get("path").asText()).startsWith("capability=cap").endsWith(".parquet");
    assertThat(m.get("key").size()).isEqualTo(4);
    assertThat(m.get("partition").size()).isEqualTo(5);
    assertThat(m.get("run_id").asText()).isNotEmpty();
    assertThat(m.get("time").asText()).isNotEmpty();
    assertThat(storedRecords(out.resolve("_recovery"))).isEqualTo(300);

    Cli.Result recover = Cli.run("recover", "-o", out.toString());

    assertThat(recover.exit()).as(recover.err()).isZero();
    assertThat(recover.out().lines()).hasSize(12).allSatisfy(l -> assertThat(l).startsWith("recovered " + out));
    assertThat(recover.err()).contains("12 files (300 records) recovered from " + out.resolve("_recovery"));
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 300));
    for (JsonNode stored : manifests) {
      assertThat(out.resolve(stored.get("path").asText())).isRegularFile();
    }
    assertThat(manifests(out.resolve("_recovery"))).isEmpty();
    try (Stream<Path> left = Files.list(out.resolve("_recovery"))) {
      assertThat(left).isEmpty();
    }

    Cli.Result again = Cli.run("recover", "-o", out.toString());

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.err()).contains("0 files (0 records) recovered");
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 300));
  }

  @Test
  void convert_whenOneCommitFails_retriesItAndWritesEveryRecordOnce() throws Exception {
    Path in = input("in.jsonl", 0, 300);
    Path out = dir.resolve("out");

    Cli.Result convert = FaultySink.with("nth=2", () -> Cli.run("convert", "-o", out.toString(), in.toString()));

    assertThat(convert.exit()).as(convert.err()).isZero();
    assertThat(manifests(out.resolve("_recovery"))).isEmpty();
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 300));
  }

  @Test
  void convert_whenOnePathFails_writesTheOthersAndRecoverSaysWhyItStillFails() throws Exception {
    Path in = input("in.jsonl", 0, 300);
    Path out = dir.resolve("out");
    Path store = out.resolve("_recovery");

    Cli.Result convert = FaultySink.with("path=capability=cap1/", () -> Cli.run("convert", "-o", out.toString(),
        in.toString()));

    assertThat(convert.exit()).as(convert.err()).isEqualTo(1);
    // ids 1, 4, 7, ... have cap1: 100 records in 4 files
    assertThat(convert.err()).contains("300 records read, 200 written", "; 100 records in recovery");
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(
        ids(0, 300).stream().filter(id -> Integer.parseInt(id.substring(2)) % 3 != 1).toList());
    assertThat(manifests(store)).hasSize(4);

    Cli.Result stillFailing = FaultySink.with("path=capability=cap1/", () -> Cli.run("recover", "-o", out.toString()));

    assertThat(stillFailing.exit()).isEqualTo(1);
    assertThat(stillFailing.err().lines().filter(l -> l.startsWith("json2parquet: Cannot recover " + out)))
        .hasSize(4).allSatisfy(l -> assertThat(l).contains("capability=cap1/", "25 records of key [cap1, d, s, a]",
            "injected failure", "it stays in the recovery store (attempt 4)"));
    assertThat(stillFailing.err()).contains("0 files (0 records) recovered", "4 files (100 records) still failing");
    assertThat(manifests(store)).allSatisfy(m -> assertThat(m.get("attempts").asInt()).isEqualTo(4));

    Cli.Result recover = Cli.run("recover", "-o", out.toString());

    assertThat(recover.exit()).as(recover.err()).isZero();
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 300));
  }

  @Test
  void recover_killedBetweenACommitAndTheRemoval_thenRunAgain_commitsEveryRecordOnce() throws Exception {
    Path in = input("in.jsonl", 0, 300);
    Path out = dir.resolve("out");
    assertThat(FaultySink.with("always", () -> Cli.run("convert", "-o", out.toString(), in.toString())).exit())
        .isEqualTo(1);
    assertThat(manifests(out.resolve("_recovery"))).hasSize(12);

    // a child JVM halts right after its third commit, before that file leaves the store
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-D" + Recovery.TEST_HALT_AFTER_COMMITS + "=3",
        "dev.json2parquet.cli.Main", "recover", "-o", out.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isEqualTo(137);
    assertThat(DuckDb.parquetFiles(out)).hasSize(3);
    assertThat(manifests(out.resolve("_recovery"))).hasSize(10);
    List<String> partial = DuckDb.messageIds(out);

    Cli.Result again = Cli.run("recover", "-o", out.toString());

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.err()).contains("10 files");
    assertThat(partial).isNotEmpty().doesNotHaveDuplicates();
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 300));
    assertThat(DuckDb.parquetFiles(out)).hasSize(12);
  }

  @Test
  void convert_whenTheRecoveryStoreCannotBeWritten_saysExactlyWhatIsLost() throws Exception {
    Path in = input("in.jsonl", 0, 300);
    Path out = dir.resolve("out");
    Path blocker = Files.writeString(dir.resolve("a-file"), "not a directory");
    Path store = blocker.resolve("rec");

    Cli.Result convert = FaultySink.with("always", () -> Cli.run("convert", "-o", out.toString(), "--recovery",
        store.toString(), in.toString()));

    assertThat(convert.exit()).isEqualTo(1);
    assertThat(convert.err()).contains("300 records read, 0 written", "; 300 records NOT written")
        .doesNotContain("in recovery");
    List<String> lost = convert.err().lines().filter(l -> l.startsWith("json2parquet: Cannot write ")).toList();
    assertThat(lost).hasSize(12).allSatisfy(l -> assertThat(l).contains("injected failure",
        "; nor keep them in the recovery store " + store + ": ").endsWith("; these records are lost"));
    Pattern what = Pattern.compile("Cannot write (\\d+) records of key \\[(cap\\d), d, s, a] in partition \\[(cap\\d), "
        + "2024, 11, 24, (0\\d)] \\(for " + Pattern.quote(out.toString()) + "/capability=(cap\\d)/year=2024/month=11/day=24/hour=(0\\d)/");
    long total = 0;
    List<String> buckets = new ArrayList<>();
    for (String l : lost) {
      Matcher m = what.matcher(l);
      assertThat(m.find()).as(l).isTrue();
      assertThat(m.group(2)).isEqualTo(m.group(3)).isEqualTo(m.group(5));
      assertThat(m.group(4)).isEqualTo(m.group(6));
      total += Long.parseLong(m.group(1));
      buckets.add(m.group(2) + "/" + m.group(4));
    }
    assertThat(total).isEqualTo(300);
    assertThat(buckets).doesNotHaveDuplicates().hasSize(12);
  }

  @Test
  void convert_withTryAutoRecover_commitsWhatAnEarlierRunLeftBeforeConverting() throws Exception {
    Path out = dir.resolve("out");
    Path first = input("first.jsonl", 0, 300);
    Path second = input("second.jsonl", 300, 300);
    FaultySink.with("always", () -> Cli.run("convert", "-o", out.toString(), first.toString()));
    assertThat(storedRecords(out.resolve("_recovery"))).isEqualTo(300);

    Cli.Result auto = Cli.run(new byte[0], Map.of("JSON2PARQUET_TRY_AUTO_RECOVER", "true"), "convert", "-o",
        out.toString(), second.toString());

    assertThat(auto.exit()).as(auto.err()).isZero();
    assertThat(auto.err()).contains("12 files (300 records) recovered", "recovered " + out);
    assertThat(manifests(out.resolve("_recovery"))).isEmpty();
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 600));
  }

  @Test
  void convert_withRecoveryAttempts_stopsTryingAutomaticallyButRecoverStillCommits() throws Exception {
    Path out = dir.resolve("out");
    Map<String, String> env = Map.of("JSON2PARQUET_TRY_AUTO_RECOVER", "true", "JSON2PARQUET_RECOVERY_ATTEMPTS", "1");
    FaultySink.with("always", () -> Cli.run("convert", "-o", out.toString(), input("a.jsonl", 0, 30).toString()));
    assertThat(manifests(out.resolve("_recovery"))).hasSize(12);

    // the automatic attempt fails (the disk is still broken): counted; the run's own records are held too
    Cli.Result failing = FaultySink.with("path=capability=", () -> Cli.run(new byte[0], env, "convert", "-o",
        out.toString(), input("b.jsonl", 30, 30).toString()));
    assertThat(failing.exit()).isEqualTo(1);
    assertThat(failing.err().lines().filter(l -> l.startsWith("json2parquet: Cannot recover "))).hasSize(12);
    assertThat(manifests(out.resolve("_recovery"))).hasSize(24)
        .filteredOn(m -> m.get("auto_attempts").asInt() == 1).hasSize(12);

    // the disk works again: the files that used their one automatic attempt wait; the others are committed
    Cli.Result waits = Cli.run(new byte[0], env, "convert", "-o", out.toString(), input("c.jsonl", 60, 30).toString());
    assertThat(waits.exit()).as(waits.err()).isZero();
    assertThat(waits.err().lines().filter(l -> l.contains("waits for `json2parquet recover`: its 1 automatic attempts"
        + " (recovery_attempts) are used up"))).hasSize(12);
    assertThat(waits.err()).contains("12 files (30 records) recovered", "12 files (30 records) wait for");
    assertThat(manifests(out.resolve("_recovery"))).hasSize(12);

    Cli.Result manual = Cli.run("recover", "-o", out.toString());

    assertThat(manual.exit()).as(manual.err()).isZero();
    assertThat(manifests(out.resolve("_recovery"))).isEmpty();
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 90));
  }

  static String joined(List<String> l) {
    return l.stream().collect(Collectors.joining(","));
  }

  /** A run that held files in the recovery store and then crashed (its journal has no end). */
  private static void crash(Path out) throws Exception {
    List<Path> journals = Child.journals(out);
    assertThat(journals).hasSize(1);
    List<String> lines = Files.readAllLines(journals.get(0));
    Files.write(journals.get(0), lines.stream().filter(l -> !l.contains("\"event\":\"end\"")).toList());
  }

  @Test
  void recover_skipsTheHeldFilesOfACrashedRun_andTheRerunConvertsEveryRecordOnce() throws Exception {
    Path in = input("in.jsonl", 0, 300);
    Path out = dir.resolve("out");
    Cli.Result convert = FaultySink.with("path=capability=cap1/", () -> Cli.run("convert", "-o", out.toString(),
        in.toString()));
    assertThat(convert.exit()).as(convert.err()).isEqualTo(1);
    assertThat(storedRecords(out.resolve("_recovery"))).isEqualTo(100);
    crash(out);

    Cli.Result recover = Cli.run("recover", "-o", out.toString());
    Cli.Result rerun = Cli.run("convert", "-o", out.toString(), in.toString());

    assertThat(recover.err()).contains("is not recovered: it belongs to run", "stopped without finishing");
    assertThat(recover.out()).doesNotContain("recovered ");
    assertThat(rerun.exit()).as(rerun.err()).isZero();
    assertThat(rerun.err()).contains("stopped without finishing (killed or crashed): removed the 8 files it committed"
        + " and 100 of its records in the recovery store");
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 300));
    assertThat(manifests(out.resolve("_recovery"))).isEmpty();
  }

  @Test
  void rollback_discardsTheCrashedRunsHeldFiles_inTheStoreThatRunUsed() throws Exception {
    Path in = input("in.jsonl", 0, 300);
    Path out = dir.resolve("out");
    Path rec = dir.resolve("elsewhere");
    Cli.Result convert = FaultySink.with("path=capability=cap1/", () -> Cli.run("convert", "-o", out.toString(),
        "--recovery", rec.toString(), in.toString()));
    assertThat(convert.exit()).as(convert.err()).isEqualTo(1);
    assertThat(storedRecords(rec)).isEqualTo(100);
    crash(out);

    Cli.Result rerun = Cli.run("convert", "-o", out.toString(), in.toString());

    assertThat(rerun.exit()).as(rerun.err()).isZero();
    assertThat(rerun.err()).contains("and 100 of its records in the recovery store");
    assertThat(manifests(rec)).isEmpty();
    assertThat(DuckDb.messageIds(out)).containsExactlyInAnyOrderElementsOf(ids(0, 300));
  }
}
