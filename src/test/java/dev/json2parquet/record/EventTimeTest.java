package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventTimeTest {

  private static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000);
  }

  private static long micros(OffsetDateTime t) {
    return micros(t.toInstant());
  }

  @Test
  void parseMicros_utcWithMillis_matchesJavaTime() {
    assertThat(EventTime.parseMicros("2024-11-24T03:04:05.123Z"))
        .isEqualTo(micros(Instant.parse("2024-11-24T03:04:05.123Z")))
        .isEqualTo(1_732_417_445_123_000L);
  }

  @Test
  void parseMicros_withoutFraction_matchesJavaTime() {
    assertThat(EventTime.parseMicros("2024-11-24T03:04:05Z")).isEqualTo(micros(Instant.parse("2024-11-24T03:04:05Z")));
  }

  @Test
  void parseMicros_withNanosecondFraction_truncatesToMicros() {
    assertThat(EventTime.parseMicros("2024-11-24T03:04:05.123456789Z"))
        .isEqualTo(micros(Instant.parse("2024-11-24T03:04:05.123456789Z")))
        .isEqualTo(1_732_417_445_123_456L);
    assertThat(EventTime.parseMicros("2024-11-24T03:04:05.1Z")).isEqualTo(1_732_417_445_100_000L);
    assertThat(EventTime.parseMicros("2024-11-24T03:04:05,25Z")).isEqualTo(1_732_417_445_250_000L);
  }

  @Test
  void parseMicros_withColonOffset_matchesJavaTime() {
    assertThat(EventTime.parseMicros("2024-11-24T03:04:05.5+02:00"))
        .isEqualTo(micros(OffsetDateTime.parse("2024-11-24T03:04:05.5+02:00")));
    assertThat(EventTime.parseMicros("2024-01-01T00:30:00-09:30"))
        .isEqualTo(micros(OffsetDateTime.parse("2024-01-01T00:30:00-09:30")));
  }

  @Test
  void parseMicros_withCompactOffsets_matchesJavaTime() {
    DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXX");
    DateTimeFormatter hh = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssX");

    assertThat(EventTime.parseMicros("2024-11-24T03:04:05-0530"))
        .isEqualTo(micros(OffsetDateTime.parse("2024-11-24T03:04:05-0530", hhmm)));
    assertThat(EventTime.parseMicros("2024-11-24T03:04:05+02"))
        .isEqualTo(micros(OffsetDateTime.parse("2024-11-24T03:04:05+02", hh)));
  }

  @Test
  void parseMicros_withLowercaseOrSpaceSeparator_equalsTheCanonicalForm() {
    long canonical = micros(Instant.parse("2024-11-24T03:04:05.123Z"));

    assertThat(EventTime.parseMicros("2024-11-24t03:04:05.123z")).isEqualTo(canonical);
    assertThat(EventTime.parseMicros("2024-11-24 03:04:05.123Z")).isEqualTo(canonical);
    assertThat(EventTime.parseMicros("2024-11-24 03:04:05.123")).isEqualTo(canonical);
  }

  @Test
  void parseMicros_withoutOffset_isUtc() {
    assertThat(EventTime.parseMicros("2024-11-24T03:04:05"))
        .isEqualTo(micros(LocalDateTime.parse("2024-11-24T03:04:05").toInstant(ZoneOffset.UTC)));
    assertThat(EventTime.parseMicros("2024-02-29"))
        .isEqualTo(micros(LocalDate.parse("2024-02-29").atStartOfDay().toInstant(ZoneOffset.UTC)));
  }

  @Test
  void parseMicros_beforeTheEpoch_matchesJavaTime() {
    assertThat(EventTime.parseMicros("1969-12-31T23:59:59.5Z")).isEqualTo(-500_000L);
    assertThat(EventTime.parseMicros("1900-03-01T12:00:00Z"))
        .isEqualTo(micros(Instant.parse("1900-03-01T12:00:00Z")));
  }

  @Test
  void parseMicros_withEpochSecondsDigits_matchesJavaTime() {
    assertThat(EventTime.parseMicros("1732417445")).isEqualTo(micros(Instant.ofEpochSecond(1_732_417_445L)));
    assertThat(EventTime.parseMicros("0")).isZero();
    assertThat(EventTime.parseMicros("99999999999")).isEqualTo(99_999_999_999_000_000L);
  }

  @Test
  void parseMicros_withEpochMillisDigits_matchesJavaTime() {
    assertThat(EventTime.parseMicros("1732417445123")).isEqualTo(micros(Instant.ofEpochMilli(1_732_417_445_123L)));
    assertThat(EventTime.parseMicros("100000000000")).isEqualTo(100_000_000_000_000L);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "2024-02-30T00:00:00Z", "2023-02-29", "2024-04-31T10:00:00Z", "2024-13-01T00:00:00Z",
      "2024-00-10", "2024-11-24T24:00:00Z", "2024-11-24T23:60:00Z", "2024-11-24T03:04Z",
      "2024-11-24T03:04:05.Z", "2024-11-24T03:04:05+2", "2024-11-24T03:04:05+24:00",
      "2024-11-24T03:04:05+02:60", "2024-11-24T03:04:05Zjunk", "2024-11-24X03:04:05Z",
      "2024/11/24T03:04:05Z", "garbage", "", " ", "-", "1.2.3", "1e", "0x10", "12:34:56", "0000-12-31T00:00:00Z",
      "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "-99999999999", "100000000000000000000",
      "2024-11-24T03:04:05 Z", "１７３２４１７４４５"})
  void parseMicros_withInvalidText_returnsInvalid(String text) {
    assertThat(EventTime.parseMicros(text)).isEqualTo(EventTime.INVALID);
  }

  @Test
  void parseMicros_ofEpochText_decidesTheUnitByMagnitude() {
    assertThat(EventTime.parseMicros("99999999999")).isEqualTo(99_999_999_999_000_000L);
    assertThat(EventTime.parseMicros("99999999999999")).isEqualTo(99_999_999_999_999_000L);
    assertThat(EventTime.parseMicros("99999999999999999")).isEqualTo(99_999_999_999_999_999L);
    assertThat(EventTime.parseMicros("1772368496123456789")).isEqualTo(1_772_368_496_123_456L);
    assertThat(EventTime.parseMicros("-1732417445")).isEqualTo(-1_732_417_445_000_000L);
    assertThat(EventTime.parseMicros("1.7e9")).isEqualTo(1_700_000_000_000_000L);
    assertThat(EventTime.parseMicros("1732417445.1234567")).isEqualTo(1_732_417_445_123_456L);
  }

  @Test
  void parseMicros_ofASliceOfABuffer_readsOnlyTheSlice() {
    byte[] buf = "xx2024-11-24T03:04:05Z9999".getBytes(StandardCharsets.US_ASCII);

    assertThat(EventTime.parseMicros(buf, 2, 20)).isEqualTo(micros(Instant.parse("2024-11-24T03:04:05Z")));
    assertThat(EventTime.parseMicros(buf, 22, 4)).isEqualTo(9_999_000_000L);
  }

  @ParameterizedTest
  @CsvSource({
      // seconds below 10^11, milliseconds below 10^14, microseconds below 10^17, nanoseconds beyond
      "1772368496, 2026-03-01T12:34:56Z",
      "99999999999, 5138-11-16T09:46:39Z",
      "100000000000, 1973-03-03T09:46:40Z",
      "1772368496000, 2026-03-01T12:34:56Z",
      "99999999999999, 5138-11-16T09:46:39.999Z",
      "1772368496000000, 2026-03-01T12:34:56Z",
      "1772368496000000000, 2026-03-01T12:34:56Z",
      "-62135596800, 0001-01-01T00:00:00Z",
      "0, 1970-01-01T00:00:00Z"})
  void fromEpochNumber_decidesTheUnitByMagnitude(long epoch, String expected) {
    long micros = micros(Instant.parse(expected));

    assertThat(EventTime.fromEpochNumber(epoch)).isEqualTo(micros);
    assertThat(EventTime.fromEpochNumber(new java.math.BigDecimal(epoch))).isEqualTo(micros);
  }

  @Test
  void fromEpochNumber_outsideYears1To9999_isInvalid() {
    assertThat(EventTime.fromEpochNumber(-62_135_596_801L)).isEqualTo(EventTime.INVALID);
    assertThat(EventTime.fromEpochNumber(new java.math.BigDecimal("1e20"))).isEqualTo(EventTime.INVALID);
    assertThat(EventTime.fromEpochNumber(new java.math.BigDecimal("1e999999999"))).isEqualTo(EventTime.INVALID);
  }

  @Test
  void fromEpochNumber_withAFraction_keepsMicrosecondsExactly() {
    assertThat(EventTime.fromEpochNumber(new java.math.BigDecimal("1732417445.5"))).isEqualTo(1_732_417_445_500_000L);
    assertThat(EventTime.fromEpochNumber(new java.math.BigDecimal("1732417445123.456"))).isEqualTo(1_732_417_445_123_456L);
    assertThat(EventTime.fromEpochNumber(new java.math.BigDecimal("-0.0000015"))).isEqualTo(-2L);
    assertThat(EventTime.fromEpochNumber(new java.math.BigDecimal("1e-999999999"))).isEqualTo(0L);
  }

  @Test
  void parseDate_matchesJavaTime() {
    byte[] ok = "2024-02-29".getBytes(StandardCharsets.US_ASCII);
    byte[] bad = "2023-02-29".getBytes(StandardCharsets.US_ASCII);

    assertThat(EventTime.parseDate(ok, 0, ok.length)).isEqualTo(LocalDate.parse("2024-02-29").toEpochDay());
    assertThat(EventTime.parseDate(bad, 0, bad.length)).isEqualTo(EventTime.INVALID);
    byte[] yearZero = "0000-01-01".getBytes(StandardCharsets.US_ASCII);
    assertThat(EventTime.parseDate(yearZero, 0, yearZero.length)).isEqualTo(EventTime.INVALID);
  }

  @Test
  void epochDay_agreesWithJavaTimeAcrossCenturies() {
    for (LocalDate d = LocalDate.of(1599, 12, 25); d.isBefore(LocalDate.of(2401, 1, 10)); d = d.plusDays(13)) {
      assertThat(EventTime.epochDay(d.getYear(), d.getMonthValue(), d.getDayOfMonth()))
          .as(d.toString()).isEqualTo(d.toEpochDay());
    }
  }
}
