package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: a string built from random escapes (valid surrogate pairs, lone high and low halves,
 * reversed pairs, escaped NUL and other characters, raw non-ASCII and non-BMP characters, U+FFFD
 * itself) either reads back from the Parquet file byte for byte, in whatever column kind holds it,
 * or its line is dead-lettered; never a replacement character that was not in the input.
 */
class EscapedStringsPropertyTest {
  @TempDir
  Path dir;

  /** Where line {@code n} puts its string: a string column, a list item, a map key or value, an unknown field's name or value. */
  static final String[] PLACES = {"{\"s\":%s}", "{\"l\":[\"a\",%s]}", "{\"m\":{%s:\"v\"}}", "{\"m\":{\"k\":%s}}",
      "{%s:1}", "{\"u\":%s}"};

  @Test
  void convert_randomEscapedStrings_roundTripByteForByteOrAreDeadLettered() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    int lines = 1200;
    StringBuilder in = new StringBuilder();
    Map<Long, String> expected = new HashMap<>();
    Map<Long, Boolean> valid = new HashMap<>();
    for (long n = 1; n <= lines; n++) {
      StringBuilder json = new StringBuilder("\"");
      StringBuilder decoded = new StringBuilder();
      int segments = 1 + random.nextInt(8);
      for (int i = 0; i < segments; i++) {
        segment(random, json, decoded);
      }
      json.append('"');
      String place = PLACES[(int) (n % PLACES.length)];
      String record = String.format(place, json);
      in.append("{\"n\":").append(n).append(',').append(record, 1, record.length()).append('\n');
      expected.put(n, decoded.toString());
      valid.put(n, isWellFormed(decoded));
    }
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, in, StandardCharsets.UTF_8);
    Path schema = dir.resolve("schema.json");
    Files.writeString(schema, ExactValuesTest.SCHEMA); // n, s, l and m, among others
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--schema", schema.toString(),
        "--partition", "", "--key", "", file.toString());

    long good = valid.values().stream().filter(v -> v).count();
    assertThat(good).as("seed %d: some strings of each kind", seed).isBetween(lines / 5L, lines - lines / 10L);
    assertThat(run.err()).as("seed %d", seed).contains(lines + " records read, " + good + " written",
        (lines - good) + " dead-lettered");
    Map<Long, String> rejected = new TreeMap<>();
    for (JsonNode e : BadInputTest.dlqEntries(out.resolve("_dlq"))) {
      rejected.put(e.get("line").asLong(), e.get("error").asText());
    }
    for (Map.Entry<Long, Boolean> v : valid.entrySet()) {
      if (!v.getValue()) {
        assertThat(rejected.get(v.getKey())).as("seed %d, line %d: %s", seed, v.getKey(), expected.get(v.getKey()))
            .contains("unpaired surrogate escape");
      }
    }
    assertThat(rejected).hasSize((int) (lines - good));
    try (DuckDb db = new DuckDb()) {
      List<Map<String, Object>> rows = db.query("SELECT n, s, l[2] AS item, map_keys(m)[1] AS mkey, map_values(m)[1] AS mvalue,"
          + " map_keys(_extra)[1] AS xkey, map_values(_extra)[1] AS xvalue FROM read_parquet('" + out + "/*.parquet') ORDER BY n");
      assertThat(rows).hasSize((int) good);
      for (Map<String, Object> r : rows) {
        long n = ((Number) r.get("n")).longValue();
        assertThat(valid.get(n)).as("seed %d, line %d written", seed, n).isTrue();
        String got = switch ((int) (n % PLACES.length)) {
          case 0 -> (String) r.get("s");
          case 1 -> (String) r.get("item");
          case 2 -> (String) r.get("mkey");
          case 3 -> (String) r.get("mvalue");
          case 4 -> (String) r.get("xkey");
          default -> (String) r.get("xvalue");
        };
        assertThat(got.getBytes(StandardCharsets.UTF_8)).as("seed %d, line %d", seed, n)
            .isEqualTo(expected.get(n).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /** Appends one random piece of string to the JSON text and what it decodes to. */
  private static void segment(Random random, StringBuilder json, StringBuilder decoded) {
    int kind = random.nextInt(12);
    switch (kind) {
      case 0 -> { // a valid escaped pair of a random supplementary character
        int cp = 0x10000 + random.nextInt(0x100000);
        char[] pair = Character.toChars(cp);
        escape(json, pair[0]);
        escape(json, pair[1]);
        decoded.append(pair);
      }
      case 1 -> { // a lone high half (maybe completed by the next segment)
        char c = (char) (0xD800 + random.nextInt(0x400));
        escape(json, c);
        decoded.append(c);
      }
      case 2 -> { // a lone low half
        char c = (char) (0xDC00 + random.nextInt(0x400));
        escape(json, c);
        decoded.append(c);
      }
      case 3 -> { // a reversed pair
        char[] pair = Character.toChars(0x10000 + random.nextInt(0x100000));
        escape(json, pair[1]);
        escape(json, pair[0]);
        decoded.append(pair[1]).append(pair[0]);
      }
      case 4 -> {
        json.append("\\u0000");
        decoded.append('\u0000');
      }
      case 5 -> { // a raw non-BMP character
        String s = new String(Character.toChars(0x1F600 + random.nextInt(64)));
        json.append(s);
        decoded.append(s);
      }
      case 6 -> { // U+FFFD itself, raw or escaped: it is in the input, so it is kept
        json.append(random.nextBoolean() ? "\ufffd" : "\\ufffd");
        decoded.append('\ufffd');
      }
      case 7 -> { // an escaped BMP character outside the surrogates
        char c = (char) (0x80 + random.nextInt(0xD800 - 0x80));
        escape(json, c);
        decoded.append(c);
      }
      case 8 -> {
        json.append("\\\"\\\\\\n\\t\\/");
        decoded.append("\"\\\n\t/");
      }
      default -> { // plain text, raw non-ASCII included
        String s = random.nextBoolean() ? "abc" : "\u00e9\u4e2d";
        json.append(s);
        decoded.append(s);
      }
    }
  }

  private static void escape(StringBuilder json, char c) {
    json.append(String.format("\\u%04x", (int) c));
  }

  private static boolean isWellFormed(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
