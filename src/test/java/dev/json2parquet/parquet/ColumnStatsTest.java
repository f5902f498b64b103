package dev.json2parquet.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;

/** Min and max as Parquet orders each type, PLAIN-encoded, merged across pages. */
class ColumnStatsTest {

  @Test
  void strings_compareAsUnsignedBytes_andMergeAcrossPages() {
    ColumnStats page1 = new ColumnStats(PrimitiveTypeName.BINARY);
    byte[] a = "apple".getBytes(StandardCharsets.UTF_8);
    byte[] e = "\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8); // 0xC3.. sorts after ASCII unsigned
    page1.binaries(a, 0, a.length, e, 0, e.length);
    ColumnStats page2 = new ColumnStats(PrimitiveTypeName.BINARY);
    byte[] z = "Zebra".getBytes(StandardCharsets.UTF_8);
    page2.binaries(z, 0, z.length, z, 0, z.length);
    page2.addNulls(3);
    ColumnStats chunk = new ColumnStats(PrimitiveTypeName.BINARY);
    chunk.merge(page1);
    chunk.merge(page2);
    chunk.merge(new ColumnStats(PrimitiveTypeName.BINARY)); // a page of nulls only changes nothing

    assertThat(new String(chunk.minBytes(), StandardCharsets.UTF_8)).isEqualTo("Zebra");
    assertThat(new String(chunk.maxBytes(), StandardCharsets.UTF_8)).isEqualTo("\u00e9t\u00e9");
    assertThat(chunk.nulls()).isEqualTo(3);
    assertThat(chunk.hasValues()).isTrue();
  }

  @Test
  void numbers_areSignedAndLittleEndian() {
    ColumnStats longs = new ColumnStats(PrimitiveTypeName.INT64);
    longs.longs(-5, 7);
    longs.longs(-9, 3);
    assertThat(ByteBuffer.wrap(longs.minBytes()).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(-9);
    assertThat(ByteBuffer.wrap(longs.maxBytes()).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(7);

    ColumnStats dates = new ColumnStats(PrimitiveTypeName.INT32);
    dates.longs(-1, 19_000);
    assertThat(dates.minBytes()).hasSize(4);
    assertThat(ByteBuffer.wrap(dates.minBytes()).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(-1);
    assertThat(ByteBuffer.wrap(dates.maxBytes()).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(19_000);

    ColumnStats doubles = new ColumnStats(PrimitiveTypeName.DOUBLE);
    doubles.doubles(0.0, 2.5);
    doubles.doubles(-0.0, 1.0);
    assertThat(ByteBuffer.wrap(doubles.minBytes()).order(ByteOrder.LITTLE_ENDIAN).getDouble()).isEqualTo(-0.0);
    assertThat(ByteBuffer.wrap(doubles.maxBytes()).order(ByteOrder.LITTLE_ENDIAN).getDouble()).isEqualTo(2.5);
  }

  @Test
  void booleans_falseBeforeTrue_andNoValuesMeansNoMinMax() {
    ColumnStats b = new ColumnStats(PrimitiveTypeName.BOOLEAN);
    assertThat(b.hasValues()).isFalse();
    b.longs(1, 1);
    b.longs(0, 0);
    assertThat(b.minBytes()).containsExactly(0);
    assertThat(b.maxBytes()).containsExactly(1);
  }

  private static ColumnStats strings(String min, String max) {
    ColumnStats s = new ColumnStats(PrimitiveTypeName.BINARY);
    byte[] a = min.getBytes(StandardCharsets.UTF_8);
    byte[] b = max.getBytes(StandardCharsets.UTF_8);
    s.binaries(a, 0, a.length, b, 0, b.length);
    return s;
  }

  @Test
  void longStrings_areTruncatedToBoundsOfWholeCharacters() {
    String min = "a".repeat(63) + "\u00e9" + "z".repeat(600_000); // the 2-byte é straddles byte 64
    String max = "b".repeat(62) + "\u00ff" + "q".repeat(600_000);
    ColumnStats s = strings(min, max);

    assertThat(new String(s.minBytes(), StandardCharsets.UTF_8)).isEqualTo("a".repeat(63));
    assertThat(new String(s.maxBytes(), StandardCharsets.UTF_8)).isEqualTo("b".repeat(62) + "\u0100");
    assertThat(s.exact()).isFalse();
    assertThat(java.util.Arrays.compareUnsigned(s.minBytes(), min.getBytes(StandardCharsets.UTF_8))).isNegative();
    assertThat(java.util.Arrays.compareUnsigned(s.maxBytes(), max.getBytes(StandardCharsets.UTF_8))).isPositive();
    assertThat(strings("short", "short").exact()).isTrue();
  }

  @Test
  void longMax_endingInTheLastCodePoint_incrementsAnEarlierCharacter_orHasNoBound() {
    String top = new String(Character.toChars(Character.MAX_CODE_POINT));
    assertThat(new String(strings("a", "x" + "\ud7ff" + top.repeat(100)).maxBytes(), StandardCharsets.UTF_8))
        .isEqualTo("x\ue000"); // U+D7FF + 1 skips the surrogates
    assertThat(strings("a", top.repeat(100)).maxBytes()).isNull();
  }

  @Test
  void doubleZeros_minIsNegativeZero_maxIsPositiveZero() {
    ColumnStats d = new ColumnStats(PrimitiveTypeName.DOUBLE);
    d.doubles(0.0, 0.0);
    assertThat(ByteBuffer.wrap(d.minBytes()).order(ByteOrder.LITTLE_ENDIAN).getDouble()).isEqualTo(-0.0);
    ColumnStats n = new ColumnStats(PrimitiveTypeName.DOUBLE);
    n.doubles(-0.0, -0.0);
    assertThat(ByteBuffer.wrap(n.maxBytes()).order(ByteOrder.LITTLE_ENDIAN).getDouble()).isEqualTo(0.0);
  }
}
