package dev.json2parquet.record;

import static dev.json2parquet.record.ReadColumns.assertSameColumns;
import static dev.json2parquet.record.ReadColumns.outcome;
import static dev.json2parquet.record.ReadColumns.readAsOneRegion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Lines read one after another from one array (a region, as the parser threads read a chunk) give
 * exactly what each line read alone gives: the same records, column by column, and the same reasons
 * for the same rejected lines, whatever the neighbouring lines hold.
 */
class JsonRecordReaderRegionTest {

  private final RecordType type = RecordType.log();

  /** Lines chosen to trip a parser that reads on past a line's end or skips what a lone parser refuses. */
  private static final String[] LINES = {
      "{\"time\":\"2024-11-24T00:00:00.331Z\",\"level\":\"INFO\",\"message\":\"one\",\"tags\":[\"a\",\"b\"],"
          + "\"args\":{\"k0\":\"v\"},\"audit\":false}",
      "",
      "   ",
      "\uFEFF{\"message\":\"after a byte order mark\"}",
      "  \t{\"message\":\"spaces around\"} \t\r",
      "{\"message\":\"a\"}{\"message\":\"two objects\"}",
      "{\"message\":\"trailing\"} x",
      "{\"message\":\"unclosed\"",
      ",\"level\":\"INFO\"}",
      "{\"message\":\"string cut at the line end",
      "\"}",
      "{\"message\":",
      "\"value on the next line\"}",
      "{\"message\":\"escapes \\n \\\" \\\\ \\/ \\b \\f \\r \\t \\u00e9 \\u20ac \\u0041 \\u0000 end\"}",
      "{\"message\":\"pair \\ud83d\\ude00 escaped\"}",
      "{\"message\":\"unpaired \\ud800 escape\"}",
      "{\"message\":\"bad escape \\x\"}",
      "{\"message\":\"bad hex \\u12g4\"}",
      "{\"message\":\"raw\ttab\"}",
      "{\"message\":\"escaped then raw \\n \u0001\"}",
      "[1,2]",
      "{\"audit\":\"yes\"}",
      "{\"message\":\"m\",\"extra\":{\"a\":[1,{\"b\":\"c\"}],\"n\":-0.5e3}}",
      "{}",
      "}",
      "{\"message\":\"after a lone brace\"}",
      "{" + "\"extra\":[".repeat(70) + "]".repeat(70) + "}",
      "{\"message\":\"caf\u00e9 \u20ac \uD83D\uDE00 utf-8\"}",
      "{\"level\":\"WARN\",\"message\":\"last\"}",
  };

  @Test
  void region_givesWhatEachLineAloneGives() {
    List<byte[]> lines = new ArrayList<>();
    for (String l : LINES) {
      lines.add(l.getBytes(StandardCharsets.UTF_8));
    }
    lines.add(new byte[] {'{', '"', 'm', 'e', 's', 's', 'a', 'g', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'});
    lines.add(LINES[0].getBytes(StandardCharsets.UTF_8));
    assertSameAsAlone(lines);
  }

  @Test
  void region_ofGeneratedLogLines_givesWhatEachLineAloneGives() {
    List<byte[]> lines = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder("{\"level\":\"INFO\"");
      if (random.nextBoolean()) {
        sb.append(",\"message\":\"").append(randomText(random)).append('"');
      }
      if (random.nextInt(4) == 0) {
        sb.append(",\"stack_trace\":\"  at a.b(c.java:1)\\n  at d.e(f.java:2)\"");
      }
      if (random.nextInt(3) == 0) {
        sb.append(",\"unknown_").append(random.nextInt(5)).append("\":").append(random.nextInt(100));
      }
      sb.append(random.nextInt(50) == 0 ? "" : "}");
      lines.add(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    assertSameAsAlone(lines);
  }

  @Test
  void stringsWithEscapes_areDecodedAsJsonDefinesThem() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Random random = new Random(11);
    JsonRecordReader reader = new JsonRecordReader(type);
    ColumnBatch batch = new ColumnBatch(type.schema());
    Field message = type.schema().field("message");
    for (int i = 0; i < 3000; i++) {
      String line = "{\"message\":\"" + randomText(random) + "\"}";
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      String expected;
      try {
        expected = json.readTree(b).get("message").asText();
      } catch (Exception notJson) {
        continue;
      }
      try {
        reader.read(b, 0, b.length, batch);
      } catch (RecordException e) {
        // only an unpaired surrogate escape is refused among valid JSON strings
        assertThat(e.getMessage()).as(line).contains("unpaired surrogate");
        continue;
      }
      assertThat(batch.scalarText(message)).as(line).isEqualTo(expected);
    }
  }

  /** Text with JSON escapes of every kind (some malformed), multi-byte characters and plain ASCII. */
  private static String randomText(Random random) {
    String[] pieces = {"a", "plain words ", "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t", "\\u00e9",
        "\\u20AC", "\\u0000", "\\u007f", "\\u07ff", "\\u0800", "\\uffff", "\\ud83d\\ude00", "\\ud800", "\\udc00",
        "\u00e9", "\u20ac", "\uD83D\uDE00", "\\x", "\\u12", "\\u00G0", "\t"};
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(8);
    for (int i = 0; i < n; i++) {
      sb.append(pieces[random.nextInt(pieces.length)]);
    }
    return sb.toString();
  }

  private void assertSameAsAlone(List<byte[]> lines) {
    JsonRecordReader alone = new JsonRecordReader(type);
    ColumnBatch expected = new ColumnBatch(type.schema());
    List<String> expectedOutcomes = new ArrayList<>();
    for (byte[] line : lines) {
      expectedOutcomes.add(outcome(alone, line, 0, line.length, expected));
    }

    ColumnBatch actual = new ColumnBatch(type.schema());
    List<String> outcomes = readAsOneRegion(new JsonRecordReader(type), lines, actual);

    assertThat(outcomes).containsExactlyElementsOf(expectedOutcomes);
    assertSameColumns(type, actual, expected);
  }
}
