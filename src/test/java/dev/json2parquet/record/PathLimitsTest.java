package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PathLimitsTest {
  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void fit_neverCutsInsideAUnicodeEscape() {
    String name = "a" + "%uD800".repeat(100);

    String s = PathLimits.fit(name, 100);

    assertThat(bytes(s)).isLessThanOrEqualTo(100);
    assertThat(s.substring(0, s.indexOf('~'))).matches("a(%uD800)+");
  }

  @Test
  void fit_withFourByteCharacters_cutsAtACharacterBoundary() {
    String s = PathLimits.fit("😀".repeat(100), 255);

    // 222 bytes of room: 55 four-byte characters
    assertThat(s).startsWith("😀".repeat(55) + "~");
    assertThat(bytes(s)).isEqualTo(55 * 4 + 33);
  }

  @Test
  void fitPath_whenTheWholePathIsTooLong_shortensTheLongestComponentsToOneCap() {
    String path = "a".repeat(250) + "/b=1/" + "c".repeat(250) + "/" + "d".repeat(250) + "/e";

    String s = PathLimits.fitPath(path, 500);

    assertThat(bytes(s)).isLessThanOrEqualTo(500);
    String[] parts = s.split("/");
    assertThat(parts).hasSize(5);
    assertThat(parts[1]).isEqualTo("b=1");
    assertThat(parts[4]).isEqualTo("e");
    assertThat(parts[0]).startsWith("aaa").contains("~");
    assertThat(parts[2]).startsWith("ccc").contains("~");
    assertThat(PathLimits.fitPath(path, 500)).isEqualTo(s);
  }

  @Test
  void fitPath_withManyDistinctLongPaths_neverGivesTwoTheSameName() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      String path = "x".repeat(300) + i + "/" + "y".repeat(400) + "/" + "東".repeat(200);
      String s = PathLimits.fitPath(path, 780);
      assertThat(bytes(s)).isLessThanOrEqualTo(780);
      for (String part : s.split("/")) {
        assertThat(bytes(part)).isLessThanOrEqualTo(255);
      }
      names.add(s);
    }
    assertThat(names).hasSize(2_000);
  }

  @Test
  void fitPath_whenEvenShortComponentsDoNotFit_says() {
    String path = String.join("/", java.util.Collections.nCopies(40, "z".repeat(100)));

    assertThatThrownBy(() -> PathLimits.fitPath(path, 1024))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Cannot fit a path of 40 components");
  }
}
