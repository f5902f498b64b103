package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --schema} with an Avro schema: converted by parquet-avro, values read back by DuckDB. */
class AvroSchemaTest {
  @TempDir
  Path dir;

  private static final String LINES = """
      {"id": 1, "qty": 2, "price": 9.5, "paid": true, "status": "PAID", "note": "gift", "created": "2024-05-06T07:08:09.123Z", "updated": "2024-05-06T07:08:09.123456Z", "day": "2024-05-06", "customer": {"name": "Ann", "address": {"city": "Oslo", "zip": "0150"}}, "tags": ["a", "b"], "lines": [{"sku": "X1", "count": 3}, {"sku": "Y2", "count": 1}], "attrs": {"src": "web"}, "scores": {"risk": 0.25}}
      {"id": 2, "qty": 1, "price": 1.0, "paid": false, "status": "NEW", "note": null, "created": "2024-05-07T00:00:00Z", "day": "2024-05-07", "customer": {"name": "Bo", "address": null}, "tags": [], "lines": [], "attrs": {}}
      """;

  private static String resource(String name) throws Exception {
    return Path.of(AvroSchemaTest.class.getResource("/avro/" + name).toURI()).toString();
  }

  @Test
  void avroSchema_withNestedRecordsArraysMapsAndLogicalTypes_convertsValuesExactly() throws Exception {
    Path out = dir.resolve("out");

    Cli.Result r = Cli.run(LINES.getBytes(StandardCharsets.UTF_8), Map.of(), "convert", "-o", out.toString(),
        "--record-type", "dynamic", "--schema", resource("order.avsc"), "--unknown-fields", "dlq");

    assertThat(r.exit()).as(r.err()).isZero();
    try (DuckDb duck = new DuckDb()) {
      List<Path> files = DuckDb.parquetFiles(out);
      assertThat(files).hasSize(1);
      List<Map<String, Object>> rows = duck.query("SELECT id, qty, price, paid, status, note,"
          + " CAST(created AS VARCHAR) AS created, CAST(updated AS VARCHAR) AS updated, CAST(day AS VARCHAR) AS day,"
          + " customer.name AS name, customer.address.city AS city, customer.address.zip AS zip,"
          + " CAST(tags AS VARCHAR) AS tags, CAST(lines AS VARCHAR) AS lines, CAST(attrs AS VARCHAR) AS attrs,"
          + " CAST(scores AS VARCHAR) AS scores, typeof(created) AS created_type, typeof(day) AS day_type,"
          + " typeof(status) AS status_type, typeof(attrs) AS attrs_type"
          + " FROM read_parquet('" + files.get(0) + "') ORDER BY id");
      assertThat(rows).hasSize(2);
      assertThat(rows.get(0)).containsEntry("id", 1L).containsEntry("qty", 2L).containsEntry("price", 9.5)
          .containsEntry("paid", true).containsEntry("status", "PAID").containsEntry("note", "gift")
          .containsEntry("created", "2024-05-06 07:08:09.123+00").containsEntry("updated", "2024-05-06 07:08:09.123456+00")
          .containsEntry("day", "2024-05-06").containsEntry("name", "Ann").containsEntry("city", "Oslo")
          .containsEntry("zip", "0150").containsEntry("tags", "[a, b]")
          .containsEntry("lines", "[{'sku': X1, 'count': 3}, {'sku': Y2, 'count': 1}]")
          .containsEntry("attrs", "{src=web}").containsEntry("scores", "{risk=0.25}")
          .containsEntry("created_type", "TIMESTAMP WITH TIME ZONE").containsEntry("day_type", "DATE")
          .containsEntry("status_type", "VARCHAR").containsEntry("attrs_type", "MAP(VARCHAR, VARCHAR)");
      assertThat(rows.get(1)).containsEntry("id", 2L).containsEntry("note", null).containsEntry("updated", null)
          .containsEntry("city", null).containsEntry("tags", "[]").containsEntry("lines", "[]")
          .containsEntry("attrs", "{}").containsEntry("scores", null);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "decimal | {\"type\": \"bytes\", \"logicalType\": \"decimal\", \"precision\": 9, \"scale\": 2}"
          + " | $.inner.x: Avro decimal is not supported",
      "union   | [\"null\", \"string\", \"long\"] | $.inner.x: Avro union [null, string, long] is not supported",
      "bytes   | {\"type\": \"array\", \"items\": \"bytes\"} | $.inner.x[]: Avro bytes is not supported",
      "time    | {\"type\": \"int\", \"logicalType\": \"time-millis\"} | $.inner.x: Avro logical type time-millis",
  })
  void avroSchema_withUnsupportedConstruct_exits2NamingItsPath(String what, String type, String message)
      throws Exception {
    Path schema = dir.resolve(what + ".avsc");
    Files.writeString(schema, "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"inner\", \"type\":"
        + " {\"type\": \"record\", \"name\": \"I\", \"fields\": [{\"name\": \"x\", \"type\": " + type + "}]}}]}");

    Cli.Result r = Cli.run("{}\n".getBytes(StandardCharsets.UTF_8), Map.of(), "convert", "-o",
        dir.resolve("out").toString(), "--record-type", "dynamic", "--schema", schema.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid schema " + schema + ": " + message);
  }
}
