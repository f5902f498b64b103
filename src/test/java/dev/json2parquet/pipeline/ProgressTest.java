package dev.json2parquet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The progress bar's line: what it says and that it always fits the terminal's width. */
class ProgressTest {

  @Test
  void render_onAWideTerminal_showsBarPercentBytesAndRate() {
    assertThat(Progress.render(12_300_000, 27_000_000, 1.5, 120, -1))
        .isEqualTo("[#############                 ] 45% 12.3 MB of 27.0 MB, 8.2 MB/s");
  }

  @Test
  void render_inA40ColumnPane_dropsTheRateFirstAndStaysWithin39Columns() {
    String line = Progress.render(12_300_000, 27_000_000, 1.5, 40, -1);

    assertThat(line).isEqualTo("[######        ] 45% 12.3 MB of 27.0 MB");
    assertThat(line).hasSizeLessThanOrEqualTo(39);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5, 10, 20, 30, 40, 60, 80, 200})
  void render_neverReachesTheLastColumn(int width) {
    for (int left = -1; left <= 12; left += 13) {
      assertThat(Progress.render(987_654_321, 1_000_000_000, 3.0, width, left).length())
          .isLessThanOrEqualTo(Math.max(1, width - 1));
      assertThat(Progress.render(987_654_321, -1, 3.0, width, left).length())
          .isLessThanOrEqualTo(Math.max(1, width - 1));
    }
  }

  @Test
  void render_withUnknownTotal_showsBytesReadAndRate() {
    assertThat(Progress.render(2_500, -1, 1.0, 80, -1)).isEqualTo("2.5 kB read, 0.0 MB/s");
  }

  @Test
  void render_afterReadingEnds_saysWhatIsStillBeingWritten() {
    assertThat(Progress.render(100, 100, 2, 80, 12)).isEqualTo("writing the last 12 files...");
    assertThat(Progress.render(100, 100, 2, 80, 1)).isEqualTo("writing the last file...");
    assertThat(Progress.render(100, 100, 2, 80, 0)).isEqualTo("finishing...");
    assertThat(Progress.render(100, 100, 2, 12, 12)).isEqualTo("writing the");
  }
}
