package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad line goes to the DLQ with a clear reason; the run goes on; counts reconcile. */
class BadInputTest {
  @TempDir
  Path dir;

  static final String GOOD = "{\"time\":\"2024-11-24T00:00:00Z\",\"level\":\"INFO\",\"message\":\"ok %d\","
      + "\"business_capability\":\"c\",\"message_id\":\"m%d\"}";

  record Bad(String line, String error) {}

  @Test
  void convert_eachBadKind_deadLetteredWithReasonAndRunContinues() throws Exception {
    String deep = "{\"args\":" + "{\"a\":".repeat(80) + "1" + "}".repeat(80) + "}";
    List<Bad> bad = List.of(
        new Bad("{\"time\":\"2024-11-24T00:00:00Z\",\"message\":\"trunc", "invalid JSON"),
        new Bad("[1,2,3]", "expected a JSON object, got array"),
        new Bad("\"just a string\"", "expected a JSON object, got string"),
        new Bad("null", "expected a JSON object, got null"),
        new Bad("{\"message\":\"x\"} trailing", "invalid JSON"),
        new Bad("{\"message\":\"x\"}{\"message\":\"y\"}", "trailing data after the JSON object"),
        new Bad("{\"audit\":\"maybe\"}", "$.audit: expected boolean, got string \"maybe\""),
        new Bad("{\"args\":[\"x\"]}", "$.args: expected object, got array"),
        new Bad("{\"auto_index\":12}", "$.auto_index: expected boolean, got number 12"),
        new Bad("{\"tags\":[\"a\",\"\\ud800\"]}", "$.tags[1]: unpaired surrogate escape \\uD800 in a string"),
        new Bad("{\"x\":NaN}", "invalid JSON at column 6: NaN is not a JSON number"),
        new Bad("{\"x\":1} // done", "invalid JSON at column 9: comments are not allowed in JSON"),
        new Bad(deep, "nesting deeper than 64 levels"),
        new Bad("not json at all", "invalid JSON"));
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    List<Long> badLines = new ArrayList<>();
    long lineNo = 0;
    int good = 0;
    for (Bad b : bad) {
      in.write(String.format(GOOD, good, good).getBytes(StandardCharsets.UTF_8));
      in.write('\n');
      good++;
      lineNo++;
      in.write(b.line().getBytes(StandardCharsets.UTF_8));
      in.write('\n');
      badLines.add(++lineNo);
    }
    byte[] invalidUtf8 = "{\"message\":\"bad \u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
    in.write(invalidUtf8);
    in.write('\n');
    badLines.add(++lineNo);
    Path file = dir.resolve("mixed.jsonl");
    Files.write(file, in.toByteArray());
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), file.toString());

    assertThat(run.exit()).as(run.err()).isEqualTo(3);
    int badCount = bad.size() + 1;
    assertThat(run.err()).contains((good + badCount) + " records read, " + good + " written",
        badCount + " dead-lettered");
    List<JsonNode> dlq = dlqEntries(out.resolve("_dlq"));
    assertThat(dlq).hasSize(badCount);
    for (int i = 0; i < bad.size(); i++) {
      JsonNode e = dlq.get(i);
      assertThat(e.get("error").asText()).as(bad.get(i).line()).contains(bad.get(i).error());
      assertThat(e.get("raw").asText()).isEqualTo(bad.get(i).line());
      assertThat(e.get("source").asText()).isEqualTo(file.toString());
      assertThat(e.get("line").asLong()).isEqualTo(badLines.get(i));
      assertThat(e.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }
    JsonNode utf = dlq.get(bad.size());
    assertThat(utf.get("error").asText()).containsIgnoringCase("UTF-8");
    assertThat(utf.has("raw")).isFalse();
    assertThat(Base64.getDecoder().decode(utf.get("raw_base64").asText())).isEqualTo(invalidUtf8);
    try (DuckDb duck = new DuckDb()) {
      long written = 0;
      for (Path f : DuckDb.parquetFiles(out)) {
        written += duck.rows(f).size();
      }
      assertThat(written).isEqualTo(good);
    }
  }

  @Test
  void convert_lineOverMaxLineBytes_deadLetteredAndFollowingLinesKept() throws Exception {
    String longLine = "{\"message\":\"" + "x".repeat(100_000) + "\"}";
    Path file = dir.resolve("long.jsonl");
    Files.writeString(file, String.format(GOOD, 1, 1) + "\n" + longLine + "\n" + String.format(GOOD, 2, 2) + "\n");
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--max-line-bytes", "2048", file.toString());

    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).contains("3 records read, 2 written", "1 dead-lettered");
    JsonNode e = dlqEntries(out.resolve("_dlq")).get(0);
    assertThat(e.get("error").asText()).contains("longer than max_line_bytes (2048)");
    assertThat(e.get("line").asLong()).isEqualTo(2);
    assertThat(e.get("raw_bytes").asLong()).isEqualTo(longLine.length());
    assertThat(e.get("raw_truncated").asBoolean()).isTrue();
    assertThat(e.get("raw").asText()).isEqualTo(longLine.substring(0, 64 * 1024));
  }

  @Test
  void convert_lineOverMaxLineBytes_prefixCutAtACharacterBoundary_keptAsText() throws Exception {
    // 13 ASCII bytes, then 2-byte characters: the 64 KiB mark falls inside one of them
    String longLine = "{\"message\":\"x" + "\u00e9".repeat(50_000) + "\"}";
    Path file = dir.resolve("long.jsonl");
    Files.writeString(file, longLine + "\n", StandardCharsets.UTF_8);
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--max-line-bytes", "2048", file.toString());

    assertThat(run.exit()).isEqualTo(3);
    JsonNode e = dlqEntries(out.resolve("_dlq")).get(0);
    assertThat(e.has("raw_base64")).isFalse();
    assertThat(e.get("raw").asText()).isEqualTo(longLine.substring(0, 13 + (64 * 1024 - 13) / 2));
    assertThat(e.get("raw_bytes").asLong()).isEqualTo(longLine.getBytes(StandardCharsets.UTF_8).length);
    assertThat(e.get("error").asText()).contains("raw holds its first " + (64 * 1024 - 1) + " bytes");
  }

  @Test
  void convert_bomCrlfAndBlankLines_acceptedAndNotCounted() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    String body = String.format(GOOD, 1, 1) + "\r\n\r\n   \t \n" + String.format(GOOD, 2, 2) + "\r\n\n";
    Path file = dir.resolve("crlf.jsonl");
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(bom);
    b.write(body.getBytes(StandardCharsets.UTF_8));
    Files.write(file, b.toByteArray());
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), file.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("2 records read, 2 written", "0 dead-lettered");
    assertThat(Files.exists(out.resolve("_dlq"))).isFalse();
  }

  @Test
  void convert_generatedBadRatio_countsReconcile() throws Exception {
    Path file = dir.resolve("gen.jsonl");
    assertThat(Cli.run("generate", "--count", "5000", "--seed", "3", "--bad-ratio", "0.05", "-o", file.toString())
        .exit()).isZero();
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), file.toString());

    assertThat(run.exit()).isEqualTo(3);
    long dlq = dlqEntries(out.resolve("_dlq")).size();
    long written = 0;
    try (DuckDb duck = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(out)) {
        written += duck.rows(f).size();
      }
    }
    assertThat(written + dlq).isEqualTo(5000);
    assertThat(dlq).isBetween(150L, 350L);
    assertThat(run.err()).contains("5000 records read, " + written + " written", dlq + " dead-lettered");
  }

  static List<JsonNode> dlqEntries(Path dlqDir) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dlqDir)) {
      for (Path f : s.sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          out.add(LogExpectation.JSON.readTree(line));
        }
      }
    }
    return out;
  }
}
