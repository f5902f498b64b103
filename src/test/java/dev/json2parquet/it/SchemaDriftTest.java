package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An inferred schema meets records it has not seen: nothing is lost. */
class SchemaDriftTest {
  @TempDir
  Path dir;

  @Test
  void convert_stdinInferredFromSample_newFieldsKeptInExtraAndConflictsDeadLettered() throws Exception {
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      in.append("{\"n\":").append(i).append(",\"s\":\"v").append(i).append("\",\"o\":{\"a\":true}}\n");
    }
    in.append("{\"n\":5,\"s\":\"late\",\"o\":{\"a\":false,\"b\":[1]},\"new\":{\"x\":1}}\n"); // new fields
    in.append("{\"n\":\"six\",\"s\":\"conflict\"}\n"); // n was an integer in the sample
    in.append("{\"n\":7,\"s\":8,\"o\":{\"a\":true}}\n"); // a number for a string: kept as its text
    in.append("{\"n\":9,\"s\":\"x\"}\n"); // o was in every sampled record, yet inferred fields are optional
    Path out = dir.resolve("out");

    Cli.Result r = Cli.run(in.toString().getBytes(StandardCharsets.UTF_8), Map.of(), "convert", "--record-type",
        "dynamic", "--sample", "5", "-o", out.toString());

    assertThat(r.exit()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).contains("inferred one from the first 5 records of stdin", "9 records read, 8 written",
        "1 dead-lettered");
    JsonNode schema = LogExpectation.JSON.readTree(out.resolve("_schema.json").toFile());
    assertThat(schema.get("properties").get("n").get("type").toString()).isEqualTo("[\"integer\",\"null\"]");
    try (DuckDb duck = new DuckDb()) {
      List<Map<String, Object>> rows = duck.query("SELECT n, s, o.a AS a, to_json(_extra)::VARCHAR AS extra FROM "
          + "read_parquet('" + DuckDb.parquetFiles(out).get(0) + "') ORDER BY n");
      assertThat(rows).hasSize(8);
      assertThat(rows.get(5)).containsEntry("n", 5L).containsEntry("s", "late").containsEntry("a", false);
      assertThat(LogExpectation.JSON.readTree((String) rows.get(5).get("extra")))
          .isEqualTo(LogExpectation.JSON.readTree("{\"o.b\":\"[1]\",\"new\":\"{\\\"x\\\":1}\"}"));
      assertThat(rows.get(6)).containsEntry("n", 7L).containsEntry("s", "8");
      assertThat(rows.get(7)).containsEntry("n", 9L).containsEntry("s", "x").containsEntry("a", null);
    }
    List<JsonNode> dead = BadInputTest.dlqEntries(out.resolve("_dlq"));
    assertThat(dead.get(0).get("error").asText()).isEqualTo("$.n: expected integer, got string \"six\"");
    assertThat(dead.get(0).get("line").asLong()).isEqualTo(7);
    assertThat(dead.get(0).get("source").asText()).isEqualTo("stdin");
    assertThat(dead).hasSize(1);
  }
}
