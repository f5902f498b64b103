package dev.json2parquet.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our RLE / bit-packing hybrid encoding, decoded by parquet-java's decoder. */
class RleTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 16, 17, 20, 24, 31})
  void encode_mixedRunsAndNoise_decodesToTheSameValues(int width) throws Exception {
    Random random = new Random(width);
    int bound = width == 31 ? Integer.MAX_VALUE : 1 << width;
    for (int trial = 0; trial < 50; trial++) {
      int n = random.nextInt(3000);
      int[] values = new int[n];
      int i = 0;
      while (i < n) {
        int len = 1 + random.nextInt(random.nextBoolean() ? 4 : 40);
        boolean run = random.nextInt(3) == 0;
        int v = random.nextInt(bound);
        for (int k = 0; k < len && i < n; k++) {
          values[i++] = run ? v : random.nextInt(bound);
        }
      }
      assertThat(decode(encode(values, width), width, n)).isEqualTo(values);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 7, 8, 9, 63 * 8, 63 * 8 + 1, 100_000})
  void encode_edgeLengths_constantAndAlternating(int n) throws Exception {
    int[] constant = new int[n];
    java.util.Arrays.fill(constant, 1);
    int[] alternating = new int[n];
    for (int i = 0; i < n; i++) {
      alternating[i] = i & 1;
    }
    assertThat(decode(encode(constant, 1), 1, n)).isEqualTo(constant);
    assertThat(decode(encode(alternating, 1), 1, n)).isEqualTo(alternating);
    if (n == 100_000) {
      // a constant column is one run: a header and one value byte
      assertThat(encode(constant, 1).length).isLessThan(8);
      assertThat(encode(alternating, 1).length).isLessThan(n / 8 + n / 400);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 255, 256, 65_535, 65_536, Integer.MAX_VALUE})
  void bitWidth_isTheBitsOfTheLargestValueAndAtLeastOne(int max) {
    int width = Rle.bitWidth(max);
    assertThat(width).isGreaterThanOrEqualTo(1);
    assertThat(max < 0 || (width < 32 && (long) max < (1L << width))).isTrue();
    assertThat(width == 1 || max >= (1 << (width - 1))).isTrue();
  }

  private static byte[] encode(int[] values, int width) {
    ByteBuf out = new ByteBuf(16);
    Rle.encode(values, 0, values.length, width, out);
    return java.util.Arrays.copyOf(out.array(), out.size());
  }

  private static int[] decode(byte[] bytes, int width, int n) throws Exception {
    RunLengthBitPackingHybridDecoder decoder =
        new RunLengthBitPackingHybridDecoder(width, ByteBufferInputStream.wrap(ByteBuffer.wrap(bytes)));
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = decoder.readInt();
    }
    return out;
  }
}
