package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.json2parquet.parquet.ParquetSchemas;
import dev.json2parquet.record.RecordType;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key's file rolls across flushes: batches become row groups appended to one open file, completed
 * at buffer_size records, at max_file_bytes, at the end, or by a crash never (only completed files
 * are visible); the same input gives the same files with the same records on every run.
 */
class RollingFilesTest {
  private static final String[] SINGLE = {"--key", "", "--partition", ""};

  @TempDir
  Path dir;

  private Path generate(String count, String... more) {
    Path in = dir.resolve("in-" + count + ".jsonl");
    List<String> args = new ArrayList<>(List.of("generate", "--count", count, "--seed", "21", "-o", in.toString()));
    args.addAll(List.of(more));
    assertThat(Cli.run(args.toArray(String[]::new)).exit()).isZero();
    return in;
  }

  private Cli.Result convert(Path out, Path in, String... more) {
    List<String> args = new ArrayList<>(List.of("convert", "-o", out.toString()));
    args.addAll(List.of(more));
    if (!args.contains("--threads")) {
      args.addAll(List.of("--threads", "2"));
    }
    args.add(in.toString());
    Cli.Result run = Cli.run(args.toArray(String[]::new));
    assertThat(run.exit()).as(run.err()).isZero();
    return run;
  }

  @Test
  void convert_singleKeyOverTheByteBudget_writesOneFileOfSeveralRowGroupsWithEveryValue() throws Exception {
    Path in = generate("3e4");
    Path out = dir.resolve("out");

    // a 4 MiB budget hands a key over at ~700 kB of buffered records: many flushes
    convert(out, in, concat(SINGLE, "--max-buffer-bytes", "4MiB"));

    List<Path> files = DuckDb.parquetFiles(out);
    assertThat(files).hasSize(1);
    Path file = files.get(0);
    assertThat(rowGroups(file)).hasSizeGreaterThan(5);
    List<String> ids = ParquetJavaReadsTest.readAndCheck(file, ParquetSchemas.toMessageType(RecordType.log().schema()),
        CompressionCodecName.SNAPPY, "message_id");
    assertThat(ids).hasSize(30_000).doesNotHaveDuplicates();
    Map<String, ObjectNode> expected = new HashMap<>();
    for (String line : Files.readAllLines(in, StandardCharsets.UTF_8)) {
      ObjectNode e = LogExpectation.expected(line);
      expected.put(e.get("message_id").asText(), e);
    }
    try (DuckDb duck = new DuckDb()) {
      List<JsonNode> rows = duck.rows(file);
      assertThat(rows).hasSize(30_000);
      for (int i = 0; i < rows.size(); i++) {
        JsonNode row = rows.get(i);
        assertThat(row.get("message_id").asText()).isEqualTo(ids.get(i));
        ObjectNode want = expected.remove(row.get("message_id").asText());
        assertThat(want).as("row %s", row.get("message_id")).isNotNull();
        assertThat(LogExpectation.compact(row)).as("record %s", want.get("message_id")).isEqualTo(want);
      }
    }
    assertThat(expected).isEmpty();
  }

  @Test
  void convert_bufferSize_cutsEachFileAtThatManyRecordsInInputOrder() throws Exception {
    Path in = generate("3e4");
    Path out = dir.resolve("out");

    convert(out, in, concat(SINGLE, "--max-buffer-bytes", "4MiB", "--buffer-size", "7000"));

    List<Path> files = DuckDb.parquetFiles(out);
    try (DuckDb duck = new DuckDb()) {
      List<Long> counts = new ArrayList<>();
      for (Path f : files) {
        counts.add((Long) duck.query("SELECT count(*) AS n FROM read_parquet('" + f + "')").get(0).get("n"));
      }
      assertThat(counts).containsExactly(7000L, 7000L, 7000L, 7000L, 2000L);
      // names sort in input order: each file starts where the one before ended
      List<String> lines = Files.readAllLines(in, StandardCharsets.UTF_8);
      for (int i = 0; i < files.size(); i++) {
        Object first = duck.query("SELECT message_id FROM read_parquet('" + files.get(i)
            + "', file_row_number = true) ORDER BY file_row_number LIMIT 1").get(0).get("message_id");
        assertThat(lines.get(7000 * i)).contains("\"" + first + "\"");
      }
    }
    // the second file starts inside a batch: named after the batch's first record and the offset
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(\\d{9})-(\\d+)\\.parquet$")
        .matcher(files.get(1).getFileName().toString());
    assertThat(m.find()).as(files.get(1).toString()).isTrue();
    assertThat(Long.parseLong(m.group(1)) + Long.parseLong(m.group(2))).isEqualTo(7000);
  }

  @Test
  void convert_maxFileBytes_completesAFileAfterTheRowGroupThatReachesIt() throws Exception {
    Path in = generate("3e4");
    Path out = dir.resolve("out");
    long limit = 1 << 20;

    convert(out, in, concat(SINGLE, "--max-buffer-bytes", "4MiB", "--max-file-bytes", "1MiB"));

    List<Path> files = DuckDb.parquetFiles(out);
    assertThat(files).hasSizeGreaterThan(1);
    long rows = 0;
    for (int i = 0; i < files.size(); i++) {
      List<BlockMetaData> groups = rowGroups(files.get(i));
      rows += groups.stream().mapToLong(BlockMetaData::getRowCount).sum();
      long lastGroupStart = groups.get(groups.size() - 1).getStartingPos();
      assertThat(lastGroupStart).as("bytes before the last row group of %s", files.get(i)).isLessThan(limit);
      if (i < files.size() - 1) {
        assertThat(Files.size(files.get(i))).as("size of %s", files.get(i)).isGreaterThanOrEqualTo(limit);
      }
    }
    assertThat(rows).isEqualTo(30_000);
  }

  @Test
  void convert_sameInputTwice_givesTheSameFilesWithTheSameRecords() throws Exception {
    Path in = generate("2e4", "--keys", "40");
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");

    // a small budget: the largest keys are forced out many times, while encoders lag or not
    convert(first, in, "--max-buffer-bytes", "4MiB", "--buffer-size", "300");
    convert(second, in, "--max-buffer-bytes", "4MiB", "--buffer-size", "300", "--threads", "1");

    Map<String, List<String>> a = recordsByFile(first);
    Map<String, List<String>> b = recordsByFile(second);
    assertThat(a.size()).isGreaterThan(40);
    assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
    assertThat(b).isEqualTo(a);
  }

  @Test
  void convert_killedWhileFilesAreOpen_leavesOnlyCompleteParquetFiles() throws Exception {
    Path in = generate("8000");
    Path out = dir.resolve("out");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.json2parquet.cli.Main", "convert", "-o", out.toString(),
        "-q", "--key", "", "--partition", "", "--buffer-size", "5000", "--max-buffer-bytes", "4MiB", "-")
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      try (OutputStream stdin = child.getOutputStream()) {
        stdin.write(Files.readAllBytes(in));
        stdin.flush();
        // the first file is complete; the second holds row groups but is still open (stdin is)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
            DuckDb.parquetFiles(out).size() == 1 && inProgress(out).stream().anyMatch(p -> p.toFile().length() > 4));
        child.destroyForcibly();
        child.waitFor();
      }
    } finally {
      child.destroyForcibly();
    }

    List<Path> files = DuckDb.parquetFiles(out);
    assertThat(files).hasSize(1);
    try (DuckDb duck = new DuckDb()) {
      assertThat(duck.query("SELECT count(*) AS n FROM read_parquet('" + files.get(0) + "')").get(0).get("n"))
          .isEqualTo(5000L);
    }
    assertThat(inProgress(out)).isNotEmpty();
  }

  @Test
  void convert_manySmallFiles_endsWithOneHintLine() throws Exception {
    Path in = generate("3000", "--keys", "300");
    Path out = dir.resolve("out");

    Cli.Result many = convert(out, in);
    Cli.Result one = convert(dir.resolve("one"), in, SINGLE);

    int files = DuckDb.parquetFiles(out).size();
    assertThat(files).isGreaterThan(100);
    // one file per partition and key (no file was cut early): the hint names that many pairs, and no other cause
    assertThat(many.err().lines().filter(l -> l.startsWith("json2parquet: hint: "))).singleElement().asString()
        .contains("= " + files + " partition-key pairs, each with files of its own", "fewer key fields (--key)")
        .doesNotContain("--max-open-files", "--flush-interval");
    assertThat(one.err()).doesNotContain("hint:");
  }

  private static List<Path> inProgress(Path out) throws Exception {
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".inprogress")).toList();
    }
  }

  /** Each file (relative path, run id taken out) with its message ids in file order. */
  private static Map<String, List<String>> recordsByFile(Path out) throws Exception {
    Map<String, List<String>> byFile = new TreeMap<>();
    try (DuckDb duck = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(out)) {
        String name = out.relativize(f).toString().replaceAll("-\\d{8}T\\d{6}Z-[0-9a-f]{4}-", "-RUN-");
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> row : duck.query("SELECT message_id FROM read_parquet('" + f
            + "', file_row_number = true) ORDER BY file_row_number")) {
          ids.add((String) row.get("message_id"));
        }
        byFile.put(name, ids);
      }
    }
    return byFile;
  }

  private static List<BlockMetaData> rowGroups(Path file) throws Exception {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder().build())) {
      return reader.getRowGroups();
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
