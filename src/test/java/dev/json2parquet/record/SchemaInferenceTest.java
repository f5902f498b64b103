package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaInferenceTest {

  private static boolean add(SchemaInference inference, String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    return inference.add(b, 0, b.length);
  }

  private static RecordSchema infer(String... lines) {
    SchemaInference inference = new SchemaInference();
    for (String line : lines) {
      assertThat(add(inference, line)).as(line).isTrue();
    }
    return inference.result("T");
  }

  private static String fields(String... lines) {
    return infer(lines).fields().toString();
  }

  private static Field child(Field group, String name) {
    return group.children().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(
        () -> new AssertionError(group + " has no child " + name));
  }

  // ---- order and presence ----

  @Test
  void result_fields_keepFirstSeenOrderAtEveryLevel() {
    RecordSchema s = infer(
        "{\"b\":1,\"a\":2,\"o\":{\"y\":1,\"x\":2}}",
        "{\"c\":3,\"a\":1,\"o\":{\"z\":1,\"x\":2}}");
    assertThat(s.fields()).extracting(Field::name).containsExactly("b", "a", "o", "c");
    assertThat(s.field("o").children()).extracting(Field::name).containsExactly("y", "x", "z");
  }

  @Test
  void result_fieldPresentAndNonNullEverywhere_isStillOptional() {
    // a later record may lack it: only a schema the user writes makes a field required
    assertThat(fields("{\"a\":1}", "{\"a\":2}")).isEqualTo("[a:INT64?]");
  }

  @Test
  void result_fieldMissingFromOneRecord_isOptional() {
    assertThat(fields("{\"a\":1,\"b\":true}", "{\"b\":false}")).isEqualTo("[a:INT64?, b:BOOLEAN?]");
  }

  @Test
  void result_fieldNullInOneRecord_isOptional() {
    assertThat(fields("{\"a\":1}", "{\"a\":null}")).isEqualTo("[a:INT64?]");
  }

  @Test
  void result_nestedFieldsAndListElements_areOptional() {
    RecordSchema s = infer("{\"u\":{\"x\":1,\"y\":1},\"l\":[1]}", "{\"u\":{\"x\":2},\"l\":[2]}");
    Field u = s.field("u");
    assertThat(u.required()).isFalse();
    assertThat(child(u, "x").required()).isFalse();
    assertThat(s.field("l").element().required()).isFalse();
  }

  @Test
  void result_fieldOnlyEverNull_isOptionalString() {
    assertThat(fields("{\"a\":null}", "{\"a\":null}")).isEqualTo("[a:STRING?]");
  }

  @Test
  void result_keyRepeatedInOneObject_keepsTheFirstValue() {
    assertThat(fields("{\"a\":1,\"a\":\"x\"}", "{\"a\":2}")).isEqualTo("[a:INT64?]");
  }

  // ---- widening ----

  @Test
  void result_integersOnly_isInt64() {
    assertThat(fields("{\"a\":1}", "{\"a\":-9223372036854775808}", "{\"a\":9223372036854775807}"))
        .isEqualTo("[a:INT64?]");
  }

  @Test
  void result_integerAndNumber_isDouble() {
    assertThat(fields("{\"a\":1}", "{\"a\":2.5}", "{\"a\":3}")).isEqualTo("[a:DOUBLE?]");
    assertThat(fields("{\"a\":1e3}")).isEqualTo("[a:DOUBLE?]");
  }

  @Test
  void result_integerOutside64Bits_isString() {
    assertThat(fields("{\"a\":1}", "{\"a\":9223372036854775808}")).isEqualTo("[a:STRING?]");
  }

  @Test
  void result_booleansOnly_isBoolean() {
    assertThat(fields("{\"a\":true}", "{\"a\":false}")).isEqualTo("[a:BOOLEAN?]");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "\"x\"|1", "1|\"x\"", "true|1", "1.5|false", "{\"b\":1}|\"x\"", "[1]|{\"b\":1}", "{\"b\":1}|[1]",
      "\"x\"|[1]", "true|{\"b\":1}"})
  void result_incompatibleKinds_widenToString(String pair) {
    String[] v = pair.split("\\|");
    RecordSchema s = infer("{\"a\":" + v[0] + "}", "{\"a\":" + v[1] + "}");
    assertThat(s.fields().toString()).isEqualTo("[a:STRING?]");
  }

  @Test
  void result_stringThenObjectThenMore_staysStringAndSkipsTheObjects() {
    assertThat(fields("{\"a\":\"x\"}", "{\"a\":{\"b\":{\"c\":1}}}", "{\"a\":[1,2]}", "{\"z\":1,\"a\":null}"))
        .isEqualTo("[a:STRING?, z:INT64?]");
  }

  // ---- strings: timestamps and dates ----

  @Test
  void result_allTimestamps_isTimestamp() {
    assertThat(fields("{\"t\":\"2024-11-24T03:04:05.123Z\"}", "{\"t\":\"2024-11-24 03:04:05+02:00\"}",
        "{\"t\":\"Sun Aug 31 00:29:15 +0000 2014\"}", "{\"t\":null}")).isEqualTo("[t:TIMESTAMP?]");
  }

  @Test
  void result_oneStringNotATimestamp_isString() {
    assertThat(fields("{\"t\":\"2024-11-24T03:04:05Z\"}", "{\"t\":\"yesterday\"}")).isEqualTo("[t:STRING?]");
  }

  @Test
  void result_digitStrings_areStringsNotEpochTimestamps() {
    assertThat(fields("{\"t\":\"1700000000\"}", "{\"t\":\"1700000000123\"}")).isEqualTo("[t:STRING?]");
    assertThat(fields("{\"t\":\"2024-11-24T03:04:05Z\"}", "{\"t\":\"1700000000\"}")).isEqualTo("[t:STRING?]");
  }

  @Test
  void result_allDates_isDate() {
    assertThat(fields("{\"d\":\"2024-02-29\"}", "{\"d\":\"1999-12-31\"}")).isEqualTo("[d:DATE?]");
  }

  @Test
  void result_datesAndDateTimes_isTimestamp() {
    assertThat(fields("{\"d\":\"2024-02-29\"}", "{\"d\":\"2024-03-01T10:00:00Z\"}")).isEqualTo("[d:TIMESTAMP?]");
  }

  @Test
  void result_impossibleDate_isString() {
    assertThat(fields("{\"d\":\"2024-01-01\"}", "{\"d\":\"2023-02-29\"}")).isEqualTo("[d:STRING?]");
  }

  @Test
  void result_timestampStringAndNumber_isString() {
    assertThat(fields("{\"t\":\"2024-11-24T03:04:05Z\"}", "{\"t\":1732417445}")).isEqualTo("[t:STRING?]");
  }

  // ---- objects, maps, arrays ----

  @Test
  void result_nestedObjects_mergeIntoOneGroup() {
    assertThat(fields("{\"u\":{\"a\":1,\"n\":{\"p\":1}}}", "{\"u\":{\"b\":\"x\",\"a\":2.5,\"n\":{\"q\":true}}}"))
        .isEqualTo("[u:GROUP?[a:DOUBLE?, n:GROUP?[p:INT64?, q:BOOLEAN?], b:STRING?]]");
  }

  /** One line per key {@code k0..k(n-1)}, each {@code {"id":i,"o":{"k<i>": value}}}. */
  private static String[] keyed(int n, String value) {
    String[] lines = new String[n];
    for (int i = 0; i < n; i++) {
      lines[i] = "{\"id\":" + i + ",\"o\":{\"k" + i + "\":" + value + "}}";
    }
    return lines;
  }

  @Test
  void result_objectWithUpToMapKeysNames_staysAGroup() {
    Field o = infer(keyed(SchemaInference.MAP_KEYS, "1")).field("o");
    assertThat(o.type()).isEqualTo(FieldType.GROUP);
    assertThat(o.children()).hasSize(SchemaInference.MAP_KEYS);
  }

  @Test
  void result_objectWithMoreThanMapKeysNames_isAMapOfTheMergedValues() {
    String[] lines = keyed(SchemaInference.MAP_KEYS + 1, "1");
    lines[3] = "{\"o\":{\"k3\":2.5}}";
    assertThat(infer(lines).field("o").toString()).isEqualTo("o:MAP?[key:STRING, value:DOUBLE?]");
  }

  @Test
  void result_mapShapedObjectOfObjects_mergesTheirFieldsAndKeepsMergingLaterRecords() {
    String[] lines = java.util.Arrays.copyOf(keyed(SchemaInference.MAP_KEYS + 1, "{\"a\":1}"), SchemaInference.MAP_KEYS + 3);
    lines[SchemaInference.MAP_KEYS + 1] = "{\"o\":{\"new\":{\"b\":\"x\"},\"k1\":{\"a\":\"text\"}}}";
    lines[SchemaInference.MAP_KEYS + 2] = "{\"o\":{\"z\":null}}";
    assertThat(infer(lines).field("o").toString())
        .isEqualTo("o:MAP?[key:STRING, value:GROUP?[a:STRING?, b:STRING?]]");
  }

  @Test
  void result_mapShapedObjectInsideAList_isAMapToo() {
    StringBuilder line = new StringBuilder("{\"l\":[");
    for (int i = 0; i <= SchemaInference.MAP_KEYS; i++) {
      line.append(i == 0 ? "" : ",").append("{\"k").append(i).append("\":true}");
    }
    line.append("]}");
    assertThat(fields(line.toString())).isEqualTo("[l:LIST?[element:MAP?[key:STRING, value:BOOLEAN?]]]");
  }

  @Test
  void result_topLevelWithManyNames_staysARecord() {
    StringBuilder line = new StringBuilder("{");
    for (int i = 0; i <= SchemaInference.MAP_KEYS; i++) {
      line.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
    }
    assertThat(infer(line.append('}').toString()).fields()).hasSize(SchemaInference.MAP_KEYS + 1);
  }

  @Test
  void result_objectAlwaysEmpty_isMapOfOptionalStrings() {
    assertThat(fields("{\"m\":{}}", "{\"m\":{}}", "{\"m\":null}"))
        .isEqualTo("[m:MAP?[key:STRING, value:STRING?]]");
  }

  @Test
  void result_objectSometimesEmpty_isGroupOfOptionalFields() {
    assertThat(fields("{\"m\":{}}", "{\"m\":{\"a\":1}}")).isEqualTo("[m:GROUP?[a:INT64?]]");
  }

  @Test
  void result_arrays_areListsOfTheMergedElements() {
    assertThat(fields("{\"l\":[1,2]}", "{\"l\":[3.5]}", "{\"l\":[]}")).isEqualTo("[l:LIST?[element:DOUBLE?]]");
  }

  @Test
  void result_arrayWithANullElement_hasOptionalElement() {
    assertThat(fields("{\"l\":[\"a\"]}", "{\"l\":[\"b\",null]}")).isEqualTo("[l:LIST?[element:STRING?]]");
  }

  @Test
  void result_arrayAlwaysEmpty_hasOptionalStringElement() {
    assertThat(fields("{\"l\":[]}", "{\"l\":[]}")).isEqualTo("[l:LIST?[element:STRING?]]");
  }

  @Test
  void result_arrayOfMixedElements_hasStringElement() {
    assertThat(fields("{\"l\":[1,\"a\"]}")).isEqualTo("[l:LIST?[element:STRING?]]");
  }

  @Test
  void result_arrayOfObjects_isListOfGroupsMergedOverAllRecords() {
    RecordSchema s = infer("{\"l\":[{\"a\":1},{\"a\":2,\"b\":true}]}", "{\"l\":[{\"a\":3,\"c\":[[1],[2,3]]}]}");
    assertThat(s.fields().toString()).isEqualTo(
        "[l:LIST?[element:GROUP?[a:INT64?, b:BOOLEAN?, c:LIST?[element:LIST?[element:INT64?]]]]]");
  }

  @Test
  void result_arrayOfTimestamps_hasTimestampElement() {
    assertThat(fields("{\"l\":[\"2024-01-01T00:00:00Z\",\"2024-01-02T00:00:00Z\"]}"))
        .isEqualTo("[l:LIST?[element:TIMESTAMP?]]");
  }

  // ---- lines that are not objects ----

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "[1,2]", "\"x\"", "42", "null", "{\"a\":", "{\"a\":1} {}",
      "{\"a\":1} x", "{\"a\":1,}", "{\"a\":\"\\x\"}"})
  void add_lineThatIsNotOneJsonObject_isIgnored(String line) {
    SchemaInference inference = new SchemaInference();

    assertThat(add(inference, line)).isFalse();
    assertThat(inference.records()).isZero();
  }

  @Test
  void add_brokenLine_leavesTheSampleUnchanged() {
    SchemaInference inference = new SchemaInference();
    assertThat(add(inference, "{\"a\":1}")).isTrue();

    assertThat(add(inference, "{\"a\":\"x\",\"b\":true,\"c\":")).isFalse();
    assertThat(add(inference, "{\"a\":\"x\",\"b\":[1,{]}")).isFalse();

    assertThat(inference.records()).isEqualTo(1);
    assertThat(inference.result("T").fields().toString()).isEqualTo("[a:INT64?]");
  }

  @Test
  void add_invalidUtf8InAString_isIgnored() {
    SchemaInference inference = new SchemaInference();
    byte[] line = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    assertThat(inference.add(line, 0, line.length)).isFalse();
    assertThat(inference.records()).isZero();
  }

  @Test
  void add_nestingDeeperThan64_isIgnored() {
    SchemaInference inference = new SchemaInference();
    String deep = "{\"a\":".repeat(70) + "1" + "}".repeat(70);
    String shallow = "{\"a\":".repeat(10) + "1" + "}".repeat(10);

    assertThat(add(inference, deep)).isFalse();
    assertThat(add(inference, shallow)).isTrue();
    assertThat(inference.records()).isEqualTo(1);
  }

  @Test
  void add_readsOnlyTheGivenSlice() {
    SchemaInference inference = new SchemaInference();
    byte[] buf = "xx{\"a\":1}yy".getBytes(StandardCharsets.UTF_8);

    assertThat(inference.add(buf, 2, 7)).isTrue();
    assertThat(inference.result("T").fields().toString()).isEqualTo("[a:INT64?]");
  }

  @Test
  void records_countsAcceptedLinesOnly() {
    SchemaInference inference = new SchemaInference();
    add(inference, "{\"a\":1}");
    add(inference, "oops");
    add(inference, "{}");

    assertThat(inference.records()).isEqualTo(2);
    assertThat(inference.result("T").fields().toString()).isEqualTo("[a:INT64?]");
  }

  @Test
  void result_withNoRecords_throws() {
    SchemaInference inference = new SchemaInference();
    add(inference, "[]");

    assertThatThrownBy(() -> inference.result("T"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot infer a schema: no JSON object in the sample");
  }

  @Test
  void result_withOnlyEmptyObjects_throws() {
    SchemaInference inference = new SchemaInference();
    add(inference, "{}");

    assertThatThrownBy(() -> inference.result("T"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no object in the sample has a field");
  }

  @Test
  void result_isNamedAndRendersToAParsableSchema() {
    RecordSchema s = infer("{\"a\":1,\"t\":\"2024-01-01T00:00:00Z\",\"m\":{},\"l\":[null],\"g\":{\"d\":\"2024-01-01\"}}");
    assertThat(s.name()).isEqualTo("T");
    assertThat(JsonSchemas.parse(JsonSchemas.render(s), "T").fields().toString()).isEqualTo(s.fields().toString());
  }

  // ---- real data ----

  @Test
  void result_tweets_inferTheTwitterStatusShape() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("..", "shared", "data", "tweets.jsonl"), StandardCharsets.UTF_8);
    assertThat(lines).hasSize(100);
    SchemaInference inference = new SchemaInference();
    for (String line : lines) {
      assertThat(add(inference, line)).isTrue();
    }
    assertThat(inference.records()).isEqualTo(100);

    RecordSchema s = inference.result("Tweet");

    assertThat(s.field("id").type()).isEqualTo(FieldType.INT64);
    assertThat(s.field("id").required()).isFalse();
    assertThat(s.field("id_str").type()).isEqualTo(FieldType.STRING);
    assertThat(s.field("created_at").type()).isEqualTo(FieldType.TIMESTAMP);
    Field user = s.field("user");
    assertThat(user.type()).isEqualTo(FieldType.GROUP);
    assertThat(child(user, "screen_name").type()).isEqualTo(FieldType.STRING);
    assertThat(child(user, "id").type()).isEqualTo(FieldType.INT64);
    Field hashtags = child(s.field("entities"), "hashtags");
    assertThat(hashtags.type()).isEqualTo(FieldType.LIST);
    Field hashtag = hashtags.element();
    assertThat(hashtag.type()).isEqualTo(FieldType.GROUP);
    assertThat(child(hashtag, "text").type()).isEqualTo(FieldType.STRING);
    Field indices = child(hashtag, "indices");
    assertThat(indices.type()).isEqualTo(FieldType.LIST);
    assertThat(indices.element().type()).isEqualTo(FieldType.INT64);
    assertThat(s.field("retweeted_status").type()).isEqualTo(FieldType.GROUP);
    assertThat(s.field("retweeted_status").required()).isFalse();

    RecordSchema back = JsonSchemas.parse(JsonSchemas.render(s), "Tweet");
    assertThat(back.fields().toString()).isEqualTo(s.fields().toString());
  }
}
