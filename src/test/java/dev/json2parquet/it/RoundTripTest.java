package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generate, convert, read every file back with DuckDB, compare every field of every record. */
class RoundTripTest {
  @TempDir
  Path dir;

  @Test
  void convert_generatedLogs_everyFieldOfEveryRecordReadsBackFromDuckDb() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Cli.Result gen = Cli.run("generate", "--count", "2e4", "--seed", "11", "--keys", "40", "-o", in.toString());
    assertThat(gen.exit()).isZero();
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--buffer-size", "3000", in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("20000 records read, 20000 written", "0 dead-lettered");
    Map<String, ObjectNode> expected = new HashMap<>();
    for (String line : Files.readAllLines(in, StandardCharsets.UTF_8)) {
      ObjectNode e = LogExpectation.expected(line);
      expected.put(e.get("message_id").asText(), e);
    }
    assertThat(expected).hasSize(20000);
    int rows = 0;
    try (DuckDb duck = new DuckDb()) {
      for (Path file : DuckDb.parquetFiles(out)) {
        String rel = out.relativize(file).toString();
        for (JsonNode row : duck.rows(file)) {
          rows++;
          ObjectNode want = expected.remove(row.get("message_id").asText());
          assertThat(want).as("row %s in %s", row.get("message_id"), rel).isNotNull();
          assertThat(LogExpectation.compact(row)).as("record %s", want.get("message_id")).isEqualTo(want);
          assertThat(rel).startsWith(partitionOf(want));
        }
      }
    }
    assertThat(rows).isEqualTo(20000);
    assertThat(expected).isEmpty();
  }

  @Test
  void convert_handWrittenEdgeCases_valuesExact() throws Exception {
    List<String> lines = List.of(
        "{\"timestamp\":\"2024-01-02T03:04:05+01:00\",\"lvl\":\"WARN\",\"msg\":\"alias\\nmulti-line\\ttab\","
            + "\"business_capability\":\"pay/ments\",\"message_id\":\"a\",\"count\":42,\"nested\":{\"a\": [1, 2]},"
            + "\"flag\":true,\"tags\":[],\"trace_ip\":null,\"args\":{\"n\":5,\"s\":\"x\",\"z\":null}}",
        "{\"time\":\"2024-01-02T03:59:59Z\",\"level\":\"INFO\",\"message\":\"日本語 😀 é\",\"message_id\":\"b\","
            + "\"audit\":false,\"auto_index\":true,\"tags\":[\"x\",null,\"\"],\"extra_fields\":{\"k\":\"v\"},"
            + "\"other\":\"o\",\"stack_trace\":\"at a\\n  at b\\r\\n\",\"business_capability\":\"\"}",
        "{\"message_id\":\"c\",\"log\":\"no time at all\",\"extra_fields\":{}}");
    Path in = dir.resolve("edge.jsonl");
    Files.write(in, lines, StandardCharsets.UTF_8);
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--compression", "zstd", in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    try (DuckDb duck = new DuckDb()) {
      Map<String, JsonNode> byId = new HashMap<>();
      for (Path f : DuckDb.parquetFiles(out)) {
        for (JsonNode row : duck.rows(f)) {
          byId.put(row.get("message_id").asText(), row);
        }
      }
      assertThat(byId).hasSize(3);
      for (String line : lines) {
        ObjectNode want = LogExpectation.expected(line);
        assertThat(LogExpectation.compact(byId.get(want.get("message_id").asText()))).isEqualTo(want);
      }
      JsonNode a = byId.get("a");
      assertThat(a.get("extra_fields").get("nested").asText()).isEqualTo("{\"a\": [1, 2]}");
      assertThat(a.get("extra_fields").get("count").asText()).isEqualTo("42");
      assertThat(a.get("args").get("n").asText()).isEqualTo("5");
      assertThat(a.get("tags").size()).isZero();
      assertThat(byId.get("b").get("message").asText()).isEqualTo("日本語 😀 é");
    }
    // event time in UTC: 03:04:05+01:00 is hour 02; an empty capability gets the visible placeholder
    assertThat(Files.exists(out.resolve("capability=pay%2Fments/year=2024/month=01/day=02/hour=02"))).isTrue();
    assertThat(Files.exists(out.resolve("capability=__HIVE_DEFAULT_PARTITION__/year=2024/month=01/day=02/hour=03")))
        .isTrue();
  }

  static String partitionOf(JsonNode row) {
    String cap = row.get("business_capability").asText();
    ZonedDateTime t = Instant.parse(row.get("time").asText()).atZone(ZoneOffset.UTC);
    return String.format("capability=%s/year=%04d/month=%02d/day=%02d/hour=%02d/", cap.isEmpty()
        ? "__HIVE_DEFAULT_PARTITION__" : cap, t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour());
  }
}
