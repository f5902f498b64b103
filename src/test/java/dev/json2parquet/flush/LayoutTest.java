package dev.json2parquet.flush;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.record.PathTemplate;
import dev.json2parquet.record.RecordSchema;
import dev.json2parquet.record.RecordType;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LayoutTest {
  private static final RecordSchema SCHEMA = RecordType.log().schema();
  private static final String RUN = "20261130T205600Z-beef";

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static Layout logLayout() {
    return new Layout(PathTemplate.parse(dev.json2parquet.config.Config.LOG_PARTITION.replace("{business_capability}",
        "{business_capability}/{business_domain}={business_service}"), SCHEMA),
        PathTemplate.parse(dev.json2parquet.config.Config.LOG_KEY, SCHEMA), RUN);
  }

  @Test
  void nextFile_withFourLongKeyValues_keepsTheNameAndItsTempNameWithin255Bytes() {
    Layout layout = logLayout();
    String v = "東".repeat(300);

    String path = layout.nextFile(new BucketKey(List.of(v, v, v, "2024", "11", "24", "00"), List.of(v, v, v, v)));

    String name = path.substring(path.lastIndexOf('/') + 1);
    assertThat(bytes("." + name + ".inprogress")).isLessThanOrEqualTo(255);
    assertThat(name).endsWith("-" + RUN + "-000001.parquet");
    assertThat(bytes(path)).isLessThanOrEqualTo(1024);
    for (String part : path.split("/")) {
      assertThat(bytes(part)).isLessThanOrEqualTo(255);
    }
  }

  @Test
  void nextFile_sameKey_getsTheSameSlugAndDirectoryInEveryFile() {
    Layout layout = logLayout();
    String v = "/".repeat(1_000);
    BucketKey key = new BucketKey(List.of(v, v, v, "2024", "11", "24", "00"), List.of(v, v, v, v));

    String first = layout.nextFile(key);
    String second = layout.nextFile(key);

    assertThat(second.substring(0, second.lastIndexOf('-'))).isEqualTo(first.substring(0, first.lastIndexOf('-')));
  }

  @Test
  void nextFile_distinctLongKeys_getDistinctSlugs() {
    Layout layout = logLayout();
    Set<String> slugs = new HashSet<>();

    for (int i = 0; i < 500; i++) {
      String v = "k".repeat(300) + i;
      String path = layout.nextFile(new BucketKey(List.of("c", "d", "s", "2024", "11", "24", "00"), List.of(v, "d", "s", "a")));
      String name = path.substring(path.lastIndexOf('/') + 1);
      slugs.add(name.substring(0, name.indexOf("-" + RUN)));
    }

    assertThat(slugs).hasSize(500);
  }
}
