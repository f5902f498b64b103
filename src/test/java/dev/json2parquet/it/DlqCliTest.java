package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code json2parquet dlq} over a DLQ that {@code convert} itself wrote: invalid UTF-8 lines
 * ({@code raw_base64}), a truncated line ({@code --max-line-bytes}), errors of one kind with
 * different values, two sources.
 */
class DlqCliTest {
  @TempDir
  Path dir;

  static final String GOOD = "{\"time\":\"2024-11-24T00:00:00Z\",\"level\":\"INFO\",\"message\":\"ok\","
      + "\"business_capability\":\"c\",\"message_id\":\"m%d\"}";
  static final byte[] INVALID_UTF8 = "{\"message\":\"bad \u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
  static final String LONG = "{\"message\":\"" + "x".repeat(100_000) + "\"}";

  Path out;
  Path a;
  Path b;

  /** a.jsonl: good, audit "x", invalid UTF-8, long line, good; b.jsonl: audit "y", not JSON. */
  void convertWithBadLines() throws Exception {
    a = dir.resolve("a.jsonl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write((String.format(GOOD, 1) + "\n{\"audit\":\"x\"}\n").getBytes(StandardCharsets.UTF_8));
    bytes.write(INVALID_UTF8);
    bytes.write(("\n" + LONG + "\n" + String.format(GOOD, 2) + "\n").getBytes(StandardCharsets.UTF_8));
    Files.write(a, bytes.toByteArray());
    b = dir.resolve("b.jsonl");
    Files.writeString(b, "{\"audit\":\"y\"}\nnot json\n");
    out = dir.resolve("out");
    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--max-line-bytes", "2048", a.toString(), b.toString());
    assertThat(run.exit()).as(run.err()).isEqualTo(3);
    assertThat(run.err()).contains("7 records read, 2 written", "5 dead-lettered");
  }

  Cli.Result dlq(String... args) {
    List<String> all = new ArrayList<>(List.of("dlq"));
    all.addAll(List.of(args));
    all.addAll(List.of("-o", out.toString()));
    return Cli.run(all.toArray(String[]::new));
  }

  @Test
  void count_groupsErrorKindsWithValuesFoldedAndSources() throws Exception {
    convertWithBadLines();

    Cli.Result count = dlq("count");

    assertThat(count.exit()).as(count.err()).isZero();
    assertThat(count.out()).startsWith("5 dead letters in " + out.resolve("_dlq") + " (1 truncated)\n");
    assertThat(count.out()).contains("        2  $.audit: expected boolean, got string \"…\"\n",
        "        1  line of N bytes is longer than max_line_bytes (N); raw holds its first N bytes\n",
        "        3  " + a + "\n", "        2  " + b + "\n");
    assertThat(count.out().lines().filter(l -> l.startsWith("        1  invalid")).count()).isEqualTo(2);
  }

  @Test
  void list_oneLinePerEnvelopeWithSourceLineErrorAndMarkedPreview() throws Exception {
    convertWithBadLines();

    Cli.Result list = dlq("list", "--width", "400");

    assertThat(list.exit()).as(list.err()).isZero();
    List<String> lines = list.out().lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).isEqualTo(a + ":2  $.audit: expected boolean, got string \"x\"  {\"audit\":\"x\"}");
    assertThat(lines.get(1)).startsWith(a + ":3  invalid UTF-8").endsWith("[base64] {\"message\":\"bad \\xff\"}");
    assertThat(lines.get(2)).startsWith(a + ":4  line of 100014 bytes")
        .contains("[truncated: 65536 of 100014 bytes] {\"message\":\"xxx").endsWith("x…").hasSize(400);
    assertThat(dlq("list", "--width", "10").out().lines().toList().get(2))
        .endsWith("  [truncated: 65536 of 100014 bytes] {\"me…");
    assertThat(lines.get(3)).startsWith(b + ":1  $.audit");
    assertThat(lines.get(4)).startsWith(b + ":2  invalid JSON");
  }

  @Test
  void filters_sourceGlobErrorSubstringAndSince() throws Exception {
    convertWithBadLines();

    assertThat(dlq("list", "--error", "$.audit").out().lines()).hasSize(2);
    assertThat(dlq("list", "--source", b.toString()).out().lines()).hasSize(2)
        .allMatch(l -> l.startsWith(b + ":"));
    assertThat(dlq("list", "--source", "*/a.json?").out().lines()).hasSize(3)
        .allMatch(l -> l.startsWith(a + ":"));
    assertThat(dlq("list", "--source", "a.jsonl").out()).isEmpty(); // exact, not a suffix
    assertThat(dlq("list", "--source", "*.jsonl", "--error", "UTF-8").out().lines()).hasSize(1);
    assertThat(dlq("count", "--since", "2000-01-01").out()).startsWith("5 dead letters");
    assertThat(dlq("count", "--since", "2999-01-01T00:00:00Z").out()).startsWith("0 dead letters");
    Cli.Result bad = dlq("count", "--since", "yesterday");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("Invalid --since = \"yesterday\"");
  }

  @Test
  void export_envelopesAsStoredAndRawLinesByteForByte() throws Exception {
    convertWithBadLines();
    byte[] stored = dlqBytes();

    Cli.Result envelopes = dlq("export");
    Path rawFile = dir.resolve("raw.jsonl");
    Cli.Result raw = dlq("export", "--raw", "--to", rawFile.toString());

    assertThat(envelopes.exit()).isZero();
    assertThat(envelopes.outBytes()).isEqualTo(stored);
    assertThat(raw.exit()).as(raw.err()).isZero();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write("{\"audit\":\"x\"}\n".getBytes(StandardCharsets.UTF_8));
    expected.write(INVALID_UTF8);
    expected.write("\n{\"audit\":\"y\"}\nnot json\n".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.readAllBytes(rawFile)).isEqualTo(expected.toByteArray());
    assertThat(raw.err()).contains("exported 4 lines to " + rawFile, "left out 1 truncated lines");
    Cli.Result filtered = dlq("export", "--raw", "--error", "UTF-8");
    assertThat(filtered.outBytes()).isEqualTo((new String(INVALID_UTF8, StandardCharsets.ISO_8859_1) + "\n")
        .getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void purge_withoutYesOnlySaysWhatItWouldRemove_withYesRemovesMatching() throws Exception {
    convertWithBadLines();
    byte[] before = dlqBytes();

    Cli.Result dry = dlq("purge", "--error", "$.audit");
    assertThat(dry.exit()).isEqualTo(2);
    assertThat(dry.err()).contains("would remove 2 dead letters matching the filters", "--yes");
    assertThat(dlqBytes()).isEqualTo(before);

    Cli.Result some = dlq("purge", "--error", "$.audit", "--yes");
    assertThat(some.exit()).as(some.err()).isZero();
    assertThat(some.err()).contains("removed 2 dead letters");
    List<JsonNode> left = BadInputTest.dlqEntries(out.resolve("_dlq"));
    assertThat(left).extracting(e -> e.get("line").asLong()).containsExactly(3L, 4L, 2L);
    assertThat(Base64.getDecoder().decode(left.get(0).get("raw_base64").asText())).isEqualTo(INVALID_UTF8);
    assertThat(noTemporaryFiles()).isTrue();

    Cli.Result all = dlq("purge", "--yes");
    assertThat(all.err()).contains("removed 3 dead letters from");
    assertThat(dlq("count").out()).startsWith("0 dead letters");
  }

  static final String SCHEMA_V1 = """
      {"type": "object", "properties": {"id": {"type": "integer"}, "n": {"type": "integer"}}, "required": ["id"]}
      """;
  static final String SCHEMA_V2 = """
      {"type": "object", "properties": {"id": {"type": "integer"}, "n": {"type": "string"}}, "required": ["id"]}
      """;

  @Test
  void replay_afterSchemaFix_movesExactlyTheFixedLinesAndKeepsTheRestWithNewErrors() throws Exception {
    Path in = dir.resolve("in.jsonl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(("{\"id\":1,\"n\":1}\n{\"id\":2,\"n\":\"two\"}\n{\"id\":3,\"n\":true}\n{\"n\":\"ten\"}\n")
        .getBytes(StandardCharsets.UTF_8));
    bytes.write("{\"id\":5,\"n\":\"\u00ff\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    bytes.write(("{\"id\":6,\"n\":\"" + "x".repeat(70_000) + "\"}\n{\"id\":7,\"n\":7}\n{\"id\":8,\"n\":\"eight\"}\n")
        .getBytes(StandardCharsets.UTF_8));
    Files.write(in, bytes.toByteArray());
    Path v1 = dir.resolve("v1.json");
    Files.writeString(v1, SCHEMA_V1);
    Path v2 = dir.resolve("v2.json");
    Files.writeString(v2, SCHEMA_V2);
    out = dir.resolve("out");
    Cli.Result convert = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--schema", v1.toString(),
        "--max-line-bytes", "4096", in.toString());
    assertThat(convert.err()).contains("8 records read, 2 written", "6 dead-lettered");
    assertThat(DuckDb.parquetFiles(out)).hasSize(1);
    Path first = DuckDb.parquetFiles(out).get(0);

    Cli.Result replay = dlq("replay", "--record-type", "dynamic", "--schema", v2.toString());

    assertThat(replay.exit()).as(replay.err()).isEqualTo(3);
    assertThat(replay.err()).contains("5 records read, 3 written", "2 dead-lettered",
        "replayed 5 dead letters from " + out.resolve("_dlq") + ": 3 written, 2 dead-lettered again",
        "left 1 dead letters in the DLQ that cannot be replayed:", in + ":6: only the first 65536 of its 70015 bytes");
    List<Path> files = DuckDb.parquetFiles(out);
    assertThat(files).hasSize(2).contains(first);
    Path replayed = files.get(0).equals(first) ? files.get(1) : files.get(0);
    try (DuckDb duck = new DuckDb()) {
      assertThat(duck.query("SELECT id, n FROM read_parquet('" + replayed + "') ORDER BY id"))
          .containsExactly(Map.of("id", 2L, "n", "two"), Map.of("id", 3L, "n", "true"), Map.of("id", 8L, "n", "eight"));
      assertThat(duck.query("SELECT id, n FROM read_parquet('" + first + "') ORDER BY id"))
          .containsExactly(Map.of("id", 1L, "n", 1L), Map.of("id", 7L, "n", 7L));
    }
    List<JsonNode> left = BadInputTest.dlqEntries(out.resolve("_dlq"));
    assertThat(left).hasSize(3);
    Map<Long, JsonNode> byLine = new java.util.HashMap<>();
    left.forEach(e -> byLine.put(e.get("line").asLong(), e));
    assertThat(byLine.keySet()).containsExactlyInAnyOrder(4L, 5L, 6L);
    assertThat(left).allMatch(e -> e.get("source").asText().equals(in.toString()));
    assertThat(byLine.get(4L).get("error").asText()).isEqualTo("$.id: required field is missing or null");
    assertThat(byLine.get(4L).get("raw").asText()).isEqualTo("{\"n\":\"ten\"}");
    assertThat(byLine.get(5L).get("error").asText()).contains("invalid UTF-8");
    assertThat(Base64.getDecoder().decode(byLine.get(5L).get("raw_base64").asText()))
        .isEqualTo("{\"id\":5,\"n\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(byLine.get(6L).get("raw_truncated").asBoolean()).isTrue();
    assertThat(Files.list(out.resolve("_dlq")).filter(p -> p.getFileName().toString().startsWith(".replay-")))
        .isEmpty();

    // again: nothing more is fixed, nothing is written twice
    Cli.Result again = dlq("replay", "--record-type", "dynamic", "--schema", v2.toString());
    assertThat(again.exit()).isEqualTo(3);
    assertThat(again.err()).contains("replayed 2 dead letters", "0 written, 2 dead-lettered again");
    assertThat(DuckDb.parquetFiles(out)).hasSize(2);
    assertThat(BadInputTest.dlqEntries(out.resolve("_dlq"))).hasSize(3);
    assertThat(noTemporaryFiles()).isTrue();
  }

  @Test
  void replay_ofDynamicRecordsWithoutSchema_isAUsageError() throws Exception {
    convertWithBadLines();
    byte[] before = dlqBytes();

    Cli.Result r = dlq("replay", "--record-type", "dynamic");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Cannot replay dynamic records without a schema");
    assertThat(dlqBytes()).isEqualTo(before);
  }

  @Test
  void replay_whenEverythingIsFixed_exitsZeroAndEmptiesTheMatchingDeadLetters() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"id\":1,\"n\":\"one\"}\n{\"id\":2,\"n\":2}\n");
    Path v1 = dir.resolve("v1.json");
    Files.writeString(v1, SCHEMA_V1);
    Path v2 = dir.resolve("v2.json");
    Files.writeString(v2, SCHEMA_V2);
    out = dir.resolve("out");
    assertThat(Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--schema", v1.toString(),
        in.toString()).exit()).isEqualTo(3);

    Cli.Result replay = dlq("replay", "--record-type", "dynamic", "--schema", v2.toString(), "--source", "*in.jsonl");

    assertThat(replay.exit()).as(replay.err()).isZero();
    assertThat(replay.err()).contains("replayed 1 dead letters", "1 written, 0 dead-lettered again");
    assertThat(dlq("count").out()).startsWith("0 dead letters");
    long rows = 0;
    try (DuckDb duck = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(out)) {
        rows += duck.rows(f).size();
      }
    }
    assertThat(rows).isEqualTo(2);
  }

  private byte[] dlqBytes() throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> s = Files.list(out.resolve("_dlq"))) {
      for (Path f : s.filter(p -> p.getFileName().toString().startsWith("dlq-")).sorted().toList()) {
        all.write(Files.readAllBytes(f));
      }
    }
    return all.toByteArray();
  }

  private boolean noTemporaryFiles() throws Exception {
    Set<String> names = new HashSet<>();
    try (Stream<Path> s = Files.list(out.resolve("_dlq"))) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    return names.stream().noneMatch(n -> n.endsWith(".tmp") || n.startsWith(".replay-"));
  }

  @Test
  void verbsAndRecover_onAMistypedPath_sayItDoesNotExist_exit2() {
    String missing = dir.resolve("no-such-dir").toString();

    Cli.Result count = Cli.run("dlq", "count", "--dlq", missing + "/_dlq", "-o", missing);
    Cli.Result recover = Cli.run("recover", "-o", missing);

    assertThat(count.exit()).isEqualTo(2);
    assertThat(count.err()).contains("Cannot read the dead-letter directory " + missing + "/_dlq: no such directory");
    assertThat(recover.exit()).isEqualTo(2);
    assertThat(recover.err()).contains("Cannot read the recovery store " + missing + "/_recovery: no such directory");
  }
}
