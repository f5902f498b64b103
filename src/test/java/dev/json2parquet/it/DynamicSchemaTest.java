package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hand-written JSON Schema covering every mapping, with matching and mismatching records. */
class DynamicSchemaTest {
  @TempDir
  Path dir;

  static final String SCHEMA = """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "every mapping",
        "type": "object",
        "properties": {
          "id": {"type": "integer"},
          "name": {"type": "string", "description": "ignored annotation"},
          "score": {"type": ["number", "null"]},
          "active": {"type": "boolean"},
          "at": {"type": "string", "format": "date-time"},
          "day": {"type": ["string", "null"], "format": "date"},
          "user": {"type": "object", "properties": {"id": {"type": "integer"}, "lang": {"type": "string"}},
                   "required": ["id"]},
          "tags": {"type": "array", "items": {"type": "string"}},
          "points": {"type": "array", "items": {"type": "object",
                     "properties": {"x": {"type": "integer"}, "y": {"type": ["number", "null"]}}, "required": ["x"]}},
          "attrs": {"type": "object", "additionalProperties": {"type": ["integer", "null"]}}
        },
        "required": ["id", "name", "at", "user"]
      }
      """;

  static final List<String> GOOD = List.of(
      "{\"id\":1,\"name\":\"a\",\"score\":1.5,\"active\":true,\"at\":\"2024-11-24T03:04:05.123456+02:00\","
          + "\"day\":\"2024-02-29\",\"user\":{\"id\":9223372036854775807,\"lang\":\"ja\"},\"tags\":[\"x\",\"y\"],"
          + "\"points\":[{\"x\":1,\"y\":null},{\"x\":2,\"y\":2.5}],\"attrs\":{\"a\":1,\"b\":null}}",
      "{\"id\":-5,\"name\":{\"o\": [1]},\"at\":1732417445,\"user\":{\"id\":2},\"tags\":[],\"attrs\":{}}",
      "{\"id\":3,\"name\":7,\"at\":1732417445123,\"user\":{\"id\":3,\"nick\":\"n\"},\"score\":null,"
          + "\"extra\":{\"k\": [1, 2]},\"user2\":5}");

  static final Map<String, String> BAD = Map.of(
      "{\"id\":4,\"name\":\"d\",\"at\":\"2024-11-24T00:00:00Z\",\"user\":{\"id\":\"abc\"}}",
      "$.user.id: expected integer, got string \"abc\"",
      "{\"id\":18446744073709551616,\"name\":\"d\",\"at\":\"2024-11-24T00:00:00Z\",\"user\":{\"id\":1}}",
      "$.id: integer 18446744073709551616 is outside the 64-bit range",
      "{\"id\":5,\"name\":\"e\",\"at\":\"yesterday\",\"user\":{\"id\":1}}",
      "$.at: expected a timestamp, got string \"yesterday\"",
      "{\"id\":6,\"name\":\"f\",\"at\":\"2024-11-24T00:00:00Z\"}",
      "$.user: required field is missing or null",
      "{\"id\":7,\"name\":\"g\",\"at\":\"2024-11-24T00:00:00Z\",\"user\":{\"id\":1},\"points\":[{\"y\":1}]}",
      "$.points[0].x: required field is missing or null",
      "{\"id\":8,\"name\":\"h\",\"at\":\"2024-11-24T00:00:00Z\",\"user\":{\"id\":1},\"tags\":\"nope\"}",
      "$.tags: expected array, got string \"nope\"",
      "{\"id\":9,\"name\":\"i\",\"at\":\"2024-11-24T00:00:00Z\",\"user\":{\"id\":1},\"day\":\"2024-02-30\"}",
      "$.day: expected a date (yyyy-MM-dd), got string \"2024-02-30\"",
      "{\"id\":10,\"name\":\"j\",\"active\":\"yes\",\"at\":\"2024-11-24T00:00:00Z\",\"user\":{\"id\":1}}",
      "$.active: expected boolean, got string \"yes\"");

  Path input() throws Exception {
    Path in = dir.resolve("in.jsonl");
    StringBuilder sb = new StringBuilder();
    GOOD.forEach(l -> sb.append(l).append('\n'));
    BAD.keySet().stream().sorted().forEach(l -> sb.append(l).append('\n'));
    Files.writeString(in, sb);
    return in;
  }

  Path schema() throws Exception {
    Path s = dir.resolve("schema.json");
    Files.writeString(s, SCHEMA);
    return s;
  }

  @Test
  void convert_schemaFile_everyMappingReadsBackWithItsTypeAndValue() throws Exception {
    Path out = dir.resolve("out");

    Cli.Result r = Cli.run("convert", "--record-type", "dynamic", "--schema", schema().toString(), "-o",
        out.toString(), input().toString());

    assertThat(r.exit()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).contains((GOOD.size() + BAD.size()) + " records read, 3 written", BAD.size() + " dead-lettered");
    Path file = DuckDb.parquetFiles(out).get(0);
    try (DuckDb duck = new DuckDb()) {
      Map<String, Object> types = new HashMap<>();
      duck.query("DESCRIBE SELECT * FROM read_parquet('" + file + "')")
          .forEach(row -> types.put((String) row.get("column_name"), row.get("column_type")));
      assertThat(types).containsEntry("id", "BIGINT").containsEntry("name", "VARCHAR")
          .containsEntry("score", "DOUBLE").containsEntry("active", "BOOLEAN")
          .containsEntry("at", "TIMESTAMP WITH TIME ZONE").containsEntry("day", "DATE")
          .containsEntry("user", "STRUCT(id BIGINT, lang VARCHAR)").containsEntry("tags", "VARCHAR[]")
          .containsEntry("points", "STRUCT(x BIGINT, y DOUBLE)[]").containsEntry("attrs", "MAP(VARCHAR, BIGINT)")
          .containsEntry("_extra", "MAP(VARCHAR, VARCHAR)");
      List<Map<String, Object>> rows = duck.query("SELECT id, name, score, active, epoch_us(\"at\") AS \"at\", "
          + "\"day\"::VARCHAR AS \"day\", \"user\".id AS uid, \"user\".lang AS lang, to_json(tags)::VARCHAR AS tags, "
          + "to_json(points)::VARCHAR AS points, to_json(attrs)::VARCHAR AS attrs, to_json(_extra)::VARCHAR AS extra "
          + "FROM read_parquet('" + file + "') ORDER BY id");
      assertThat(rows).hasSize(3);
      Map<String, Object> b = rows.get(0);
      // a string field keeps any other JSON value as its text, exactly as written
      assertThat(b).containsEntry("id", -5L).containsEntry("name", "{\"o\": [1]}").containsEntry("uid", 2L)
          .containsEntry("at", 1732417445L * 1_000_000).containsEntry("tags", "[]").containsEntry("attrs", "{}");
      assertThat(b.get("points")).isNull();
      assertThat(b.get("extra")).isNull();
      Map<String, Object> a = rows.get(1);
      assertThat(a).containsEntry("id", 1L).containsEntry("score", 1.5).containsEntry("active", true)
          .containsEntry("day", "2024-02-29").containsEntry("uid", Long.MAX_VALUE).containsEntry("lang", "ja")
          .containsEntry("at", micros(Instant.parse("2024-11-24T01:04:05.123456Z")));
      assertThat(json(a.get("tags"))).isEqualTo(json("[\"x\",\"y\"]"));
      assertThat(json(a.get("points"))).isEqualTo(json("[{\"x\":1,\"y\":null},{\"x\":2,\"y\":2.5}]"));
      assertThat(json(a.get("attrs"))).isEqualTo(json("{\"a\":1,\"b\":null}"));
      Map<String, Object> c = rows.get(2);
      assertThat(c).containsEntry("name", "7").containsEntry("at", 1732417445123L * 1000);
      assertThat(c.get("score")).isNull();
      assertThat(json(c.get("extra")))
          .isEqualTo(json("{\"user.nick\":\"n\",\"extra\":\"{\\\"k\\\": [1, 2]}\",\"user2\":\"5\"}"));
    }
    Map<String, String> errors = new HashMap<>();
    for (JsonNode e : BadInputTest.dlqEntries(out.resolve("_dlq"))) {
      errors.put(e.get("raw").asText(), e.get("error").asText());
    }
    assertThat(errors).isEqualTo(BAD);
  }

  @Test
  void convert_unknownFieldsDropOrDlq_followsPolicy() throws Exception {
    Path drop = dir.resolve("drop");
    Cli.Result r1 = Cli.run("convert", "--record-type", "dynamic", "--schema", schema().toString(),
        "--unknown-fields", "drop", "-o", drop.toString(), input().toString());
    assertThat(r1.exit()).isEqualTo(3);
    assertThat(r1.err()).contains("3 written");
    try (DuckDb duck = new DuckDb()) {
      assertThat(duck.query("DESCRIBE SELECT * FROM read_parquet('" + DuckDb.parquetFiles(drop).get(0) + "')"))
          .extracting(row -> row.get("column_name")).doesNotContain("_extra").contains("attrs");
    }

    Path dlq = dir.resolve("dlq");
    Cli.Result r2 = Cli.run("convert", "--record-type", "dynamic", "--schema", schema().toString(),
        "--unknown-fields", "dlq", "-o", dlq.toString(), input().toString());
    assertThat(r2.exit()).isEqualTo(3);
    assertThat(r2.err()).contains("2 written", (BAD.size() + 1) + " dead-lettered");
    assertThat(BadInputTest.dlqEntries(dlq.resolve("_dlq"))).extracting(e -> e.get("error").asText())
        .contains("$.user.nick: field not in the schema");
  }

  @Test
  void convert_schemaOutsideSubset_exit2NamingThePath() throws Exception {
    Path s = dir.resolve("bad.json");
    Files.writeString(s, "{\"type\":\"object\",\"properties\":{\"a\":{\"oneOf\":[{\"type\":\"string\"}]}}}");

    Cli.Result r = Cli.run("convert", "--record-type", "dynamic", "--schema", s.toString(), "-o",
        dir.resolve("o").toString(), input().toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid schema", "$.properties.a", "oneOf");
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
  }

  static JsonNode json(Object text) throws Exception {
    return LogExpectation.JSON.readTree((String) text);
  }
}
