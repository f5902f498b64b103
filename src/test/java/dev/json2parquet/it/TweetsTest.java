package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real, deeply nested data: 100 Twitter API statuses, inferred, converted and read back. */
class TweetsTest {
  static final Path TWEETS = Path.of("..", "shared", "data", "tweets.jsonl");

  @TempDir
  Path dir;

  @Test
  void schemaInfer_tweets_printsNestedSchemaWithExactTypes() throws Exception {
    Cli.Result r = Cli.run("schema", "infer", TWEETS.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode s = LogExpectation.JSON.readTree(r.out());
    JsonNode p = s.get("properties");
    assertThat(p.get("id").get("type").toString()).isEqualTo("[\"integer\",\"null\"]");
    assertThat(p.get("created_at").get("format").asText()).isEqualTo("date-time");
    assertThat(p.get("user").get("properties").get("screen_name").get("type").toString()).isEqualTo("[\"string\",\"null\"]");
    assertThat(p.get("entities").get("properties").get("hashtags").get("type").toString()).isEqualTo("[\"array\",\"null\"]");
    assertThat(r.err()).contains("inferred from 100 records");
  }

  @Test
  void convert_tweetsWithInferredSchema_nestedValuesReadBackExactly() throws Exception {
    Path out = dir.resolve("out");

    Cli.Result r = Cli.run("convert", "--record-type", "dynamic", "-o", out.toString(),
        "--partition", "{user.lang}/{created_at:yyyy-MM}", TWEETS.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("inferred one from the first 100 records", "_schema.json",
        "100 records read, 100 written");
    assertThat(out.resolve("_schema.json")).isRegularFile();
    assertThat(out.resolve("ja/2014-08")).isDirectory();

    Map<Long, JsonNode> source = new HashMap<>();
    for (String line : Files.readAllLines(TWEETS, StandardCharsets.UTF_8)) {
      JsonNode t = LogExpectation.JSON.readTree(line);
      source.put(t.get("id").longValue(), t);
    }
    DateTimeFormatter twitter = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss Z yyyy", Locale.ROOT);
    int rows = 0;
    try (DuckDb duck = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(out)) {
        String rel = out.relativize(f).toString();
        for (Map<String, Object> row : duck.query("SELECT id, \"user\".screen_name AS sn, \"user\".lang AS lang, "
            + "to_json(list_transform(entities.hashtags, h -> h.text))::VARCHAR AS tags, epoch_ms(created_at) AS ms, "
            + "text, retweeted_status.id AS rt FROM read_parquet('" + f + "', hive_partitioning = false)")) {
          rows++;
          long id = (Long) row.get("id");
          JsonNode t = source.remove(id);
          assertThat(t).as("id %d read back exactly", id).isNotNull();
          assertThat(row.get("sn")).isEqualTo(t.get("user").get("screen_name").asText());
          assertThat(row.get("text")).isEqualTo(t.get("text").asText());
          List<String> tags = new ArrayList<>();
          t.get("entities").get("hashtags").forEach(h -> tags.add(h.get("text").asText()));
          assertThat(LogExpectation.JSON.readTree((String) row.get("tags")))
              .isEqualTo(LogExpectation.JSON.valueToTree(tags));
          long ms = OffsetDateTime.parse(t.get("created_at").asText(), twitter).toInstant().toEpochMilli();
          assertThat(((Number) row.get("ms")).longValue()).isEqualTo(ms);
          JsonNode rt = t.get("retweeted_status");
          assertThat(row.get("rt")).isEqualTo(rt == null ? null : rt.get("id").longValue());
          assertThat(rel).startsWith(t.get("user").get("lang").asText() + "/");
        }
      }
    }
    assertThat(rows).isEqualTo(100);
    assertThat(source).isEmpty();
  }
}
