package dev.json2parquet.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LogGeneratorTest {

  private static final Instant START = Instant.parse("2024-11-24T03:04:05.123Z");
  private static final JsonFactory JSON = new JsonFactory();

  private static final Set<String> REQUIRED = Set.of("time", "level", "message",
      "business_capability", "business_domain", "business_service", "application_service");
  private static final Set<String> OPTIONAL_STRINGS = Set.of("correlation_id", "session_id",
      "message_id", "person_id", "user_id", "device_id", "resource_type", "cloud_provider",
      "source_id", "http_response", "error_code", "stack_trace", "duration", "region", "az",
      "transaction_message_reference", "ttl", "logger_name", "thread_name");
  private static final Set<String> BOOLEANS = Set.of("audit", "auto_index");
  private static final Set<String> LISTS = Set.of("trace_ip", "tags");
  private static final Set<String> MAPS = Set.of("args", "extra_fields");
  private static final Pattern RFC3339_MILLIS =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

  /** One generated run: its bytes and the count of invalid lines it reported. */
  private record Run(byte[] bytes, long bad) {
    List<Map<String, Object>> parsedLines() {
      List<Map<String, Object>> out = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          out.add(parseLog(bytes, start, i - start));
          start = i + 1;
        }
      }
      assertThat(start).as("output ends with a newline").isEqualTo(bytes.length);
      return out;
    }
  }

  private static Run run(long count, long seed, int keys, double badRatio) {
    return run(count, seed, keys, badRatio, LogGenerator.Options.DEFAULT_RATE);
  }

  private static Run run(long count, long seed, int keys, double badRatio, double rate) {
    var out = new ByteArrayOutputStream();
    try {
      long bad = new LogGenerator(new LogGenerator.Options(count, seed, keys, badRatio, START, rate))
          .write(out);
      return new Run(out.toByteArray(), bad);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses one line as a single Log object with the schema's types, forcing every string to be
   * decoded. Returns its fields, or null if the line is not that: Jackson fails, the root is not
   * an object, tokens follow it, or a field is unknown, repeated or of the wrong JSON type.
   */
  private static Map<String, Object> parseLog(byte[] buf, int offset, int length) {
    try (JsonParser p = JSON.createParser(buf, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken token = p.nextToken();
        Object value;
        if (BOOLEANS.contains(name)) {
          if (!token.isBoolean()) {
            return null;
          }
          value = p.getBooleanValue();
        } else if (LISTS.contains(name)) {
          if (token != JsonToken.START_ARRAY) {
            return null;
          }
          List<String> list = new ArrayList<>();
          while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.VALUE_STRING) {
              return null;
            }
            list.add(p.getText());
          }
          value = list;
        } else if (MAPS.contains(name)) {
          if (token != JsonToken.START_OBJECT) {
            return null;
          }
          Map<String, String> map = new LinkedHashMap<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING || map.put(key, p.getText()) != null) {
              return null;
            }
          }
          value = map;
        } else if (REQUIRED.contains(name) || OPTIONAL_STRINGS.contains(name)) {
          if (token != JsonToken.VALUE_STRING) {
            return null;
          }
          value = p.getText();
        } else {
          return null;
        }
        if (fields.put(name, value) != null) {
          return null;
        }
      }
      return p.nextToken() == null ? fields : null;
    } catch (IOException e) {
      return null;
    }
  }

  @Test
  void write_sameSeed_sameBytes() throws IOException {
    var generator = new LogGenerator(new LogGenerator.Options(5000, 42, 20, 0.1, START));
    var first = new ByteArrayOutputStream();
    var second = new ByteArrayOutputStream();
    generator.write(first);
    generator.write(second);

    assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
    assertThat(run(5000, 42, 20, 0.1).bytes()).isEqualTo(first.toByteArray());
  }

  @Test
  void write_differentSeeds_differentBytes() {
    assertThat(run(1000, 1, 20, 0.1).bytes()).isNotEqualTo(run(1000, 2, 20, 0.1).bytes());
  }

  @Test
  void write_anyBadRatio_writesExactlyCountLines() {
    for (double badRatio : new double[] {0, 0.3, 1}) {
      Run run = run(3000, 7, 10, badRatio);
      long newlines = 0;
      for (byte b : run.bytes()) {
        newlines += b == '\n' ? 1 : 0;
        assertThat(b).as("no raw carriage return").isNotEqualTo((byte) '\r');
      }
      assertThat(newlines).as("lines at bad ratio %s", badRatio).isEqualTo(3000);
      assertThat(run.bytes()[run.bytes().length - 1]).isEqualTo((byte) '\n');
    }
    assertThat(run(0, 7, 10, 0.5)).satisfies(r -> {
      assertThat(r.bytes()).isEmpty();
      assertThat(r.bad()).isZero();
    });
  }

  @Test
  void write_badRatioZero_everyLineIsLogObjectWithRequiredFields() {
    Run run = run(20_000, 3, 50, 0);

    assertThat(run.bad()).isZero();
    assertThat(run.parsedLines()).hasSize(20_000).allSatisfy(fields -> {
      assertThat(fields).as("a valid Log object").isNotNull();
      assertThat(fields.keySet()).containsAll(REQUIRED).contains("message_id");
      assertThat((String) fields.get("time")).matches(RFC3339_MILLIS);
    });
  }

  @Test
  void write_20000Records_everySchemaFieldAppears() {
    Set<String> seen = new HashSet<>();
    run(20_000, 11, 50, 0).parsedLines().forEach(fields -> seen.addAll(fields.keySet()));

    Set<String> schema = new HashSet<>(REQUIRED);
    schema.addAll(OPTIONAL_STRINGS);
    schema.addAll(BOOLEANS);
    schema.addAll(LISTS);
    schema.addAll(MAPS);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(schema);
  }

  @Test
  void write_keys50_writesExactly50DistinctKeyTuplesWithSkew() {
    Map<List<Object>, Integer> counts = new HashMap<>();
    for (Map<String, Object> f : run(20_000, 5, 50, 0).parsedLines()) {
      counts.merge(List.of(f.get("business_capability"), f.get("business_domain"),
          f.get("business_service"), f.get("application_service")), 1, Integer::sum);
    }

    assertThat(counts).hasSize(50);
    int max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    int min = counts.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    assertThat(max).as("hottest key").isGreaterThan(10 * min);
    assertThat(run(2000, 5, 1, 0).parsedLines().stream()
        .map(f -> f.get("business_capability") + "/" + f.get("application_service"))
        .distinct()).hasSize(1);
  }

  @Test
  void write_keysBeyondWordCombinations_staysDistinctWithSuffixes() {
    Set<List<Object>> tuples = new HashSet<>();
    Set<Object> applicationServices = new HashSet<>();
    for (Map<String, Object> f : run(20_000, 5, 1_000_000, 0).parsedLines()) {
      tuples.add(List.of(f.get("business_capability"), f.get("business_domain"),
          f.get("business_service"), f.get("application_service")));
      applicationServices.add(f.get("application_service"));
    }

    assertThat(tuples.size()).isBetween(1000, 20_000);
    assertThat(applicationServices).anySatisfy(a -> assertThat((String) a).matches(".*-\\d+"));
  }

  @Test
  void write_badRatioTenPercent_returnsCountOfExactlyTheLinesThatFail() {
    Run run = run(20_000, 9, 50, 0.1);

    long failing = run.parsedLines().stream().filter(f -> f == null).count();
    assertThat(run.bad()).isBetween(1_700L, 2_300L);
    assertThat(failing).isEqualTo(run.bad());
  }

  @Test
  void write_badRatioOne_everyLineFailsAndStaysOneLine() {
    Run run = run(800, 13, 5, 1);

    assertThat(run.bad()).isEqualTo(800);
    assertThat(run.parsedLines()).hasSize(800).containsOnlyNulls();
    String text = new String(run.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text).contains("\u00c3(", "{\"a\":{\"a\":", "\"audit\":", "\"time\":");
    assertThat(text).containsPattern("\\{\"time\":\"[^\\n]*\\}[^\\n]");
  }

  @Test
  void write_messageIds_areUnique() {
    List<Map<String, Object>> lines = run(20_000, 17, 50, 0).parsedLines();

    assertThat(lines.stream().map(f -> f.get("message_id")).distinct()).hasSize(20_000);
  }

  @Test
  void write_times_startAtStartTimeAndRiseAtTheRate() {
    List<Instant> times = run(20_000, 19, 50, 0).parsedLines().stream()
        .map(f -> Instant.parse((String) f.get("time"))).toList();

    assertThat(times.get(0)).isEqualTo(START);
    assertThat(times).allSatisfy(t -> assertThat(t).isAfterOrEqualTo(START));
    long decreases = 0;
    for (int i = 1; i < times.size(); i++) {
      decreases += times.get(i).isBefore(times.get(i - 1)) ? 1 : 0;
    }
    assertThat(decreases).as("out-of-order records").isPositive().isLessThan(1_000);
    // record i at i milliseconds (1,000 records/s), a late one up to 2 s earlier
    for (int i = 0; i < times.size(); i++) {
      long ms = times.get(i).toEpochMilli() - START.toEpochMilli();
      assertThat(ms).as("record %d", i).isBetween((long) i - 2_000, (long) i);
    }
  }

  @Test
  void write_withRate_spreadsTheRecordsOverCountOverRateSeconds() {
    List<Instant> times = run(1_000, 19, 50, 0, 2.5).parsedLines().stream()
        .map(f -> Instant.parse((String) f.get("time"))).toList();

    assertThat(times.get(999).toEpochMilli() - START.toEpochMilli()).isBetween(399_600L - 2_000, 399_600L);
    assertThat(times).allSatisfy(t -> assertThat(t).isBetween(START, START.plusSeconds(400)));
  }

  @Test
  void options_withRateZero_isRefused() {
    assertThatThrownBy(() -> new LogGenerator.Options(1, 1, 1, 0, START, 0))
        .hasMessageStartingWith("Cannot generate: --rate must be between");
  }

  @Test
  void write_records_haveRealisticVariety() {
    List<Map<String, Object>> lines = run(20_000, 23, 50, 0).parsedLines();

    Map<Object, Long> levels = new HashMap<>();
    lines.forEach(f -> levels.merge(f.get("level"), 1L, Long::sum));
    assertThat(levels.keySet()).containsExactlyInAnyOrder("INFO", "DEBUG", "WARN", "ERROR");
    assertThat(levels.get("INFO")).isGreaterThan(12_000);
    assertThat(levels.get("ERROR")).isBetween(200L, 2_000L);

    List<String> messages = lines.stream().map(f -> (String) f.get("message")).toList();
    assertThat(messages).anySatisfy(m -> assertThat(m.codePoints()).anyMatch(c -> c > 0xFFFF));
    assertThat(messages).anySatisfy(m -> assertThat(m).contains("ユーザー"));
    assertThat(messages).anySatisfy(m -> assertThat(m).contains("é"));
    for (String special : List.of("\"", "\\", "\t", "\u0001", "\n")) {
      assertThat(messages).anySatisfy(m -> assertThat(m).contains(special));
    }
    assertThat(lines).anySatisfy(f -> assertThat((String) f.get("stack_trace"))
        .isNotNull().contains("\n\tat ").contains("\nCaused by: "));

    Set<Integer> listSizes = new HashSet<>();
    Set<Integer> mapSizes = new HashSet<>();
    for (Map<String, Object> f : lines) {
      for (String list : LISTS) {
        if (f.get(list) instanceof List<?> l) {
          listSizes.add(l.size());
        }
      }
      for (String map : MAPS) {
        if (f.get(map) instanceof Map<?, ?> m) {
          mapSizes.add(m.size());
        }
      }
    }
    assertThat(listSizes).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertThat(mapSizes).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);

    long withCorrelation = lines.stream().filter(f -> f.containsKey("correlation_id")).count();
    long withPerson = lines.stream().filter(f -> f.containsKey("person_id")).count();
    assertThat(withCorrelation).isBetween(15_000L, 17_000L);
    assertThat(withPerson).isBetween(600L, 1_400L);
  }

  @Test
  void write_doesNotCloseTheStream() throws IOException {
    var closed = new boolean[1];
    var out = new ByteArrayOutputStream() {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    new LogGenerator(new LogGenerator.Options(10, 1, 1, 0, START)).write(out);

    assertThat(closed[0]).isFalse();
    assertThat(out.size()).isPositive();
  }

  @Test
  void options_invalidValues_areRejectedNamingTheOption() {
    assertThatThrownBy(() -> new LogGenerator.Options(-1, 1, 1, 0, START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot generate: --count must be at least 0, got -1");
    assertThatThrownBy(() -> new LogGenerator.Options(1, 1, 0, 0, START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot generate: --keys must be at least 1, got 0");
    assertThatThrownBy(() -> new LogGenerator.Options(1, 1, 1, 1.5, START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot generate: --bad-ratio must be between 0 and 1, got 1.5");
    assertThatThrownBy(() -> new LogGenerator.Options(1, 1, 1, -0.1, START))
        .hasMessage("Cannot generate: --bad-ratio must be between 0 and 1, got -0.1");
    assertThatThrownBy(() -> new LogGenerator.Options(1, 1, 1, Double.NaN, START))
        .hasMessage("Cannot generate: --bad-ratio must be between 0 and 1, got NaN");
    assertThatThrownBy(() -> new LogGenerator.Options(1, 1, 1, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot generate: --start-time is required");
    assertThatThrownBy(() -> new LogGenerator.Options(1, 1, 1, 0, Instant.MAX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot generate: --start-time must be between");
  }
}
