package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key values that make names too long for a file system (a 300-character value made a file name
 * that could not be created): every name stays within 255 bytes per component and 1,024 per path,
 * values that differ only at their end still land in different files, and the column holds each
 * value exactly.
 */
class LongKeyTest {
  @TempDir
  Path dir;

  static final List<String> VALUES = List.of(
      "a".repeat(300), "a".repeat(299) + "b",
      "東".repeat(300), "東".repeat(299) + "京",
      "/".repeat(1_000), "/".repeat(999) + "x");

  private static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Test
  void convert_withVeryLongKeyValues_writesThemWithinTheNameLimitsIntoDistinctFiles() throws Exception {
    StringBuilder sb = new StringBuilder();
    Map<String, String> valueOfId = new HashMap<>();
    int id = 0;
    for (int round = 0; round < 5; round++) {
      for (String v : VALUES) {
        // the value is the capability (partition directory and key) and the service (key) at once
        sb.append("{\"time\":\"2024-11-24T00:00:00Z\",\"level\":\"INFO\",\"message\":\"m\",\"business_capability\":\"")
            .append(json(v)).append("\",\"business_domain\":\"d\",\"business_service\":\"").append(json(v))
            .append("\",\"application_service\":\"a\",\"message_id\":\"id").append(id).append("\"}\n");
        valueOfId.put("id" + id, v);
        id++;
      }
    }
    Path in = Files.writeString(dir.resolve("in.jsonl"), sb);
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    List<Path> files = DuckDb.parquetFiles(out);
    assertThat(files).hasSize(VALUES.size());
    Set<String> seenValues = new HashSet<>();
    Set<String> seenIds = new HashSet<>();
    try (DuckDb duck = new DuckDb()) {
      for (Path f : files) {
        String relative = out.relativize(f).toString();
        assertThat(relative.getBytes(StandardCharsets.UTF_8).length).as(relative).isLessThanOrEqualTo(1024);
        for (String component : relative.split("/")) {
          assertThat(component.getBytes(StandardCharsets.UTF_8).length).as(component).isLessThanOrEqualTo(255);
          assertThat(("." + component + ".inprogress").getBytes(StandardCharsets.UTF_8).length)
              .isLessThanOrEqualTo(255 + (component.endsWith(".parquet") ? 0 : 12));
        }
        Set<String> inFile = new HashSet<>();
        for (JsonNode r : duck.rows(f)) {
          String msg = r.get("message_id").asText();
          assertThat(seenIds.add(msg)).as("%s once", msg).isTrue();
          assertThat(r.get("business_capability").asText()).isEqualTo(valueOfId.get(msg));
          assertThat(r.get("business_service").asText()).isEqualTo(valueOfId.get(msg));
          inFile.add(r.get("business_capability").asText());
        }
        assertThat(inFile).hasSize(1);
        assertThat(seenValues.add(inFile.iterator().next())).as("a value in one file only").isTrue();
      }
    }
    assertThat(seenIds).isEqualTo(valueOfId.keySet());
    assertThat(seenValues).containsExactlyInAnyOrderElementsOf(VALUES);
  }
}
