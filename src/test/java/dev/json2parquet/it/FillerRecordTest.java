package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.json2parquet.parquet.BatchEncoder;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonSchemas;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.record.UnknownFields;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encoder's warm-up writes {@link ColumnBatch#filler}: it must be a valid record of any schema. */
class FillerRecordTest {
  @TempDir
  Path dir;

  @Test
  void filler_ofLogRecord_readsBackAsOneRowOfEmptyValues() throws Exception {
    JsonNode row = writeAndRead(RecordType.log().schema());

    assertThat(row.get("message").asText()).isEmpty();
    assertThat(row.get("audit").asBoolean()).isFalse();
    assertThat(row.get("tags")).hasSize(1);
    assertThat(row.get("args").properties()).hasSize(1);
  }

  @Test
  void filler_ofNestedDynamicSchema_readsBackWithOneElementPerList() throws Exception {
    RecordSchema schema = RecordType.dynamic(JsonSchemas.parse(DynamicSchemaTest.SCHEMA, "record"), UnknownFields.EXTRA)
        .schema();

    JsonNode row = writeAndRead(schema);

    assertThat(row.get("id").asLong()).isZero();
    assertThat(row.get("user").get("lang").asText()).isEmpty();
    assertThat(row.get("points")).hasSize(1);
    assertThat(row.get("points").get(0).get("x").asLong()).isZero();
  }

  private JsonNode writeAndRead(RecordSchema schema) throws Exception {
    Path file = dir.resolve("filler.parquet");
    try (OutputStream out = Files.newOutputStream(file)) {
      new BatchEncoder(schema, WriterSettings.defaults()).encode(ColumnBatch.filler(schema), out, Map.of());
    }
    try (DuckDb db = new DuckDb()) {
      var rows = db.rows(file);
      assertThat(rows).hasSize(1);
      return rows.get(0);
    }
  }
}
