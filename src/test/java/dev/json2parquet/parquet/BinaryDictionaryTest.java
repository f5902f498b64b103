package dev.json2parquet.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The dictionary's ids, bytes, probing and reuse, checked against a plain HashMap. */
class BinaryDictionaryTest {

  @Test
  void id_fullHashCollision_keepsBothValuesApart() {
    // two distinct strings with the same 32-bit hash: only the bytes tell them apart
    Map<Integer, String> seen = new HashMap<>();
    String a = null;
    String b = null;
    for (int i = 0; a == null; i++) {
      String s = "v" + Integer.toHexString(i * 0x9E3779B1);
      byte[] bytes = utf8(s);
      String before = seen.putIfAbsent(BinaryDictionary.hash(bytes, 0, bytes.length), s);
      if (before != null && !before.equals(s)) {
        a = before;
        b = s;
      }
    }
    BinaryDictionary d = new BinaryDictionary();
    assertThat(id(d, a)).isEqualTo(0);
    assertThat(id(d, b)).isEqualTo(1);
    assertThat(id(d, a)).isEqualTo(0);
    assertThat(id(d, b)).isEqualTo(1);
    assertThat(d.size()).isEqualTo(2);
    assertThat(entry(d, 0)).isEqualTo(a);
    assertThat(entry(d, 1)).isEqualTo(b);
  }

  @Test
  void id_manyValuesThroughGrowth_denseIdsInFirstAppearanceOrder() {
    Random random = new Random(7);
    BinaryDictionary d = new BinaryDictionary();
    Map<String, Integer> expected = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      // lengths 0..40 (every tail length of the word loops), repeats, prefixes of one another
      String s = randomValue(random, random.nextInt(20_000));
      Integer want = expected.computeIfAbsent(s, k -> {
        order.add(k);
        return order.size() - 1;
      });
      assertThat(id(d, s)).as(s).isEqualTo(want);
    }
    assertThat(d.size()).isEqualTo(order.size());
    long bytes = 0;
    for (int id = 0; id < order.size(); id++) {
      assertThat(entry(d, id)).isEqualTo(order.get(id));
      bytes += utf8(order.get(id)).length + 4;
    }
    assertThat(d.plainBytes()).isEqualTo(bytes);
  }

  @Test
  void id_valuesDifferingInOneByte_areDistinctAtEveryLength() {
    BinaryDictionary d = new BinaryDictionary();
    int next = 0;
    for (int len = 1; len <= 33; len++) {
      byte[] base = new byte[len];
      Arrays.fill(base, (byte) 'x');
      assertThat(d.id(base, 0, len)).isEqualTo(next++);
      for (int at = 0; at < len; at++) {
        byte[] other = base.clone();
        other[at] = 'y';
        assertThat(d.id(other, 0, len)).as("len %d, byte %d", len, at).isEqualTo(next++);
      }
      assertThat(d.id(base, 0, len)).isEqualTo(next - len - 1);
    }
  }

  @Test
  void id_valueInsideALargerArray_readsOnlyItsRange() {
    BinaryDictionary d = new BinaryDictionary();
    byte[] row = utf8("__abc__abd__abc__");
    assertThat(d.id(row, 2, 3)).isEqualTo(0);
    assertThat(d.id(row, 7, 3)).isEqualTo(1);
    assertThat(d.id(row, 12, 3)).isEqualTo(0);
    assertThat(d.id(row, 0, 0)).isEqualTo(2);
    assertThat(d.id(new byte[0], 0, 0)).isEqualTo(2);
  }

  @Test
  void clear_reusedAcrossChunks_startsIdsAgainAndForgetsOldValues() {
    BinaryDictionary d = new BinaryDictionary();
    for (int i = 0; i < 5_000; i++) {
      id(d, "first-" + i);
    }
    d.clear();
    assertThat(d.size()).isZero();
    assertThat(d.plainBytes()).isZero();
    assertThat(id(d, "second")).isEqualTo(0);
    assertThat(id(d, "first-1")).isEqualTo(1);
    assertThat(id(d, "second")).isEqualTo(0);
    assertThat(entry(d, 0)).isEqualTo("second");
    assertThat(entry(d, 1)).isEqualTo("first-1");
  }

  @Test
  void same_agreesWithArraysEquals() {
    Random random = new Random(3);
    byte[] a = new byte[64];
    byte[] b = new byte[64];
    for (int trial = 0; trial < 20_000; trial++) {
      int len = random.nextInt(30);
      int ao = random.nextInt(64 - len + 1);
      int bo = random.nextInt(64 - len + 1);
      random.nextBytes(a);
      System.arraycopy(a, ao, b, bo, len);
      if (len > 0 && random.nextBoolean()) {
        b[bo + random.nextInt(len)] ^= (byte) (1 << random.nextInt(8));
      }
      assertThat(BinaryDictionary.same(a, ao, b, bo, len))
          .isEqualTo(Arrays.equals(a, ao, ao + len, b, bo, bo + len));
    }
  }

  private static String randomValue(Random random, int n) {
    String s = Integer.toString(n, 36);
    int len = n % 41;
    StringBuilder sb = new StringBuilder(len + s.length());
    while (sb.length() < len) {
      sb.append(s);
    }
    sb.setLength(len);
    return sb.toString();
  }

  private static int id(BinaryDictionary d, String s) {
    byte[] b = utf8(s);
    return d.id(b, 0, b.length);
  }

  private static String entry(BinaryDictionary d, int id) {
    return new String(d.data(), d.start(id), d.end(id) - d.start(id), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
