package dev.json2parquet.record;

import static dev.json2parquet.record.ReadColumns.assertSameColumns;
import static dev.json2parquet.record.ReadColumns.outcome;
import static dev.json2parquet.record.ReadColumns.readAsOneRegion;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reader's direct path (lines read from their bytes without Jackson) gives exactly what the
 * Jackson path gives: the same records column by column, byte for byte, and the same reasons for
 * the same rejected lines; and it does take the common lines.
 */
class DirectLineReaderTest {

  private static final RecordType LOG = RecordType.log();

  /** Required boolean, required string, lists and maps of strings, no catch-all: unknown fields dead-lettered. */
  private static final RecordType STRICT = RecordType.dynamic(new RecordSchema("Strict", List.of(
      Field.primitive("id", FieldType.STRING, true),
      Field.primitive("ok", FieldType.BOOLEAN, true),
      Field.primitive("note", FieldType.STRING, false),
      Field.primitive("n", FieldType.INT64, false),
      Field.list("tags", true, Field.primitive("element", FieldType.STRING, true)),
      Field.map("attrs", false, Field.primitive("value", FieldType.STRING, false)))), UnknownFields.DLQ);

  private static final String[] LOG_LINES = {
      "{\"time\":\"2024-11-24T00:00:00.331Z\",\"level\":\"INFO\",\"message\":\"reset processed\","
          + "\"business_capability\":\"identity\",\"business_domain\":\"cards\",\"business_service\":\"api\","
          + "\"application_service\":\"notifier\",\"message_id\":\"m0\",\"audit\":false,\"tags\":[\"prod\"],"
          + "\"args\":{\"k0\":\"failed\",\"k1\":\"token\"}}",
      "{\"time\":\"2024-11-24T00:00:00.185Z\",\"level\":\"DEBUG\",\"message\":\"x\",\"session_id\":\"4cdd\","
          + "\"audit\":true,\"tags\":[\"canary\",\"blue\"],\"trace_ip\":[\"10.215.20.39\",\"10.160.174.179\"]}",
      "{\"message\":\"trace\",\"stack_trace\":\"  at a.b(c.java:1)\\n  at d.e(f.java:2)\\t\\\"q\\\" \\u00e9\\u20ac\\/\"}",
      "  {\"message\" : \"spaced\" , \"tags\" : [ \"a\" , \"b\" ] , \"args\" : { \"k\" : \"v\" } }\t\r",
      "{}",
      "{\"tags\":[],\"args\":{},\"trace_ip\":null,\"audit\":null,\"message\":null,\"level\":null}",
      "{\"msg\":\"alias\",\"lvl\":\"WARN\",\"timestamp\":\"2024-01-01T00:00:00Z\"}",
      "{\"message\":\"caf\u00e9 \u20ac \uD83D\uDE00 raw utf-8\",\"args\":{\"cl\u00e9\":\"\u20ac\"}}",
      "{\"message\":\"a\",\"message\":\"repeated\"}",
      "{\"message\":\"a\",\"msg\":\"name and alias\"}",
      "{\"message\":\"a\",\"unknown\":1}",
      "{\"message\":\"a\",\"extra_fields\":{\"tenant\":\"t1\",\"build\":\"b\\n2\",\"none\":null}}",
      "{\"message\":\"a\",\"extra_fields\":null}",
      "{\"message\":\"a\",\"extra_fields\":{}}",
      "{\"message\":\"a\",\"extra_fields\":{\"x\":\"1\",\"x\":\"2\"}}",
      "{\"message\":\"a\",\"args\":{\"k\":\"a\",\"k\":\"b\"}}",
      "{\"message\":\"a\",\"args\":{\"k0\":\"a\",\"k1\":\"a\",\"k2\":\"a\",\"k3\":\"a\",\"k4\":\"a\",\"k5\":\"a\",\"k6\":\"a\",\"k7\":\"a\",\"k8\":\"a\",\"k3\":\"b\"}}",
      "{\"extra_fields\":{\"level\":\"in both\"},\"level\":\"INFO\"}",
      "{\"extra_fields\":{\"lvl\":\"alias in both\"},\"level\":\"INFO\"}",
      "{\"extra_fields\":{\"level\":\"only inside\"}}",
      "{\"extra_fields\":{\"extra_fields\":\"itself\"}}",
      "{\"extra_fields\":{\"n\":1,\"o\":{\"p\":[]}}}",
      "{\"extra_fields\":\"not an object\"}",
      "{\"extra_fields\":{\"a\":\"b\"},\"unknown\":\"also extra\"}",
      "{\"message\":12}",
      "{\"message\":\"a\",\"tags\":[\"x\",null]}",
      "{\"message\":\"a\",\"tags\":[\"x\",1]}",
      "{\"message\":\"a\",\"args\":{\"k\":1,\"j\":null}}",
      "{\"message\":\"a\",\"args\":{\"k\\u0041\":\"escaped key\"}}",
      "{\"mess\\u0061ge\":\"escaped name\"}",
      "{\"message\":\"unpaired \\ud800 escape\"}",
      "{\"message\":\"pair \\ud83d\\ude00\"}",
      "{\"message\":\"bad escape \\x\"}",
      "{\"message\":\"raw\ttab\"}",
      "{\"message\":\"escaped then raw \\n \u0001\"}",
      "{\"args\":{\"raw\u0001key\":\"v\"}}",
      "{\"message\":\"a\"} x",
      "{\"message\":\"a\"}{\"message\":\"b\"}",
      "{\"message\":\"a\",}",
      "{\"message\":\"a\" \"level\":\"b\"}",
      "{\"tags\":[\"a\",]}",
      "{\"tags\":[\"a\"\"b\"]}",
      "{\"args\":{\"k\":\"v\",}}",
      "{\"audit\":truex}",
      "{\"audit\":tru}",
      "{\"audit\":false ,\"message\":nul}",
      "{\"audit\":\"yes\"}",
      "\uFEFF{\"message\":\"byte order mark\"}",
      "{\"message\":\"unclosed\"",
      "{\"message\":\"string cut",
      "{\"message\":",
      "[1,2]",
      "",
      "\u000b{\"message\":\"vertical tab\"}",
      "{\"message\":\"a\"}\u000b",
  };

  private static final String[] STRICT_LINES = {
      "{\"id\":\"a\",\"ok\":true,\"tags\":[\"x\"],\"attrs\":{\"k\":\"v\"}}",
      "{\"id\":\"a\",\"ok\":true,\"tags\":[]}",
      "{\"id\":\"a\",\"ok\":true}",
      "{\"ok\":true,\"tags\":[\"x\"]}",
      "{\"id\":null,\"ok\":true,\"tags\":[\"x\"]}",
      "{\"id\":\"a\",\"ok\":null,\"tags\":[\"x\"]}",
      "{\"id\":\"a\",\"ok\":true,\"tags\":[\"x\"],\"n\":5}",
      "{\"id\":\"a\",\"ok\":true,\"tags\":[\"x\"],\"other\":\"y\"}",
      "{\"id\":\"a\",\"ok\":true,\"tags\":[\"x\"],\"attrs\":{\"k\":null}}",
      "{\"id\":\"a\",\"ok\":true,\"tags\":[null]}",
      "{\"id\":\"a\",\"ok\":true,\"tags\":null}",
      "{\"id\":\"a\",\"ok\":true,\"tags\":[\"x\"],\"note\":\"\\u00e9\\n\",\"attrs\":{}}",
      "{\"id\":1,\"ok\":true,\"tags\":[\"x\"]}",
  };

  @Test
  void commonLogLines_areReadWithoutJackson() throws RecordException {
    JsonRecordReader reader = new JsonRecordReader(LOG);
    ColumnBatch batch = new ColumnBatch(LOG.schema());
    for (int i = 0; i < 8; i++) {
      byte[] b = LOG_LINES[i].getBytes(StandardCharsets.UTF_8);
      reader.append(b, 0, b.length, batch);
    }
    assertThat(reader.directLines()).isEqualTo(8);
    byte[] extra = LOG_LINES[11].getBytes(StandardCharsets.UTF_8);
    reader.append(extra, 0, extra.length, batch);
    assertThat(reader.directLines()).isEqualTo(9);
    byte[] unknown = LOG_LINES[10].getBytes(StandardCharsets.UTF_8);
    reader.append(unknown, 0, unknown.length, batch);
    assertThat(reader.directLines()).isEqualTo(9);
  }

  @Test
  void logLines_giveWhatJacksonGives() {
    assertSameAsJackson(LOG, lines(LOG_LINES), true);
  }

  @Test
  void strictSchemaLines_giveWhatJacksonGives() {
    assertSameAsJackson(STRICT, lines(STRICT_LINES), true);
  }

  @Test
  void longStrings_andStringsEndingAtEveryOffset_giveWhatJacksonGives() {
    List<byte[]> lines = new ArrayList<>();
    String[] tails = {"", "\\n", "\u00e9", "\\\"", "\u0001", "\\u00e9", "\"", "\\"};
    for (int n = 0; n < 40; n++) {
      for (String tail : tails) {
        lines.add(("{\"message\":\"" + "x".repeat(n) + tail + "\",\"tags\":[\"" + "y".repeat(n) + tail + "\"]}")
            .getBytes(StandardCharsets.UTF_8));
        // the string runs to the line's end: no closing quote within the line
        lines.add(("{\"message\":\"" + "x".repeat(n) + tail).getBytes(StandardCharsets.UTF_8));
      }
    }
    lines.add(("{\"message\":\"" + "long \\n line \u20ac ".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8));
    assertSameAsJackson(LOG, lines, false);
  }

  @Test
  void runsAfterAnEscape_endingAtEveryOffset_giveWhatJacksonGives() {
    List<byte[]> lines = new ArrayList<>();
    String[] tails = {"", "\\n", "\u00e9", "\\\"", "\u0001", "\\u20ac", "\"", "\\", "\t", "\\x"};
    for (int n = 0; n < 40; n++) {
      for (String tail : tails) {
        String run = "\\n" + "x".repeat(n) + tail + "y".repeat(n % 9) + "\\t\u00e9" + "z".repeat(n);
        lines.add(("{\"stack_trace\":\"" + run + "\",\"tags\":[\"" + run + "\"]}").getBytes(StandardCharsets.UTF_8));
        // the string runs to the line's end: no closing quote within the line
        lines.add(("{\"message\":\"" + run).getBytes(StandardCharsets.UTF_8));
      }
    }
    assertSameAsJackson(LOG, lines, false);
  }

  @Test
  void invalidUtf8AtEveryPosition_isRejectedAsByJackson() {
    byte[][] bad = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0xC3, (byte) 0xA9}};
    byte[] seed = ("{\"message\":\"ab\\ncd\",\"tags\":[\"t\"],\"args\":{\"k\":\"v\"},"
        + "\"extra_fields\":{\"x\":\"y\\t\"}}").getBytes(StandardCharsets.UTF_8);
    List<byte[]> lines = new ArrayList<>();
    for (byte[] insert : bad) {
      for (int at = 0; at <= seed.length; at++) {
        lines.add(splice(seed, at, 0, insert));
      }
    }
    assertSameAsJackson(LOG, lines, true);
  }

  @Test
  void mutatedLines_giveWhatJacksonGives() {
    Random random = new Random(12);
    byte[] alphabet = "\"\\,:{}[] \tntfrue0lu\u0001x".getBytes(StandardCharsets.UTF_8);
    for (RecordType type : List.of(LOG, STRICT)) {
      List<byte[]> seeds = lines(type == LOG ? LOG_LINES : STRICT_LINES);
      List<byte[]> lines = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        for (int m = random.nextInt(3); m >= 0 && b.length > 0; m--) {
          int at = random.nextInt(b.length);
          switch (random.nextInt(4)) {
            case 0 -> b[at] = alphabet[random.nextInt(alphabet.length)];
            case 1 -> b = splice(b, at, 1, new byte[0]);
            case 2 -> b = splice(b, at, 0, new byte[] {alphabet[random.nextInt(alphabet.length)]});
            default -> b[at] = (byte) (0x80 | random.nextInt(0x80));
          }
        }
        lines.add(b);
      }
      assertSameAsJackson(type, lines, false);
    }
  }

  /** Names around the lengths where the direct path compares them word by word (up to 31 bytes, quote included). */
  private static final RecordType LONG_NAMES = RecordType.dynamic(new RecordSchema("LongNames", List.of(
      Field.primitive("a", FieldType.STRING, false),
      Field.primitive("name_of_7", FieldType.STRING, false),
      Field.primitive("seven_8", FieldType.STRING, false),
      Field.primitive("fifteen_bytes_1", FieldType.STRING, false),
      Field.primitive("the_name_of_thirty_one_bytes_01", FieldType.STRING, false),
      Field.primitive("the_name_of_thirty_two_bytes_012", FieldType.STRING, false),
      Field.primitive("caf\u00e9", FieldType.STRING, false))), UnknownFields.DLQ);

  @Test
  void namesThatDifferFromTheOneExpected_giveWhatJacksonGives() {
    // each line after a line of the same names in the same order, so that the reader expects each
    // name: then one byte of one name (its closing quote included) is changed
    String[] names = {"a", "name_of_7", "seven_8", "fifteen_bytes_1", "the_name_of_thirty_one_bytes_01",
        "the_name_of_thirty_two_bytes_012", "caf\u00e9"};
    StringBuilder seed = new StringBuilder("{");
    for (String name : names) {
      seed.append(seed.length() > 1 ? "," : "").append('"').append(name).append("\":\"v\"");
    }
    byte[] line = seed.append('}').toString().getBytes(StandardCharsets.UTF_8);
    byte[] replacements = "X\"\\: \u0001".getBytes(StandardCharsets.UTF_8);
    List<byte[]> lines = new ArrayList<>();
    for (int at = 1; at < line.length; at++) {
      for (byte r : replacements) {
        if (line[at] != r) {
          lines.add(line);
          byte[] changed = line.clone();
          changed[at] = r;
          lines.add(changed);
        }
      }
    }
    for (int cut = 1; cut < line.length; cut++) {
      lines.add(line);
      lines.add(java.util.Arrays.copyOf(line, cut)); // the line ends inside or right after a name
    }
    assertSameAsJackson(LONG_NAMES, lines, true);
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(b, 0, at);
    out.writeBytes(insert);
    out.write(b, at + remove, b.length - at - remove);
    return out.toByteArray();
  }

  private static List<byte[]> lines(String[] texts) {
    List<byte[]> lines = new ArrayList<>();
    for (String t : texts) {
      lines.add(t.getBytes(StandardCharsets.UTF_8));
    }
    return lines;
  }

  /**
   * Reads every line with Jackson alone, then with the direct path (each line alone, and all of them
   * as one region, as the parser threads read a chunk): same outcomes, same columns.
   */
  private static void assertSameAsJackson(RecordType type, List<byte[]> lines, boolean someDirect) {
    JsonRecordReader jackson = new JsonRecordReader(type, false);
    ColumnBatch expected = new ColumnBatch(type.schema());
    List<String> expectedOutcomes = new ArrayList<>();
    for (byte[] line : lines) {
      expectedOutcomes.add(outcome(jackson, line, 0, line.length, expected));
    }
    assertThat(jackson.directLines()).isZero();

    JsonRecordReader direct = new JsonRecordReader(type);
    ColumnBatch alone = new ColumnBatch(type.schema());
    List<String> aloneOutcomes = new ArrayList<>();
    for (byte[] line : lines) {
      aloneOutcomes.add(outcome(direct, line, 0, line.length, alone));
    }
    for (int i = 0; i < lines.size(); i++) {
      assertThat(aloneOutcomes.get(i)).as(new String(lines.get(i), StandardCharsets.UTF_8))
          .isEqualTo(expectedOutcomes.get(i));
    }
    assertSameColumns(type, alone, expected);
    if (someDirect) {
      assertThat(direct.directLines()).isPositive();
    }

    ColumnBatch region = new ColumnBatch(type.schema());
    List<String> regionOutcomes = readAsOneRegion(new JsonRecordReader(type), lines, region);
    assertThat(regionOutcomes).containsExactlyElementsOf(expectedOutcomes);
    assertSameColumns(type, region, expected);
  }
}
