package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flusher parses a batch straight into its bucket while every record has the same partition
 * and key, and switches to staging and per-run copies at the first record of another bucket: a
 * batch whose records alternate between partitions must land each record in its own partition,
 * with the values the memory buffer writes.
 */
class RedisFlushPartitionsTest {
  @TempDir
  Path tmp;

  @Test
  void flush_batchWhosePartitionsAlternate_writesEachRecordToItsPartition_asTheMemoryBufferDoes() throws Exception {
    Path gen = RedisBufferTest.generate(tmp.resolve("gen.jsonl"), 3000, 3);
    List<String> lines = new ArrayList<>();
    int i = 0;
    for (String l : Files.readAllLines(gen, StandardCharsets.ISO_8859_1)) {
      // hours 00, 01, 02 in a pattern that goes back to the batch's first partition after others
      int hour = i % 5 == 0 ? 1 : i % 7 == 0 ? 2 : 0;
      lines.add(l.replace("\"time\":\"2024-11-24T00:", "\"time\":\"2024-11-24T0" + hour + ":"));
      i++;
    }
    assertThat(lines).anyMatch(l -> l.contains("T01:")).anyMatch(l -> l.contains("T02:"));
    Path in = Files.write(tmp.resolve("in.jsonl"), lines, StandardCharsets.ISO_8859_1);
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result mem = Cli.run("convert", "-q", "-o", tmp.resolve("mem").toString(), in.toString());
      Cli.Result r = Cli.run("convert", "-q", "--buffer", "redis", "--redis-host", redis.address(), "-o",
          tmp.resolve("red").toString(), in.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(mem.exit());
      assertThat(RedisBufferTest.rows(tmp.resolve("red"))).isEqualTo(RedisBufferTest.rows(tmp.resolve("mem")));
      // each record in its own partition: every (partition directory, message_id) pair as the memory path's
      assertThat(placed(tmp.resolve("red"))).isEqualTo(placed(tmp.resolve("mem"))).hasSizeGreaterThan(2000);
      assertThat(directories(tmp.resolve("red"))).hasSize(directories(tmp.resolve("mem")).size())
          .allMatch(d -> d.contains("hour="));
      RedisBufferTest.assertExactlyOnce(in, tmp.resolve("red"), redis);
    }
  }

  /** Every record's partition directory (relative to {@code out}) and message_id, as "dir id" lines. */
  private static TreeSet<String> placed(Path out) throws Exception {
    TreeSet<String> s = new TreeSet<>();
    try (DuckDb duck = new DuckDb()) {
      for (java.util.Map<String, Object> r : duck.query("SELECT filename, message_id FROM read_parquet('" + out
          + "/**/*.parquet', hive_partitioning = false, filename = true)")) {
        s.add(out.relativize(Path.of((String) r.get("filename")).getParent()) + " " + r.get("message_id"));
      }
    }
    return s;
  }

  private static TreeSet<String> directories(Path out) throws Exception {
    TreeSet<String> s = new TreeSet<>();
    for (Path f : parquetFiles(out)) {
      s.add(out.relativize(f.getParent()).toString());
    }
    return s;
  }

  private static List<Path> parquetFiles(Path out) throws Exception {
    try (Stream<Path> files = Files.walk(out)) {
      return files.filter(p -> p.toString().endsWith(".parquet")).toList();
    }
  }
}
