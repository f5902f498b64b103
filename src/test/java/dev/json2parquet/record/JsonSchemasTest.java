package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.json2parquet.parquet.ParquetSchemas;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonSchemasTest {

  /** A root schema whose properties are {@code props} (a JSON object body) and required list {@code required}. */
  private static String root(String props, String required) {
    return "{\"type\":\"object\",\"properties\":{" + props + "}"
        + (required.isEmpty() ? "" : ",\"required\":[" + required + "]") + "}";
  }

  private static Field only(String propertySchema, boolean listedRequired) {
    RecordSchema s = JsonSchemas.parse(root("\"f\":" + propertySchema, listedRequired ? "\"f\"" : ""), "T");
    assertThat(s.fields()).hasSize(1);
    return s.fields().get(0);
  }

  // ---- mapping ----

  @Test
  void parse_objectWithProperties_isGroupWithChildrenInPropertyOrder() {
    RecordSchema s = JsonSchemas.parse(root(
        "\"z\":{\"type\":\"string\"},\"u\":{\"type\":\"object\",\"properties\":"
            + "{\"b\":{\"type\":\"integer\"},\"a\":{\"type\":\"boolean\"}},\"required\":[\"a\"]}",
        "\"u\""), "Rec");

    assertThat(s.name()).isEqualTo("Rec");
    assertThat(s.fields()).extracting(Field::name).containsExactly("z", "u");
    Field u = s.field("u");
    assertThat(u.type()).isEqualTo(FieldType.GROUP);
    assertThat(u.required()).isTrue();
    assertThat(u.children()).extracting(Field::name).containsExactly("b", "a");
    assertThat(u.children()).extracting(Field::type).containsExactly(FieldType.INT64, FieldType.BOOLEAN);
    assertThat(u.children()).extracting(Field::required).containsExactly(false, true);
  }

  @Test
  void parse_propertyListedInRequired_isRequired() {
    assertThat(only("{\"type\":\"string\"}", true).required()).isTrue();
  }

  @Test
  void parse_propertyNotListedInRequired_isOptional() {
    assertThat(only("{\"type\":\"string\"}", false).required()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"[\"string\",\"null\"]", "[\"null\",\"string\"]"})
  void parse_nullableTypeListedInRequired_isOptional(String type) {
    Field f = only("{\"type\":" + type + "}", true);
    assertThat(f.type()).isEqualTo(FieldType.STRING);
    assertThat(f.required()).isFalse();
  }

  @Test
  void parse_singleTypeInArray_isThatType() {
    Field f = only("{\"type\":[\"integer\"]}", true);
    assertThat(f.type()).isEqualTo(FieldType.INT64);
    assertThat(f.required()).isTrue();
  }

  @Test
  void parse_arrayWithItems_isListOfRequiredElement() {
    Field f = only("{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}", true);
    assertThat(f.type()).isEqualTo(FieldType.LIST);
    assertThat(f.required()).isTrue();
    assertThat(f.element().name()).isEqualTo("element");
    assertThat(f.element().type()).isEqualTo(FieldType.INT64);
    assertThat(f.element().required()).isTrue();
  }

  @Test
  void parse_arrayWithNullableItems_hasOptionalElement() {
    Field f = only("{\"type\":[\"array\",\"null\"],\"items\":{\"type\":[\"null\",\"number\"]}}", true);
    assertThat(f.required()).isFalse();
    assertThat(f.element().type()).isEqualTo(FieldType.DOUBLE);
    assertThat(f.element().required()).isFalse();
  }

  @Test
  void parse_arrayOfObjects_isListOfGroups() {
    Field f = only("{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}}",
        false);
    assertThat(f.element().type()).isEqualTo(FieldType.GROUP);
    assertThat(f.element().name()).isEqualTo("element");
    assertThat(f.element().children()).extracting(Field::name).containsExactly("x");
  }

  @Test
  void parse_objectWithSchemaValuedAdditionalProperties_isMapOfThatValue() {
    Field f = only("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}", true);
    assertThat(f.type()).isEqualTo(FieldType.MAP);
    assertThat(f.required()).isTrue();
    assertThat(f.mapKey().type()).isEqualTo(FieldType.STRING);
    assertThat(f.mapKey().required()).isTrue();
    assertThat(f.mapValue().name()).isEqualTo("value");
    assertThat(f.mapValue().type()).isEqualTo(FieldType.INT64);
    assertThat(f.mapValue().required()).isTrue();
  }

  @Test
  void parse_mapWithNullableValue_hasOptionalValue() {
    Field f = only("{\"type\":\"object\",\"additionalProperties\":{\"type\":[\"boolean\",\"null\"]}}", false);
    assertThat(f.mapValue().type()).isEqualTo(FieldType.BOOLEAN);
    assertThat(f.mapValue().required()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"type\":\"object\"}",
      "{\"type\":\"object\",\"additionalProperties\":true}",
      "{\"type\":\"object\",\"additionalProperties\":{}}"})
  void parse_objectWithoutPropertiesOrValueSchema_isMapOfOptionalStrings(String schema) {
    Field f = only(schema, true);
    assertThat(f.type()).isEqualTo(FieldType.MAP);
    assertThat(f.required()).isTrue();
    assertThat(f.mapValue().type()).isEqualTo(FieldType.STRING);
    assertThat(f.mapValue().required()).isFalse();
  }

  @Test
  void parse_primitiveTypes_mapToFieldTypes() {
    RecordSchema s = JsonSchemas.parse(root(
        "\"s\":{\"type\":\"string\"},\"ts\":{\"type\":\"string\",\"format\":\"date-time\"},"
            + "\"d\":{\"type\":\"string\",\"format\":\"date\"},\"e\":{\"type\":\"string\",\"format\":\"email\"},"
            + "\"i\":{\"type\":\"integer\"},\"n\":{\"type\":\"number\"},\"b\":{\"type\":\"boolean\"}",
        "\"s\",\"ts\",\"d\",\"e\",\"i\",\"n\",\"b\""), "T");
    assertThat(s.fields()).extracting(Field::type).containsExactly(
        FieldType.STRING, FieldType.TIMESTAMP, FieldType.DATE, FieldType.STRING,
        FieldType.INT64, FieldType.DOUBLE, FieldType.BOOLEAN);
    assertThat(s.fields()).allMatch(Field::required);
  }

  @Test
  void parse_formatOnInteger_isIgnored() {
    assertThat(only("{\"type\":\"integer\",\"format\":\"int64\"}", true).type()).isEqualTo(FieldType.INT64);
  }

  @Test
  void parse_additionalPropertiesFalseNextToProperties_isAGroup() {
    Field f = only("{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"string\"}}}",
        true);
    assertThat(f.type()).isEqualTo(FieldType.GROUP);
    assertThat(f.children()).extracting(Field::name).containsExactly("a");
  }

  @Test
  void parse_annotationKeywordsAnywhere_areIgnored() {
    String annotations = "\"$id\":\"x\",\"$comment\":\"c\",\"title\":\"t\",\"description\":\"d\",\"default\":null,"
        + "\"examples\":[1,{\"a\":2}],\"deprecated\":false,\"readOnly\":true,\"writeOnly\":false";
    String json = "{\"$schema\":\"http://json-schema.org/draft-07/schema#\"," + annotations
        + ",\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{" + annotations
        + ",\"type\":\"array\",\"items\":{" + annotations + ",\"type\":\"integer\"}}}}";
    RecordSchema s = JsonSchemas.parse(json, "T");
    assertThat(s.fields().toString()).isEqualTo("[a:LIST?[element:INT64]]");
  }

  @Test
  void parse_nestedListAndMap_giveParquetListAndMapAnnotations() {
    RecordSchema s = JsonSchemas.parse(root(
        "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
            + "\"attrs\":{\"type\":\"object\",\"additionalProperties\":{\"type\":[\"integer\",\"null\"]}},"
            + "\"at\":{\"type\":\"string\",\"format\":\"date-time\"}",
        "\"at\""), "Nested");

    String parquet = ParquetSchemas.toMessageType(s).toString();
    assertThat(parquet)
        .startsWith("message Nested {")
        .contains("optional group tags (LIST) {")
        .contains("repeated group list {")
        .contains("required binary element (STRING);")
        .contains("optional group attrs (MAP) {")
        .contains("repeated group key_value {")
        .contains("required binary key (STRING);")
        .contains("optional int64 value;")
        .contains("required int64 at (TIMESTAMP(MICROS,true));");
  }

  // ---- errors ----

  static Stream<Arguments> invalidSchemas() {
    String p = "{\"type\":\"object\",\"properties\":{\"a\":";
    return Stream.of(
        Arguments.of(p + "{\"$ref\":\"#/$defs/x\"}}}", "$.properties.a: keyword '$ref' is not supported"),
        Arguments.of("{\"type\":\"object\",\"$defs\":{},\"properties\":{\"a\":{\"type\":\"string\"}}}",
            "$: keyword '$defs' is not supported"),
        Arguments.of("{\"type\":\"object\",\"definitions\":{},\"properties\":{\"a\":{\"type\":\"string\"}}}",
            "$: keyword 'definitions' is not supported"),
        Arguments.of(p + "{\"oneOf\":[{\"type\":\"string\"}]}}}", "$.properties.a: keyword 'oneOf'"),
        Arguments.of(p + "{\"anyOf\":[{\"type\":\"string\"}]}}}", "$.properties.a: keyword 'anyOf'"),
        Arguments.of(p + "{\"type\":\"string\",\"allOf\":[]}}}", "$.properties.a: keyword 'allOf'"),
        Arguments.of(p + "{\"type\":\"string\",\"not\":{}}}}", "$.properties.a: keyword 'not'"),
        Arguments.of(p + "{\"type\":\"string\",\"if\":{}}}}", "$.properties.a: keyword 'if'"),
        Arguments.of(p + "{\"type\":\"string\",\"then\":{}}}}", "$.properties.a: keyword 'then'"),
        Arguments.of(p + "{\"type\":\"string\",\"else\":{}}}}", "$.properties.a: keyword 'else'"),
        Arguments.of(p + "{\"type\":\"string\",\"enum\":[\"x\"]}}}", "$.properties.a: keyword 'enum'"),
        Arguments.of(p + "{\"type\":\"string\",\"const\":\"x\"}}}", "$.properties.a: keyword 'const'"),
        Arguments.of(p + "{\"type\":\"string\",\"minLength\":1}}}", "$.properties.a: keyword 'minLength'"),
        Arguments.of(p + "{\"type\":\"object\",\"patternProperties\":{}}}}",
            "$.properties.a: keyword 'patternProperties'"),
        Arguments.of(p + "{\"type\":\"array\",\"prefixItems\":[],\"items\":{\"type\":\"string\"}}}}",
            "$.properties.a: keyword 'prefixItems'"),
        Arguments.of(p + "{\"type\":\"array\",\"items\":[{\"type\":\"string\"}]}}}",
            "$.properties.a: array-valued 'items'"),
        Arguments.of(p + "{\"type\":\"array\"}}}", "$.properties.a: an array needs 'items'"),
        Arguments.of(p + "{\"type\":[\"string\",\"integer\"]}}}",
            "$.properties.a: type union [\"string\", \"integer\"] is not supported"),
        Arguments.of(p + "{\"type\":[\"string\",\"null\",\"integer\"]}}}", "$.properties.a: type union"),
        Arguments.of(p + "{\"description\":\"no type\"}}}", "$.properties.a: missing 'type'"),
        Arguments.of(p + "{\"type\":\"null\"}}}", "$.properties.a: type 'null' alone is not supported"),
        Arguments.of(p + "{\"type\":[\"null\"]}}}", "$.properties.a: type 'null' alone is not supported"),
        Arguments.of(p + "{\"type\":\"text\"}}}", "$.properties.a: unknown type 'text'"),
        Arguments.of(p + "{\"type\":[\"strin\",\"null\"]}}}", "$.properties.a: unknown type 'strin'"),
        Arguments.of(p + "{\"type\":5}}}", "$.properties.a: 'type' must be a string or an array of strings"),
        Arguments.of(p + "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}},"
            + "\"additionalProperties\":{\"type\":\"string\"}}}}",
            "$.properties.a: 'properties' together with a schema-valued 'additionalProperties' is not supported"),
        Arguments.of("{\"type\":\"object\",\"properties\":{\"\":{\"type\":\"string\"}}}",
            "$.properties: a property name is empty"),
        Arguments.of(p + "{\"type\":\"object\",\"properties\":{\"\":{\"type\":\"string\"}}}}}",
            "$.properties.a.properties: a property name is empty"),
        Arguments.of("{\"type\":\"string\"}", "$: the root must have type 'object', got 'string'"),
        Arguments.of("{\"type\":[\"object\",\"null\"],\"properties\":{\"a\":{\"type\":\"string\"}}}",
            "$: the root must have type 'object'"),
        Arguments.of("[{\"type\":\"object\"}]", "$: a schema must be a JSON object, got an array"),
        Arguments.of("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}",
            "$: the root object needs 'properties'"),
        Arguments.of("{\"type\":\"object\",\"properties\":{}}", "$.properties: 'properties' is empty"),
        Arguments.of(p + "true}}", "$.properties.a: a schema must be a JSON object, got boolean true"),
        Arguments.of(p + "{\"type\":\"string\"}},\"required\":[\"b\"]}", "$.required: 'b' is not one of the properties"),
        Arguments.of(p + "{\"type\":\"object\",\"required\":[\"x\"]}}}", "$.properties.a: 'required' needs 'properties'"),
        Arguments.of(p + "{\"type\":\"object\",\"additionalProperties\":false}}}",
            "$.properties.a: an object with no 'properties' and 'additionalProperties': false has no fields"),
        Arguments.of(p + "{\"type\":\"string\",\"items\":{\"type\":\"string\"}}}}",
            "$.properties.a: keyword 'items' does not apply to type 'string'"),
        Arguments.of(p + "{\"type\":\"array\",\"properties\":{}}}}",
            "$.properties.a: keyword 'properties' does not apply to type 'array'"),
        Arguments.of(p + "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"array\",\"items\":{\"enum\":[1]}}}}}",
            "$.properties.a.additionalProperties.items: keyword 'enum' is not supported"),
        Arguments.of("{\"type\":\"object\",\n\"properties\":{\"a\":{\"type\":\"string\",}}}",
            "$: invalid JSON at line 2"),
        Arguments.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}} {}",
            "$: invalid JSON at line 1"),
        Arguments.of("{\"type\":\"object\",\"type\":\"object\"}", "$: invalid JSON at line 1"),
        Arguments.of("  ", "$: invalid JSON: the document is empty"));
  }

  @ParameterizedTest
  @MethodSource("invalidSchemas")
  void parse_unsupportedOrInvalidSchema_failsNamingThePath(String json, String messageStart) {
    assertThatThrownBy(() -> JsonSchemas.parse(json, "T"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(messageStart);
  }

  @Test
  void parse_nullAloneDeepInside_namesTheFullPath() {
    String json = root("\"user\":{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\","
        + "\"items\":{\"type\":\"null\"}}}}", "");
    assertThatThrownBy(() -> JsonSchemas.parse(json, "T"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("$.properties.user.properties.tags.items: type 'null' alone is not supported");
  }

  @Test
  void parse_nestingDeeperThanTheReaderAllows_fails() {
    String leaf = "{\"type\":\"string\"}";
    String nested = leaf;
    for (int i = 0; i < 70; i++) {
      nested = "{\"type\":\"array\",\"items\":" + nested + "}";
    }
    String json = root("\"deep\":" + nested, "");
    assertThatThrownBy(() -> JsonSchemas.parse(json, "T"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("$.properties.deep.items")
        .hasMessageContaining("nesting deeper than 64 levels");
  }

  // ---- rendering ----

  private static RecordSchema everyType() {
    Field point = Field.group("point", false, List.of(
        Field.primitive("x", FieldType.DOUBLE, true), Field.primitive("y", FieldType.DOUBLE, false)));
    return new RecordSchema("Every", List.of(
        Field.primitive("s", FieldType.STRING, true),
        Field.primitive("s_opt", FieldType.STRING, false),
        Field.primitive("b", FieldType.BOOLEAN, false),
        Field.primitive("i", FieldType.INT64, true),
        Field.primitive("d", FieldType.DOUBLE, false),
        Field.primitive("ts", FieldType.TIMESTAMP, true),
        Field.primitive("day", FieldType.DATE, false),
        Field.group("user", true, List.of(
            Field.primitive("name", FieldType.STRING, true),
            point,
            Field.list("tags", false, Field.primitive("element", FieldType.STRING, false)))),
        Field.list("points", true, Field.group("element", true, List.of(
            Field.primitive("x", FieldType.INT64, true),
            Field.list("ids", false, Field.primitive("element", FieldType.INT64, true))))),
        Field.list("matrix", false, Field.list("element", false, Field.primitive("element", FieldType.DOUBLE, true))),
        Field.map("attrs", false, Field.primitive("value", FieldType.STRING, false)),
        Field.map("counts", true, Field.primitive("value", FieldType.INT64, true)),
        Field.map("places", false, Field.group("value", false, List.of(
            Field.primitive("at", FieldType.TIMESTAMP, false),
            Field.map("labels", false, Field.primitive("value", FieldType.DATE, true))))),
        Field.map("lists", false, Field.list("value", true, Field.primitive("element", FieldType.BOOLEAN, false)))));
  }

  @Test
  void render_nestedSchemaWithEveryType_parsesBackIdentical() {
    RecordSchema schema = everyType();

    RecordSchema back = JsonSchemas.parse(JsonSchemas.render(schema), "Every");

    assertThat(back.fields().toString()).isEqualTo(schema.fields().toString());
    assertThat(ParquetSchemas.toMessageType(back)).isEqualTo(ParquetSchemas.toMessageType(schema));
  }

  @Test
  void render_isDraft202012PrettyPrintedWithTwoSpaces() throws Exception {
    String text = JsonSchemas.render(new RecordSchema("T", List.of(
        Field.primitive("a", FieldType.STRING, true), Field.primitive("b", FieldType.TIMESTAMP, false))));

    assertThat(text).isEqualTo("""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "T",
          "type": "object",
          "properties": {
            "a": {
              "type": "string"
            },
            "b": {
              "type": ["string", "null"],
              "format": "date-time"
            }
          },
          "required": ["a"]
        }
        """);
    JsonNode tree = new ObjectMapper().readTree(text);
    assertThat(tree.get("$schema").asText()).isEqualTo(JsonSchemas.DRAFT_2020_12);
  }

  @Test
  void render_everyType_isValidJsonWithSchemaKeywordsOnly() throws Exception {
    JsonNode tree = new ObjectMapper().readTree(JsonSchemas.render(everyType()));
    JsonNode counts = tree.get("properties").get("counts");
    assertThat(counts.get("type").asText()).isEqualTo("object");
    assertThat(counts.get("additionalProperties").get("type").asText()).isEqualTo("integer");
    assertThat(tree.get("required")).extracting(JsonNode::asText)
        .containsExactly("s", "i", "ts", "user", "points", "counts");
  }

  @Test
  void render_logRecord_parsesBackToTheSameParquetSchema() {
    RecordSchema log = RecordType.log().schema();
    RecordSchema back = JsonSchemas.parse(JsonSchemas.render(log), "Log");
    assertThat(back.fields().toString()).isEqualTo(log.fields().toString());
  }

  // ---- the Log record ----

  private static final String LOG_SCHEMA = """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.com/log.schema.json",
        "title": "Log",
        "description": "One application log event.",
        "type": "object",
        "properties": {
          "time": {"type": "string", "description": "event time as text"},
          "level": {"type": "string"},
          "correlation_id": {"type": ["string", "null"]}, "session_id": {"type": ["string", "null"]},
          "message_id": {"type": ["string", "null"]}, "person_id": {"type": ["string", "null"]},
          "user_id": {"type": ["string", "null"]}, "device_id": {"type": ["string", "null"]},
          "message": {"type": "string"},
          "business_capability": {"type": "string"}, "business_domain": {"type": "string"},
          "business_service": {"type": "string"}, "application_service": {"type": "string"},
          "audit": {"type": ["boolean", "null"]},
          "resource_type": {"type": ["string", "null"]}, "cloud_provider": {"type": ["string", "null"]},
          "source_id": {"type": ["string", "null"]}, "http_response": {"type": ["string", "null"]},
          "error_code": {"type": ["string", "null"]}, "stack_trace": {"type": ["string", "null"]},
          "duration": {"type": ["string", "null"]},
          "trace_ip": {"type": ["array", "null"], "items": {"type": ["string", "null"]}},
          "region": {"type": ["string", "null"]}, "az": {"type": ["string", "null"]},
          "tags": {"type": ["array", "null"], "items": {"type": ["string", "null"]}},
          "args": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}},
          "transaction_message_reference": {"type": ["string", "null"]}, "ttl": {"type": ["string", "null"]},
          "auto_index": {"type": ["boolean", "null"]},
          "logger_name": {"type": ["string", "null"]}, "thread_name": {"type": ["string", "null"]},
          "extra_fields": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}}
        },
        "required": ["time", "level", "message", "business_capability", "business_domain",
                     "business_service", "application_service"],
        "additionalProperties": false
      }
      """;

  @Test
  void parse_handWrittenLogSchema_equalsTheBuiltInLogRecordInParquet() {
    RecordSchema parsed = JsonSchemas.parse(LOG_SCHEMA, "Log");

    assertThat(ParquetSchemas.toMessageType(parsed))
        .isEqualTo(ParquetSchemas.toMessageType(RecordType.log().schema()));
    assertThat(parsed.fields().toString()).isEqualTo(RecordType.log().schema().fields().toString());
  }
}
