package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonRecordReaderTest {

  private final RecordType type = RecordType.log();
  private final RecordSchema schema = type.schema();
  private final JsonRecordReader reader = new JsonRecordReader(type);
  private final ColumnBatch batch = new ColumnBatch(schema);

  private ColumnBatch read(String json) throws RecordException {
    return read(json.getBytes(StandardCharsets.UTF_8));
  }

  private ColumnBatch read(byte[] json) throws RecordException {
    reader.read(json, 0, json.length, batch);
    return batch;
  }

  private String text(String field) {
    return batch.scalarText(schema.field(field));
  }

  private static String utf8(LeafColumn c, int v) {
    return new String(c.data(), c.start(v), c.end(v) - c.start(v), StandardCharsets.UTF_8);
  }

  /** The entries of a map column in order; a null value for an entry below the maximum definition level. */
  private Map<String, String> map(String field) {
    Field f = schema.field(field);
    LeafColumn keys = batch.column(f.mapKey().leafIndex());
    LeafColumn values = batch.column(f.mapValue().leafIndex());
    Map<String, String> out = new LinkedHashMap<>();
    int v = 0;
    for (int e = 0; e < values.entries(); e++) {
      if (keys.definition(e) < keys.maxDefinition()) {
        continue; // the map itself is null or empty
      }
      boolean present = values.definition(e) == values.maxDefinition();
      out.put(utf8(keys, e), present ? utf8(values, v++) : null);
    }
    return out;
  }

  private LeafColumn column(String field) {
    return batch.column(schema.field(field).firstLeaf());
  }

  private void assertRejected(String json, String message) {
    assertThatThrownBy(() -> read(json))
        .isInstanceOf(RecordException.class)
        .hasMessage(message);
    assertThat(batch.records()).isZero();
  }

  // ---- names ------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"msg, message", "log, message", "lvl, level", "timestamp, time", "when, time"})
  void read_withAlias_fillsTheAliasedField(String alias, String field) throws RecordException {
    read("{\"" + alias + "\": \"value\"}");

    assertThat(text(field)).isEqualTo("value");
    assertThat(map("extra_fields")).isEmpty();
  }

  @Test
  void read_withFieldOrderChangingBetweenLines_matchesEveryNameWhereverItStands() throws RecordException {
    // the reader predicts each name from the previous line's order; every line here breaks the
    // prediction somewhere: swapped, unknown or escaped names, an alias, a repeat, a short tail
    String[] lines = {
        "{\"level\":\"INFO\",\"message\":\"one\",\"logger_name\":\"a\"}",
        "{\"level\":\"WARN\",\"message\":\"two\",\"logger_name\":\"b\"}",
        "{\"message\":\"three\",\"level\":\"ERROR\",\"logger_name\":\"c\"}",
        "{\"level\":\"INFO\",\"other\":\"x\",\"message\":\"four\"}",
        "{\"level\":\"INFO\",\"other\":\"y\",\"message\":\"five\"}",
        "{\"lev\\u0065l\":\"DEBUG\",\"msg\":\"six\",\"level\":\"TRACE\"}",
        "{\"level\":\"INFO\",\"message\":\"seven\",\"logger_name\":\"\"}",
        "{\"level\":\"INFO\",\"message\":\"eight\",\"l\":1}",
        "{\"level\":\"INFO\",\"message\":\"nine\",\"level\":\"x\"}",
        "{\"level\":\"INFO\",\"messag\":\"ten\"}",
        "{}",
        "{\"level\":\"WARN\",\"message\":\"eleven\",\"logger_name\":\"d\"}",
    };
    String[][] expected = {
        {"INFO", "one", "a", "{}"},
        {"WARN", "two", "b", "{}"},
        {"ERROR", "three", "c", "{}"},
        {"INFO", "four", "", "{other=x}"},
        {"INFO", "five", "", "{other=y}"},
        {"DEBUG", "six", "", "{level=TRACE}"},
        {"INFO", "seven", "", "{}"},
        {"INFO", "eight", "", "{l=1}"},
        {"INFO", "nine", "", "{level=x}"},
        {"INFO", "", "", "{messag=ten}"},
        {"", "", "", "{}"},
        {"WARN", "eleven", "d", "{}"},
    };
    for (int i = 0; i < lines.length; i++) {
      read(lines[i]);
      String logger = column("logger_name").definition(0) == 0 ? "" : text("logger_name");
      assertThat(new String[] {text("level"), text("message"), logger, map("extra_fields").toString()})
          .as(lines[i])
          .containsExactly(expected[i]);
    }
  }

  @Test
  void read_withNameAndItsAlias_keepsTheFirstAndPutsTheOtherInExtraFields() throws RecordException {
    read("{\"msg\": \"first\", \"message\": \"second\"}");

    assertThat(text("message")).isEqualTo("first");
    assertThat(map("extra_fields")).containsExactly(Map.entry("message", "second"));
  }

  @Test
  void read_withRepeatedMapKey_isRejectedNamingTheKey_fewOrManyKeys() {
    // a MAP with a key twice makes the whole file unreadable to DuckDB ("Map keys must be unique")
    assertRejected("{\"message\":\"a\",\"args\":{\"k\":\"a\",\"k\":\"b\"}}", "$.args: duplicate key 'k'");
    StringBuilder many = new StringBuilder("{\"args\":{");
    for (int i = 0; i < 40; i++) {
      many.append("\"k").append(i).append("\":\"v\",");
    }
    assertRejected(many + "\"k17\":\"again\"}}", "$.args: duplicate key 'k17'");
  }

  @Test
  void read_withRepeatedFieldName_keepsTheFirstValueAndPutsTheLaterInExtraFields() throws RecordException {
    read("{\"level\": \"INFO\", \"level\": \"WARN\"}");

    assertThat(text("level")).isEqualTo("INFO");
    assertThat(map("extra_fields")).containsExactly(Map.entry("level", "WARN"));
  }

  @Test
  void read_withRequiredFieldAbsentOrNull_writesEmptyString_andOptionalStaysNull() throws RecordException {
    read("{\"level\": null, \"audit\": null}");

    assertThat(text("level")).isEmpty();
    assertThat(text("message")).isEmpty();
    assertThat(text("business_capability")).isEmpty();
    assertThat(text("correlation_id")).isNull();
    assertThat(text("audit")).isNull();
    assertThat(batch.records()).isEqualTo(1);
  }

  @Test
  void read_withBooleansAndStrings_storesThem() throws RecordException {
    read("{\"audit\": true, \"auto_index\": false, \"region\": \"eu-west-1\"}");

    assertThat(text("audit")).isEqualTo("true");
    assertThat(text("auto_index")).isEqualTo("false");
    assertThat(text("region")).isEqualTo("eu-west-1");
  }

  @Test
  void read_withNumbersBooleansAndObjectsInStringColumns_keepsTheirJsonTextAsWritten() throws RecordException {
    read("{\"http_response\": 200, \"duration\": 2.50, \"level\": false, \"message\": {\"a\": 1},"
        + " \"time\": 1772368496000, \"tags\": [1, true, \"x\", -0.0]}");

    assertThat(text("http_response")).isEqualTo("200");
    assertThat(text("duration")).isEqualTo("2.50");
    assertThat(text("level")).isEqualTo("false");
    assertThat(text("message")).isEqualTo("{\"a\": 1}");
    assertThat(text("time")).isEqualTo("1772368496000");
    LeafColumn tags = column("tags");
    assertThat(java.util.stream.IntStream.range(0, 4).mapToObj(v -> utf8(tags, v))).containsExactly("1", "true", "x", "-0.0");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "{\"message\": \"x\\ud83d\"}                | $.message: unpaired surrogate escape \\uD83D in a string",
      "{\"message\": \"\\udc00x\"}                | $.message: unpaired surrogate escape \\uDC00 in a string",
      "{\"message\": \"\\ude00\\ud83d\"}          | $.message: unpaired surrogate escape \\uDE00 in a string",
      "{\"tags\": [\"a\", \"\\ud800\"]}           | $.tags[1]: unpaired surrogate escape \\uD800 in a string",
      "{\"args\": {\"k\": \"\\ud800\"}}           | $.args.k: unpaired surrogate escape \\uD800 in a string",
      "{\"args\": {\"k\\ud800\": \"v\"}}          | $.args.k\\uD800: unpaired surrogate escape \\uD800 in a map key",
      "{\"u\\udfff\": 1}                           | $.u\\uDFFF: unpaired surrogate escape \\uDFFF in a field name",
      "{\"u\": \"\\udfff\"}                        | $.u: unpaired surrogate escape \\uDFFF in a string",
      "{\"extra_fields\": {\"k\": \"\\ud800\"}}   | $.extra_fields.k: unpaired surrogate escape \\uD800 in a string",
      "{\"extra_fields\": {\"\\ud800\": 1}}        | $.extra_fields.\\uD800: unpaired surrogate escape \\uD800 in a field name",
      "{\"business_capability\": \"\\ud800\"}      | $.business_capability: unpaired surrogate escape \\uD800 in a string"})
  void read_withUnpairedSurrogateEscape_isRejectedNamingTheField(String json, String reason) {
    assertThatThrownBy(() -> read(json))
        .isInstanceOf(RecordException.class)
        .hasMessage(reason + " (not a Unicode character; RFC 8259 section 8.2)");
    assertThat(batch.records()).isZero();
  }

  @Test
  void read_withPairedSurrogateEscapes_writesTheCharacter() throws RecordException {
    read("{\"message\": \"a\\ud83d\\ude00b\", \"args\": {\"\\ud83d\\ude00\": \"\\u0000\"}}");

    assertThat(text("message")).isEqualTo("a\ud83d\ude00b");
    assertThat(map("args")).containsExactly(Map.entry("\ud83d\ude00", "\u0000"));
  }

  // ---- extra_fields -------------------------------------------------------------------------------

  @Test
  void read_withUnknownFields_keepsNonStringsAsTheirExactJsonText() throws RecordException {
    read("{\"n\": 42, \"b\": true, \"o\": {\"a\": 1}, \"arr\": [1,2], \"f\": 1.50e3, \"s\": \"text\","
        + " \"neg\": -0.0, \"z\": null, \"nested\": {\"x\" :  [ true , {\"y\":\"é\\n\"} ] }}");

    Map<String, String> extras = map("extra_fields");
    assertThat(extras).containsExactly(
        Map.entry("n", "42"),
        Map.entry("b", "true"),
        Map.entry("o", "{\"a\": 1}"),
        Map.entry("arr", "[1,2]"),
        Map.entry("f", "1.50e3"),
        Map.entry("s", "text"),
        Map.entry("neg", "-0.0"),
        new java.util.AbstractMap.SimpleEntry<>("z", null),
        Map.entry("nested", "{\"x\" :  [ true , {\"y\":\"é\\n\"} ] }"));
  }

  @Test
  void read_fromTheMiddleOfABuffer_copiesRawJsonFromTheRightOffset() throws RecordException {
    byte[] buf = "garbage{\"o\": {\"a\": [1, 2]}}trailing".getBytes(StandardCharsets.UTF_8);

    reader.read(buf, 7, buf.length - 7 - 8, batch);

    assertThat(map("extra_fields")).containsExactly(Map.entry("o", "{\"a\": [1, 2]}"));
  }

  @Test
  void read_withExplicitExtraFields_mergesThemWithUnknownFieldsInOrder() throws RecordException {
    read("{\"x\": 1, \"extra_fields\": {\"y\": \"2\", \"z\": [3]}, \"w\": \"4\"}");

    assertThat(map("extra_fields")).containsExactly(
        Map.entry("x", "1"), Map.entry("y", "2"), Map.entry("z", "[3]"), Map.entry("w", "4"));
  }

  @Test
  void read_withASchemaFieldAlsoInsideExtraFields_isRejected_inEitherOrder() {
    assertRejected("{\"message_id\": \"3\", \"extra_fields\": {\"message_id\": \"clash\"}}",
        "$.extra_fields.message_id: 'message_id' is a field of the record too; give it once");
    assertRejected("{\"extra_fields\": {\"message_id\": \"clash\"}, \"message_id\": \"3\"}",
        "$.extra_fields.message_id: 'message_id' is a field of the record too; give it once");
  }

  @Test
  void read_withASchemaFieldOnlyInsideExtraFields_keepsItThere() throws RecordException {
    read("{\"extra_fields\": {\"message_id\": \"only here\"}}");

    assertThat(map("extra_fields")).containsExactly(Map.entry("message_id", "only here"));
  }

  @Test
  void read_withSameKeyUnknownAndInExtraFields_isRejected() {
    assertRejected("{\"x\": 1, \"extra_fields\": {\"x\": \"2\"}}",
        "$.extra_fields.x: duplicate field 'x' in extra_fields");
    assertRejected("{\"extra_fields\": {\"x\": \"2\"}, \"x\": 1}",
        "$.x: duplicate field 'x' in extra_fields");
  }

  @Test
  void read_withMapOfStrings_keepsNonStringValuesAsJsonText() throws RecordException {
    read("{\"args\": {\"k\": 1, \"s\": \"v\", \"o\": {\"d\": [1]}, \"n\": null}}");

    assertThat(map("args")).containsExactly(Map.entry("k", "1"), Map.entry("s", "v"),
        Map.entry("o", "{\"d\": [1]}"), new java.util.AbstractMap.SimpleEntry<>("n", null));
  }

  // ---- type errors ------------------------------------------------------------------------------------

  @Test
  void read_withWrongJsonTypes_namesTheJsonPath() {
    assertRejected("{\"audit\": \"maybe\"}", "$.audit: expected boolean, got string \"maybe\"");
    assertRejected("{\"audit\": 1}", "$.audit: expected boolean, got number 1");
    assertRejected("{\"tags\": \"a\"}", "$.tags: expected array, got string \"a\"");
    assertRejected("{\"args\": [1]}", "$.args: expected object, got array");
    assertRejected("{\"extra_fields\": 5}", "$.extra_fields: expected object, got number 5");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "[1, 2]   | expected a JSON object, got array",
      "\"text\" | expected a JSON object, got string \"text\"",
      "null     | expected a JSON object, got null",
      "12.5     | expected a JSON object, got number 12.5",
      "''       | expected a JSON object, got end of input",
  })
  void read_withNonObjectRoot_isRejected(String json, String message) {
    assertRejected(json, message);
  }

  @Test
  void read_withSecondObjectAfterTheFirst_reportsTrailingData() {
    assertRejected("{\"message\": \"a\"}{\"message\": \"b\"}", "trailing data after the JSON object: object");
  }

  @Test
  void read_withGarbageAfterTheObject_reportsInvalidJson() {
    assertThatThrownBy(() -> read("{\"message\": \"a\"} x"))
        .isInstanceOf(RecordException.class)
        .hasMessageStartingWith("invalid JSON at column 19: Unrecognized token 'x'");
    assertThat(batch.records()).isZero();
  }

  @Test
  void read_withTruncatedJson_reportsEndOfInput() {
    assertThatThrownBy(() -> read("{\"message\": \"a"))
        .isInstanceOf(RecordException.class)
        .hasMessage("invalid JSON at column 15: the line ends inside a string");
    assertThatThrownBy(() -> read("{\"message\": \"a\","))
        .isInstanceOf(RecordException.class)
        .hasMessageStartingWith("invalid JSON at column ")
        .hasMessageContaining("end-of-input");
  }

  // ---- bytes ------------------------------------------------------------------------------------------

  private static byte[] bytes(String before, byte[] middle, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(middle);
    out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  @Test
  void read_withInvalidUtf8InAString_isRejected() {
    byte[] bad = {(byte) 0xC3, 0x28};

    assertThatThrownBy(() -> read(bytes("{\"message\": \"a", bad, "b\"}")))
        .isInstanceOf(RecordException.class)
        .hasMessageStartingWith("invalid UTF-8 at byte ");
    assertThatThrownBy(() -> read(bytes("{\"o\": [\"a", bad, "\"]}")))
        .isInstanceOf(RecordException.class)
        .hasMessageContaining("UTF-8");
    assertThat(batch.records()).isZero();
  }

  @Test
  void read_withOverlongOrSurrogateUtf8InAString_isRejected() {
    assertThatThrownBy(() -> read(bytes("{\"message\": \"", new byte[] {(byte) 0xC0, (byte) 0x80}, "\"}")))
        .isInstanceOf(RecordException.class);
    assertThatThrownBy(() -> read(bytes("{\"message\": \"", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        "\"}")))
        .isInstanceOf(RecordException.class);
  }

  @Test
  void read_withNonBmpCharacters_keepsTheirExactUtf8Bytes() throws RecordException {
    String text = "deploy 😀 ok 𝄞 ü";
    read("{\"message\": \"" + text + "\", \"thread_name\": \"\\ud83d\\ude00\", \"o\": {\"e\": \"🚀\"}}");

    LeafColumn message = column("message");
    byte[] stored = java.util.Arrays.copyOfRange(message.data(), message.start(0), message.end(0));
    assertThat(stored).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    assertThat(text("thread_name")).isEqualTo("😀");
    assertThat(map("extra_fields")).containsExactly(Map.entry("o", "{\"e\": \"🚀\"}"));
  }

  // ---- nesting -------------------------------------------------------------------------------------

  @Test
  void read_withNestingUpTo64Levels_keepsTheValue() throws RecordException {
    String nested = "[".repeat(63) + "]".repeat(63);

    read("{\"deep\": " + nested + "}");

    assertThat(map("extra_fields")).containsExactly(Map.entry("deep", nested));
  }

  @Test
  void read_withNestingDeeperThan64Levels_isRejected() {
    String nested = "[".repeat(64) + "]".repeat(64);

    assertRejected("{\"deep\": " + nested + "}", "nesting deeper than 64 levels at $.deep");
  }

  // ---- levels ----------------------------------------------------------------------------------------

  private List<int[]> levels(String field) {
    LeafColumn c = column(field);
    List<int[]> out = new ArrayList<>();
    for (int e = 0; e < c.entries(); e++) {
      out.add(new int[] {c.repetition(e), c.definition(e)});
    }
    return out;
  }

  @Test
  void read_withEmptyAbsentOrNullList_writesDistinctDefinitionLevels() throws RecordException {
    Field tags = schema.field("tags");

    read("{\"tags\": []}");
    assertThat(levels("tags")).containsExactly(new int[] {0, tags.definitionLevel()});
    assertThat(tags.definitionLevel()).isEqualTo(1);

    read("{}");
    assertThat(levels("tags")).containsExactly(new int[] {0, 0});

    read("{\"tags\": null}");
    assertThat(levels("tags")).containsExactly(new int[] {0, 0});

    read("{\"tags\": [\"a\", null, \"b\"]}");
    int max = column("tags").maxDefinition();
    assertThat(levels("tags")).containsExactly(new int[] {0, max}, new int[] {1, max - 1}, new int[] {1, max});
    assertThat(utf8(column("tags"), 0)).isEqualTo("a");
    assertThat(utf8(column("tags"), 1)).isEqualTo("b");
  }

  @Test
  void read_withEmptyAbsentOrNullExtraFields_writesDistinctDefinitionLevels() throws RecordException {
    int present = schema.field("extra_fields").definitionLevel();

    read("{\"extra_fields\": {}}");
    assertThat(levels("extra_fields")).containsExactly(new int[] {0, present});

    read("{\"extra_fields\": null}");
    assertThat(levels("extra_fields")).containsExactly(new int[] {0, 0});

    read("{}");
    assertThat(levels("extra_fields")).containsExactly(new int[] {0, 0});
  }

  // ---- state between reads --------------------------------------------------------------------------

  @Test
  void read_afterARecordException_leavesTheBatchEmpty_andTheNextLineReadsCleanly() throws RecordException {
    read("{\"message\": \"good\", \"x\": 1}");
    assertThat(batch.records()).isEqualTo(1);

    assertThatThrownBy(() -> read("{\"message\": \"half\", \"tags\": [\"a\"], \"audit\": \"x\"}"))
        .isInstanceOf(RecordException.class);
    assertThat(batch.records()).isZero();
    for (int leaf = 0; leaf < schema.leafCount(); leaf++) {
      assertThat(batch.column(leaf).entries()).as(schema.leafPath(leaf)).isZero();
    }

    read("{\"message\": \"next\", \"x\": 2}");
    assertThat(batch.records()).isEqualTo(1);
    assertThat(text("message")).isEqualTo("next");
    assertThat(map("extra_fields")).containsExactly(Map.entry("x", "2"));
  }

  @Test
  void read_intoAReusedBatch_holdsExactlyOneRecord() throws RecordException {
    read("{\"message\": \"one\", \"tags\": [\"a\", \"b\"]}");
    read("{\"message\": \"two\"}");

    assertThat(batch.records()).isEqualTo(1);
    assertThat(column("message").entries()).isEqualTo(1);
    assertThat(text("message")).isEqualTo("two");
    assertThat(levels("tags")).hasSize(1);
  }

  /** Every column's levels and values, as text, for comparing batches. */
  private static List<String> snapshot(ColumnBatch b) {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < b.schema().leafCount(); c++) {
      LeafColumn col = b.column(c);
      StringBuilder s = new StringBuilder();
      int v = 0;
      for (int e = 0; e < col.entries(); e++) {
        s.append(col.repetition(e)).append('/').append(col.definition(e));
        if (col.definition(e) == col.maxDefinition()) {
          s.append('=').append(col.isBinary() ? utf8(col, v) : Long.toString(col.longValue(v)));
          v++;
        }
        s.append(' ');
      }
      out.add(s.toString());
    }
    out.add("records=" + b.records());
    return out;
  }

  @Test
  void append_badLineBetweenGoodOnes_leavesTheBatchAsIfItWereNeverRead() throws Exception {
    String good1 = "{\"time\":\"2024-01-01T00:00:00Z\",\"message\":\"one\",\"tags\":[\"a\",\"b\"],"
        + "\"args\":{\"k\":\"v\"},\"x\":1}";
    // fails late: tags, args and an extra field are already shredded when audit turns out wrong
    String bad = "{\"time\":\"2024-01-01T00:00:01Z\",\"message\":\"two\",\"tags\":[\"c\"],"
        + "\"args\":{\"q\":\"w\"},\"y\":2,\"audit\":\"yes\"}";
    String good2 = "{\"message\":\"three\",\"trace_ip\":[\"1.2.3.4\"],\"audit\":true}";
    ColumnBatch staged = new ColumnBatch(schema);
    for (String line : List.of(good1, bad, good2)) {
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      try {
        reader.append(b, 0, b.length, staged);
      } catch (RecordException e) {
        assertThat(line).isSameAs(bad);
      }
    }
    ColumnBatch expected = new ColumnBatch(schema);
    expected.append(read(good1));
    expected.append(read(good2));
    assertThat(snapshot(staged)).isEqualTo(snapshot(expected));

    // handing the staged records on in runs gives each run exactly its records
    ColumnBatch.Cursor at = staged.cursor();
    ColumnBatch first = new ColumnBatch(schema);
    ColumnBatch second = new ColumnBatch(schema);
    first.appendFrom(staged, at, 1);
    second.appendFrom(staged, at, 1);
    assertThat(snapshot(first)).isEqualTo(snapshot(read(good1)));
    assertThat(snapshot(second)).isEqualTo(snapshot(read(good2)));
    assertThat(second.scalarText(schema.field("message"))).isEqualTo("three");
  }

  @Test
  void read_stringsCopiedRawOrDecoded_sameBytesEitherWay() throws Exception {
    read("{\"message\":\"a\\\"b\\u00e9\",\"level\":\"é😀 raw\",\"logger_name\":\"\",\"thread_name\":\"\\\\\"}");
    assertThat(text("message")).isEqualTo("a\"bé");
    assertThat(text("level")).isEqualTo("é😀 raw");
    assertThat(text("logger_name")).isEmpty();
    assertThat(text("thread_name")).isEqualTo("\\");
    assertThatThrownBy(() -> read("{\"message\":\"unterminated}")).isInstanceOf(RecordException.class);
    assertThatThrownBy(() -> read("{\"message\":\"tab\tinside\"}")).isInstanceOf(RecordException.class);
  }
}
