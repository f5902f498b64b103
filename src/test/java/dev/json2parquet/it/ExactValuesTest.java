package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's inputs, each converted by the CLI and read back with DuckDB: every value written
 * exactly, or its line dead-lettered with a reason that names the field; counts reconcile.
 */
class ExactValuesTest {
  @TempDir
  Path dir;

  static final String SCHEMA = """
      {"type": "object", "properties": {
        "n": {"type": "integer"},
        "s": {"type": "string"},
        "k": {"type": "string"},
        "x": {"type": "number"},
        "ts": {"type": "string", "format": "date-time"},
        "l": {"type": "array", "items": {"type": "string"}},
        "m": {"type": "object", "additionalProperties": {"type": "string"}}},
       "required": ["n"]}
      """;

  /** A line and what becomes of it: the reason it is dead-lettered, or null when it is written. */
  record Case(String line, String reason) {}

  private static Case written(String line) {
    return new Case(line, null);
  }

  private static Case rejected(String line, String reason) {
    return new Case(line, reason);
  }

  private static final String SURROGATE = " (not a Unicode character; RFC 8259 section 8.2)";

  @Test
  void convert_dynamic_eachIssueInputWrittenExactlyOrDeadLettered() throws Exception {
    List<Case> cases = List.of(
        rejected("{\"n\":1,\"s\":\"\\ud800\"}", "$.s: unpaired surrogate escape \\uD800 in a string" + SURROGATE),
        rejected("{\"n\":2,\"m\":{\"a\\udc00\":\"v\"}}", "$.m.a\\uDC00: unpaired surrogate escape \\uDC00 in a map key" + SURROGATE),
        rejected("{\"n\":3,\"m\":{\"a\":\"\\udc00\\ud800\"}}", "$.m.a: unpaired surrogate escape \\uDC00 in a string" + SURROGATE),
        rejected("{\"n\":4,\"l\":[\"ok\",\"x\\ud83d\"]}", "$.l[1]: unpaired surrogate escape \\uD83D in a string" + SURROGATE),
        rejected("{\"n\":5,\"e\\ud800\":1}", "$.e\\uD800: unpaired surrogate escape \\uD800 in a field name" + SURROGATE),
        rejected("{\"n\":6,\"e\":\"\\ud800\"}", "$.e: unpaired surrogate escape \\uD800 in a string" + SURROGATE),
        rejected("{\"n\":7,\"k\":\"\\ud800\"}", "$.k: unpaired surrogate escape \\uD800 in a string" + SURROGATE),
        written("{\"n\":8,\"ts\":1772368496000000}"),
        written("{\"n\":9,\"ts\":99999999999999}"),
        written("{\"n\":10,\"ts\":1772368496}"),
        written("{\"n\":11,\"ts\":1772368496000}"),
        written("{\"n\":12,\"ts\":1772368496123456789}"),
        written("{\"n\":13,\"ts\":1772368496.5}"),
        rejected("{\"n\":14,\"ts\":100000000000000000000}", "$.ts: expected a timestamp, got number 100000000000000000000"),
        rejected("{\"n\":15,\"ts\":-99999999999}", "$.ts: expected a timestamp, got number -99999999999"),
        rejected("{\"n\":16,\"ts\":\"0000-12-31T00:00:00Z\"}", "$.ts: expected a timestamp, got string \"0000-12-31T00:00:00Z\""),
        rejected("{\"n\":17,\"x\":1e400}", "$.x: number 1e400 is outside the range of a 64-bit double"),
        rejected("{\"n\":18,\"x\":-1e400}", "$.x: number -1e400 is outside the range of a 64-bit double"),
        rejected("{\"n\":19,\"x\":1e-400}", "$.x: number 1e-400 is too small for a 64-bit double (it would be 0)"),
        written("{\"n\":20,\"x\":-0}"),
        written("{\"n\":21,\"x\":-0.0,\"s\":\"\\ud83d\\ude00\\u0000\",\"k\":\"\\ud83d\\ude00\"}"),
        written("{\"n\":22.0}"),
        written("{\"n\":2.3e1}"),
        rejected("{\"n\":3.5}", "$.n: expected integer, got number 3.5"),
        rejected("{\"n\":1e400}", "$.n: integer 1e400 is outside the 64-bit range"),
        rejected("{\"n\":25,\"x\":NaN}", "invalid JSON at column 13: NaN is not a JSON number"),
        rejected("{\"n\":26 /* c */}", "invalid JSON at column 9: comments are not allowed in JSON"));
    Path schema = dir.resolve("schema.json");
    Files.writeString(schema, SCHEMA);
    Path out = dir.resolve("out");

    Cli.Result run = convert(cases, out, "--record-type", "dynamic", "--schema", schema.toString(),
        "--partition", "k={k}", "--key", "");

    assertDeadLettered(run, cases, out);
    try (DuckDb db = new DuckDb()) {
      Map<Long, Map<String, Object>> rows = new LinkedHashMap<>();
      for (Map<String, Object> r : db.query("SELECT n, s, k, x::VARCHAR AS x, epoch_us(ts) AS us, l, m FROM read_parquet('"
          + out + "/**/*.parquet', hive_partitioning = false) ORDER BY n")) {
        rows.put(((Number) r.get("n")).longValue(), r);
      }
      assertThat(rows.keySet()).containsExactly(8L, 9L, 10L, 11L, 12L, 13L, 20L, 21L, 22L, 23L);
      assertThat(rows.get(8L).get("us")).isEqualTo(1_772_368_496_000_000L);
      assertThat(rows.get(9L).get("us")).isEqualTo(99_999_999_999_999_000L);
      assertThat(rows.get(10L).get("us")).isEqualTo(1_772_368_496_000_000L);
      assertThat(rows.get(11L).get("us")).isEqualTo(1_772_368_496_000_000L);
      assertThat(rows.get(12L).get("us")).isEqualTo(1_772_368_496_123_456L);
      assertThat(rows.get(13L).get("us")).isEqualTo(1_772_368_496_500_000L);
      assertThat(rows.get(20L).get("x")).isEqualTo("-0.0");
      assertThat(rows.get(21L).get("x")).isEqualTo("-0.0");
      assertThat(rows.get(21L).get("s")).isEqualTo("\ud83d\ude00\u0000");
      assertThat(rows.get(21L).get("k")).isEqualTo("\ud83d\ude00");
    }
  }

  @Test
  void convert_log_numbersInStringColumnsKeptAsWritten_numericTimePlacesTheRecord() throws Exception {
    String base = "\"level\":\"INFO\",\"business_capability\":\"c\",\"message_id\":";
    List<Case> cases = List.of(
        written("{\"time\":1772368496000," + base + "\"1\",\"message\":\"m\",\"http_response\":200,\"duration\":2.50,"
            + "\"tags\":[1,true],\"audit\":true}"),
        written("{\"time\":1772368496000000," + base + "\"2\",\"message\":\"m\"}"),
        written("{\"time\":1.7e9," + base + "\"3\",\"message\":\"m\"}"),
        rejected("{\"time\":\"2026-03-01T00:00:00Z\"," + base + "\"4\",\"message\":\"x\\ud83d\"}",
            "$.message: unpaired surrogate escape \\uD83D in a string" + SURROGATE),
        rejected("{\"time\":\"2026-03-01T00:00:00Z\"," + base + "\"5\",\"extra_fields\":{\"k\":\"\\udfff\"}}",
            "$.extra_fields.k: unpaired surrogate escape \\uDFFF in a string" + SURROGATE),
        rejected("{\"time\":\"2026-03-01T00:00:00Z\"," + base + "\"6\",\"business_domain\":\"\\ud800\"}",
            "$.business_domain: unpaired surrogate escape \\uD800 in a string" + SURROGATE),
        rejected("{\"time\":Infinity}", "invalid JSON at column 9: Infinity is not a JSON number"));
    Path out = dir.resolve("out");

    Cli.Result run = convert(cases, out);

    assertDeadLettered(run, cases, out);
    try (DuckDb db = new DuckDb()) {
      List<Map<String, Object>> rows = db.query("SELECT message_id, time, http_response, duration, tags::VARCHAR AS tags,"
          + " year, month, day, hour FROM read_parquet('" + out + "/**/*.parquet', hive_partitioning = true) ORDER BY message_id");
      assertThat(rows).hasSize(3);
      assertThat(rows.get(0)).containsEntry("time", "1772368496000").containsEntry("http_response", "200")
          .containsEntry("duration", "2.50").containsEntry("tags", "[1, true]");
      for (Map<String, Object> r : rows.subList(0, 2)) {
        assertThat(List.of(r.get("year"), r.get("month"), r.get("day"), r.get("hour")).toString())
            .isEqualTo("[2026, 03, 01, 12]");
      }
      assertThat(rows.get(1)).containsEntry("time", "1772368496000000");
      assertThat(rows.get(2)).containsEntry("time", "1.7e9");
      assertThat(List.of(rows.get(2).get("year"), rows.get(2).get("month"), rows.get(2).get("hour")).toString())
          .isEqualTo("[2023, 11, 22]");
    }
  }

  private Cli.Result convert(List<Case> cases, Path out, String... options) throws Exception {
    StringBuilder in = new StringBuilder();
    for (Case c : cases) {
      in.append(c.line()).append('\n');
    }
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, in, StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>(List.of("convert", "-o", out.toString()));
    args.addAll(List.of(options));
    args.add(file.toString());
    return Cli.run(args.toArray(String[]::new));
  }

  /** The rejected cases, and only they, are in the DLQ in order with their reason and line; counts reconcile. */
  private static void assertDeadLettered(Cli.Result run, List<Case> cases, Path out) throws Exception {
    List<Case> rejected = cases.stream().filter(c -> c.reason() != null).toList();
    long written = cases.size() - rejected.size();
    assertThat(run.exit()).as(run.err()).isEqualTo(rejected.isEmpty() ? 0 : 3);
    assertThat(run.err()).contains(cases.size() + " records read, " + written + " written",
        rejected.size() + " dead-lettered");
    List<JsonNode> dlq = BadInputTest.dlqEntries(out.resolve("_dlq"));
    assertThat(dlq).extracting(e -> e.get("error").asText()).containsExactlyElementsOf(
        rejected.stream().map(Case::reason).toList());
    assertThat(dlq).extracting(e -> e.get("raw").asText()).containsExactlyElementsOf(
        rejected.stream().map(Case::line).toList());
    assertThat(run.err()).doesNotContain("\ufffd");
  }
}
