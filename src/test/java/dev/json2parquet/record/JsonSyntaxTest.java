package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reasons for lines the parser rejects say what is wrong with the line, never which parser switch would allow it. */
class JsonSyntaxTest {
  private final JsonRecordReader reader = new JsonRecordReader(RecordType.log());
  private final ColumnBatch batch = new ColumnBatch(RecordType.log().schema());

  private String reason(String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    try {
      reader.read(b, 0, b.length, batch);
    } catch (RecordException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + line);
  }

  /** Every kind of syntax error the parser reports, one line each. */
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"a\":NaN}", "{\"a\":-NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":+Infinity}", "{\"a\":+1}",
      "{\"a\":.5}", "{\"a\":1.}", "{\"a\":01}", "{\"a\":1 /* c */}", "{\"a\":1 // c}", "{\"a\":1 # c}", "{'a':1}",
      "{\"a\":'x'}", "{a:1}", "{\"a\":\"x\ty\"}", "{\"\u0001\":1}", "{\"a\":\"\\x\"}", "{\"a\":[1,,2]}",
      "{\"a\":[1,2,]}", "{\"a\":1,}", "{\"a\":nul}", "{\"a\":\"\\u12\"}", "{\"a\":1e}", "{\"a\":-}", "{\"a\":0x10}",
      "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\"", "{\"a\":\"x", "{\"a\":[1", "{\"a\":{\"b\":1}", "{\"a", "{,}",
      "{\"a\":1}\u0000", "{\"a\":\u0000}", "\u0000"})
  void reason_neverNamesAParserSwitch(String line) {
    assertThat(reason(line)).startsWith("invalid JSON at column ")
        .doesNotContain("Feature", "ALLOW_", "enable", "StreamRead", "REDACTED", "VALUE_STRING", "FIELD_NAME",
            "`", "[Source");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"a\":NaN}            | invalid JSON at column 6: NaN is not a JSON number",
      "{\"a\":-Infinity}      | invalid JSON at column 6: -Infinity is not a JSON number",
      "{\"a\":+1}             | invalid JSON at column 7: a JSON number may not start with '+'",
      "{\"a\":1 /* c */}      | invalid JSON at column 8: comments are not allowed in JSON",
      "{\"a\":[1              | invalid JSON at column 8: the array that starts at column 6 is not closed",
      "{\"a\":{\"b\":1}       | invalid JSON at column 13: the object that starts at column 1 is not closed",
      "{\"a\":\"x             | invalid JSON at column 8: the line ends inside a string"})
  void reason_saysWhatIsWrong(String line, String expected) {
    assertThat(reason(line)).isEqualTo(expected);
  }

  @Test
  void reason_ofOverlongNumberOrDeepNesting_namesTheLimit() {
    assertThat(reason("{\"a\":" + "1".repeat(1001) + "}")).isEqualTo("a number of 1001 characters: longer than the 1000 allowed");
    assertThat(reason("{\"extra\":" + "[".repeat(70) + "]".repeat(70) + "}")).startsWith("nesting deeper than 64 levels at $.extra");
  }

  @Test
  void read_stringLongerThanTheParsersDefaultLimit_isAccepted() throws RecordException {
    String big = "\\u00e9" + "x".repeat(21_000_000);
    byte[] b = ("{\"message\":\"" + big + "\"}").getBytes(StandardCharsets.UTF_8);
    reader.read(b, 0, b.length, batch);
    assertThat(batch.scalarText(RecordType.log().schema().field("message"))).hasSize(21_000_001);
    assertThatThrownBy(() -> reader.read(new byte[] {'{'}, 0, 1, batch)).isInstanceOf(RecordException.class);
  }
}
