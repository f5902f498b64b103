package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With several threads, lines are parsed on parser threads and handed to the buffer in input order:
 * the files (bytes and records), the dead letters (order, line numbers, reasons) and the counts are
 * those of a run that parses everything on the reading thread.
 */
class ParallelParsingTest {
  @TempDir
  Path dir;

  @Test
  void convert_parsedOnParserThreads_givesTheFilesAndDeadLettersOfOneParser() throws Exception {
    Path generated = dir.resolve("gen.jsonl");
    assertThat(Cli.run("generate", "--count", "3e4", "--seed", "9", "--keys", "30", "-o", generated.toString())
        .exit()).isZero();
    List<String> lines = Files.readAllLines(generated);
    // two inputs; bad, blank and oversized lines among the good ones, some chunks all bad
    Path a = dir.resolve("a.jsonl");
    Path b = dir.resolve("b.jsonl");
    int bad = write(a, lines.subList(0, 17_000), 0);
    bad += write(b, lines.subList(17_000, lines.size()), 1);

    Path one = dir.resolve("one");
    Path three = dir.resolve("three");
    Cli.Result r1 = convert(one, "1", a, b);
    Cli.Result r3 = convert(three, "3", a, b);

    assertThat(r1.err()).contains((30_000 + bad) + " records read, 30000 written to", bad + " dead-lettered");
    assertThat(summaryLine(r3)).isEqualTo(summaryLine(r1));
    Map<String, byte[]> filesOne = files(one);
    Map<String, byte[]> filesThree = files(three);
    assertThat(filesThree.keySet()).containsExactlyElementsOf(filesOne.keySet());
    assertThat(filesOne.size()).isGreaterThan(30);
    filesOne.forEach((name, bytes) -> assertThat(filesThree.get(name)).as(name).isEqualTo(bytes));
    List<String> ids = new ArrayList<>();
    try (DuckDb duck = new DuckDb()) {
      for (Map<String, Object> row : duck.query("SELECT message_id FROM read_parquet('" + three + "/**/*.parquet')")) {
        ids.add((String) row.get("message_id"));
      }
    }
    assertThat(ids).hasSize(30_000).doesNotHaveDuplicates();

    List<String> dlqOne = deadLetters(one);
    List<String> dlqThree = deadLetters(three);
    assertThat(dlqOne).hasSize(bad);
    assertThat(dlqThree).containsExactlyElementsOf(dlqOne);
    assertThat(dlqThree.get(0)).startsWith("a.jsonl:3 ");
  }

  /** Writes {@code good} with a bad line after every 7th (a run of 40 bad ones at 5,000); returns the bad lines written. */
  private static int write(Path to, List<String> good, int salt) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int bad = 0;
    for (int i = 0; i < good.size(); i++) {
      out.write(good.get(i).getBytes(StandardCharsets.UTF_8));
      out.write('\n');
      if (i % 7 == 1) {
        out.write(("{\"message\": \"cut " + i + "\n").getBytes(StandardCharsets.UTF_8));
        bad++;
      }
      if (i % 1000 == 500) {
        out.write("   \n".getBytes(StandardCharsets.UTF_8)); // blank: skipped, its number counts
        out.write(("{\"message\":\"" + "x".repeat(70_000 + salt) + "\"}\n").getBytes(StandardCharsets.UTF_8));
        bad++;
      }
      if (i == 5000) {
        for (int k = 0; k < 40; k++) {
          out.write(("not json " + k + "\n").getBytes(StandardCharsets.UTF_8));
          bad++;
        }
      }
    }
    Files.write(to, out.toByteArray());
    return bad;
  }

  private Cli.Result convert(Path out, String threads, Path... in) {
    List<String> args = new ArrayList<>(List.of("convert", "-o", out.toString(), "--dlq", out.resolve("_dlq").toString(),
        "--threads", threads, "--max-buffer-bytes", "4MiB", "--buffer-size", "700", "--max-line-bytes", "65536"));
    for (Path p : in) {
      args.add(p.toString());
    }
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isEqualTo(3); // finished, some records dead-lettered
    return r;
  }

  /** The summary's counts: records read, written, files, dead-lettered. */
  private static String summaryLine(Cli.Result r) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("(\\d+ records read, \\d+ written to \\d+ files?) \\([^)]*\\), (\\d+ dead-lettered)").matcher(r.err());
    assertThat(m.find()).as(r.err()).isTrue();
    return m.group(1) + ", " + m.group(2);
  }

  /** Each Parquet file's bytes by its path with the run id taken out. */
  private static Map<String, byte[]> files(Path out) throws Exception {
    Map<String, byte[]> byName = new TreeMap<>();
    for (Path f : DuckDb.parquetFiles(out)) {
      byName.put(out.relativize(f).toString().replaceAll("-\\d{8}T\\d{6}Z-[0-9a-f]{4}-", "-RUN-"), Files.readAllBytes(f));
    }
    return byName;
  }

  /** The dead letters in file order, as "source-file-name:line error raw-length". */
  private static List<String> deadLetters(Path out) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<String> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(out.resolve("_dlq"))) {
      for (Path f : s.filter(p -> p.getFileName().toString().startsWith("dlq-")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode n = json.readTree(line);
          all.add(Path.of(n.get("source").asText()).getFileName() + ":" + n.get("line").asLong() + " "
              + n.get("error").asText() + " " + (n.has("raw") ? n.get("raw").asText().length() : -1));
        }
      }
    }
    return all;
  }
}
