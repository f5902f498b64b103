package dev.json2parquet.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkEncoderWordsTest {

  @Test
  void zeroBytes_countsZeroBytesOfAWordOfLevels() {
    assertThat(ChunkEncoder.zeroBytes(0L)).isEqualTo(8);
    assertThat(ChunkEncoder.zeroBytes(0x7F7F_7F7F_7F7F_7F7FL)).isZero();
    assertThat(ChunkEncoder.zeroBytes(0x0100_0001_0000_0100L)).isEqualTo(5);
  }

  @Test
  void equalTo_matchesAByteLoop_atEveryOffsetAndLength() {
    Random random = new Random(7);
    byte[] levels = new byte[100];
    for (int i = 0; i < levels.length; i++) {
      levels[i] = (byte) random.nextInt(4);
    }
    for (int level = 0; level < 4; level++) {
      for (int from = 0; from < 20; from++) {
        for (int to = from; to <= levels.length; to++) {
          int expected = 0;
          for (int i = from; i < to; i++) {
            if (levels[i] == level) {
              expected++;
            }
          }
          assertThat(ChunkEncoder.equalTo(levels, from, to, level)).isEqualTo(expected);
        }
      }
    }
  }
}
