package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.json2parquet.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathTemplateTest {

  private static final String EMPTY = "__HIVE_DEFAULT_PARTITION__";
  private static final long INGEST_MICROS = Instant.parse("2020-01-02T03:45:00Z").getEpochSecond() * 1_000_000L;

  private final RecordType type = RecordType.log();
  private final RecordSchema schema = type.schema();
  private final JsonRecordReader reader = new JsonRecordReader(type);

  private ColumnBatch record(String json) throws RecordException {
    ColumnBatch batch = new ColumnBatch(schema);
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    reader.read(b, 0, b.length, batch);
    return batch;
  }

  private String render(String template, String json) throws RecordException {
    PathTemplate t = PathTemplate.parse(template, schema);
    return t.path(t.renderer(() -> INGEST_MICROS).values(record(json)));
  }

  private static String safe(String value) {
    StringBuilder sb = new StringBuilder();
    PathTemplate.appendSafe(sb, value);
    return sb.toString();
  }

  // ---- parsing --------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{nope}             | 'nope' is not a field of the Log record that holds one value per record",
      "x={tags}           | 'tags' is not a field of the Log record that holds one value per record",
      "year={time:yyyy    | unclosed '{' at position 5",
      "a}b                | unmatched '}' at position 1",
      "{time:bbb}         | bad date pattern in {time:bbb}: Unknown pattern letter: b",
      "a/../{level}       | 'a/../{level}' may not contain '.' or '..' path segments",
      "./{level}          | './{level}' may not contain '.' or '..' path segments",
      "{level}/..         | '{level}/..' may not contain '.' or '..' path segments",
      "/data/{level}      | '/data/{level}' must be a relative path",
  })
  void parse_withBadTemplate_explainsTheProblem(String template, String message) {
    assertThatThrownBy(() -> PathTemplate.parse(template, schema))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void parse_withDotBetweenPlaceholders_isAccepted() {
    assertThat(PathTemplate.parse("{business_domain}.{business_service}", schema).placeholders()).isEqualTo(2);
  }

  @Test
  void parse_countsPlaceholdersAndKeepsText() {
    PathTemplate t = PathTemplate.parse("a={level}/b={time:yyyy}/c", schema);

    assertThat(t.placeholders()).isEqualTo(2);
    assertThat(t.text()).isEqualTo("a={level}/b={time:yyyy}/c");
  }

  // ---- rendering -------------------------------------------------------------------------------------

  @Test
  void render_defaultLogPartition_usesCapabilityAndUtcEventTime() throws RecordException {
    String partition = new ConfigLoader().build().partitionTemplate();

    assertThat(render(partition, "{\"time\": \"2024-11-24T03:04:05.123Z\", \"business_capability\": \"payments\"}"))
        .isEqualTo("capability=payments/year=2024/month=11/day=24/hour=03");
    assertThat(render(partition, "{\"time\": \"2024-11-24T01:30:00+05:00\", \"business_capability\": \"p\"}"))
        .isEqualTo("capability=p/year=2024/month=11/day=23/hour=20");
  }

  @Test
  void render_withMissingOrUnparseableTime_usesIngestTime() throws RecordException {
    String partition = new ConfigLoader().build().partitionTemplate();

    assertThat(render(partition, "{\"business_capability\": \"payments\"}"))
        .isEqualTo("capability=payments/year=2020/month=01/day=02/hour=03");
    assertThat(render(partition, "{\"time\": \"soon\", \"business_capability\": \"payments\"}"))
        .isEqualTo("capability=payments/year=2020/month=01/day=02/hour=03");
  }

  @Test
  void render_withMissingCapability_usesHiveDefaultPartition() throws RecordException {
    String partition = new ConfigLoader().build().partitionTemplate();

    assertThat(render(partition, "{\"time\": \"1732417445\"}"))
        .isEqualTo("capability=" + EMPTY + "/year=2024/month=11/day=24/hour=03");
  }

  @Test
  void values_returnsRawValues_andPathEscapesThem() throws RecordException {
    PathTemplate key = PathTemplate.parse("{business_capability}:{business_domain}:{level}", schema);
    ColumnBatch rec = record("{\"business_capability\": \"a/b\", \"business_domain\": \"..\"}");

    List<String> values = key.renderer(() -> INGEST_MICROS).values(rec);

    assertThat(values).containsExactly("a/b", "..", "");
    assertThat(key.path(values)).isEqualTo("a%2Fb:%2E.:" + EMPTY);
  }

  @Test
  void values_withAbsentOptionalField_givesNullAndRendersHiveDefault() throws RecordException {
    PathTemplate t = PathTemplate.parse("region={region}", schema);

    List<String> values = t.renderer(() -> INGEST_MICROS).values(record("{\"message\": \"m\"}"));

    assertThat(values).containsExactly((String) null);
    assertThat(t.path(values)).isEqualTo("region=" + EMPTY);
  }

  @Test
  void values_forRecordsInTheSameSecond_stillRenderEachRecordsFraction() throws RecordException {
    PathTemplate t = PathTemplate.parse("{time:HH-mm-ss}/{time:SSS}", schema);
    AtomicInteger ingestCalls = new AtomicInteger();
    PathTemplate.Renderer r = t.renderer(() -> {
      ingestCalls.incrementAndGet();
      return INGEST_MICROS;
    });

    assertThat(r.values(record("{\"time\": \"2024-11-24T03:04:05.100Z\"}"))).containsExactly("03-04-05", "100");
    assertThat(r.values(record("{\"time\": \"2024-11-24T03:04:05.900Z\"}"))).containsExactly("03-04-05", "900");
    assertThat(r.values(record("{\"time\": \"2024-11-24T03:04:06Z\"}"))).containsExactly("03-04-06", "000");
    assertThat(ingestCalls).hasValue(0);
  }

  // ---- escaping ----------------------------------------------------------------------------------------

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "a/b          | a%2Fb",
      "..           | %2E.",
      ".hidden      | %2Ehidden",
      "a.b.         | a.b.",
      "C:\\x        | C%3A%5Cx",
      "100%         | 100%25",
      "%2F          | %252F",
      "x=y&z        | x%3Dy%26z",
  })
  void appendSafe_escapesPathSyntax(String value, String expected) {
    assertThat(safe(value)).isEqualTo(expected);
  }

  @Test
  void appendSafe_escapesControlCharacters() {
    assertThat(safe("a\nb\tc\u0000d\u007F")).isEqualTo("a%0Ab%09c%00d%7F");
  }

  @Test
  void appendSafe_withEmptyOrNull_writesHiveDefaultPartition() {
    assertThat(safe("")).isEqualTo(EMPTY);
    assertThat(safe(null)).isEqualTo(EMPTY);
    PathTemplate t = PathTemplate.parse("a={level}/b={region}", schema);
    assertThat(t.path(Arrays.asList("", null))).isEqualTo("a=" + EMPTY + "/b=" + EMPTY);
  }

  @Test
  void appendSafe_keepsNonAsciiLetters() {
    assertThat(safe("Zürich-東京-😀")).isEqualTo("Zürich-東京-😀");
  }

  private String fitted(String value) {
    return PathTemplate.parse("{level}", schema).path(Arrays.asList(value));
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void path_withVeryLongValue_cutsItTo255BytesWithAHashSuffix() {
    String a = "a".repeat(500);

    String s = fitted(a);

    // cut at 255 - 33 bytes, then '~' and 128 bits of the SHA-256 of the whole escaped component
    assertThat(s).isEqualTo("a".repeat(222) + "~" + PathLimits.hash(a));
    assertThat(bytes(s)).isEqualTo(255);
    assertThat(fitted("a".repeat(255))).isEqualTo("a".repeat(255));
    assertThat(fitted("a".repeat(256))).hasSize(255).contains("~");
  }

  @Test
  void path_withLongValuesWhoseJavaHashCodesCollide_keepsThemApart() {
    // "Aa" and "BB" have the same String.hashCode, and so do these two values
    String a = "x".repeat(300) + "Aa";
    String b = "x".repeat(300) + "BB";
    assertThat(a.hashCode()).isEqualTo(b.hashCode());

    assertThat(fitted(a)).isNotEqualTo(fitted(b));
  }

  @Test
  void path_withLongValueOfEscapes_neverCutsInsideAnEscape() {
    String value = "/".repeat(1_000);

    String s = fitted(value);

    assertThat(bytes(s)).isLessThanOrEqualTo(255);
    assertThat(s).doesNotContain("/").endsWith("~" + PathLimits.hash("%2F".repeat(1_000)));
    assertThat(s.substring(0, s.indexOf('~'))).matches("(%2F)+");
  }

  @Test
  void path_limitsWholeComponentsLiteralsIncluded() {
    PathTemplate t = PathTemplate.parse("k={level}-{message}/x", schema);

    String s = t.path(Arrays.asList("é".repeat(100), "東".repeat(100)));

    String[] parts = s.split("/");
    assertThat(parts).hasSize(2);
    assertThat(bytes(parts[0])).isLessThanOrEqualTo(255);
    assertThat(parts[0]).startsWith("k=" + "é".repeat(100) + "-東");
    assertThat(parts[1]).isEqualTo("x");
  }

  @Test
  void path_capsComponentsByUtf8Bytes() {
    assertThat(bytes(fitted("é".repeat(199)))).isLessThanOrEqualTo(255);
    assertThat(bytes(fitted("東".repeat(300)))).isLessThanOrEqualTo(255);
  }

  @Test
  void path_whenCapping_neverSplitsASurrogatePair() {
    String s = fitted("😀".repeat(150));

    assertThat(bytes(s)).isLessThanOrEqualTo(255);
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        assertThat(PathTemplateTest.pairedAt(s, i)).as("surrogate at %d paired", i).isTrue();
      }
    }
  }

  @Test
  void appendSafe_escapesTildeSoOnlyHashSuffixesHaveOne() {
    assertThat(safe("a~b")).isEqualTo("a%7Eb");
  }

  @Test
  void appendSafe_givesDistinctValuesDistinctSegments() {
    assertThat(safe("\uD83D")).isNotEqualTo(safe("="));
  }

  private static boolean pairedAt(String s, int i) {
    char c = s.charAt(i);
    return Character.isHighSurrogate(c)
        ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  @Test
  void path_withHostileValues_neverAddsSlashesOrDotSegments() {
    PathTemplate t = PathTemplate.parse("{business_capability}/{business_domain}", schema);
    String alphabet = "./\\:%\u0000\n .aé😀";
    Random random = new Random(42);

    for (int n = 0; n < 2_000; n++) {
      String v1 = randomValue(random, alphabet);
      String v2 = randomValue(random, alphabet);

      String path = t.path(Arrays.asList(v1, v2));

      String[] segments = path.split("/", -1);
      assertThat(segments).as("%s from [%s] [%s]", path, v1, v2).hasSize(2)
          .doesNotContain("..", ".", "")
          .allSatisfy(seg -> assertThat(seg).doesNotContain("\\", ":", "\n", "\u0000").doesNotStartWith("."));
    }
  }

  private static String randomValue(Random random, String alphabet) {
    int[] cps = alphabet.codePoints().toArray();
    StringBuilder sb = new StringBuilder();
    int len = random.nextInt(6);
    for (int i = 0; i < len; i++) {
      sb.appendCodePoint(cps[random.nextInt(cps.length)]);
    }
    return sb.toString();
  }
}
