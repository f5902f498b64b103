package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.dlq.DeadLetterFilter;
import dev.json2parquet.dlq.DeadLetterQueue;
import dev.json2parquet.dlq.DeadLetterQueues;
import dev.json2parquet.dlq.DeadLetterStore;
import dev.json2parquet.dlq.DeadLetterStores;
import dev.json2parquet.pipeline.Converter;
import dev.json2parquet.pipeline.RunResult;
import dev.json2parquet.source.Input;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dead-letter queue over real redis-server processes (one server, and a 3-node cluster): the
 * pipeline writes dead letters into Redis, and the {@code dlq} verbs (with {@code --buffer redis})
 * print what they print over the file DLQ of the same input; a replay after a fix writes the fixed
 * lines (read back with DuckDB) and removes them only after that, also when it is interrupted.
 */
class RedisDlqTest {
  @TempDir
  Path dir;

  static final String GOOD = DlqCliTest.GOOD;

  Path a;
  Path b;

  /** The inputs of DlqCliTest: a.jsonl: good, audit "x", invalid UTF-8, long line, good; b.jsonl: audit "y", not JSON. */
  void writeInputs() throws Exception {
    a = dir.resolve("a.jsonl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write((String.format(GOOD, 1) + "\n{\"audit\":\"x\"}\n").getBytes(StandardCharsets.UTF_8));
    bytes.write(DlqCliTest.INVALID_UTF8);
    bytes.write(("\n" + DlqCliTest.LONG + "\n" + String.format(GOOD, 2) + "\n").getBytes(StandardCharsets.UTF_8));
    Files.write(a, bytes.toByteArray());
    b = dir.resolve("b.jsonl");
    Files.writeString(b, "{\"audit\":\"y\"}\nnot json\n");
  }

  static Config config(String redisHost, Path out, String... keyValues) {
    ConfigLoader l = new ConfigLoader().flag("writer_file_path", out.toString(), "--out");
    if (redisHost != null) {
      l.flag("buffer_type", "redis", "--buffer").flag("redis_host", redisHost, "--redis-host");
    }
    for (int i = 0; i < keyValues.length; i += 2) {
      l.flag(keyValues[i], keyValues[i + 1], "--" + keyValues[i].replace('_', '-'));
    }
    return l.build();
  }

  /**
   * Converts {@code inputs} with the memory buffer into {@code out}, dead letters into the Redis at
   * {@code redisHost}: the pipeline's path through {@link DeadLetterQueues} with {@code buffer_type redis}
   * (the Redis buffer itself is another piece of work).
   */
  static RunResult convertIntoRedis(String redisHost, Path out, List<String> settings, Path... inputs) throws Exception {
    String[] kv = settings.toArray(String[]::new);
    Config redis = config(redisHost, out, kv);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Converter c = new Converter(config(null, out, kv), Clock.systemUTC(), Ticker.system(),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, false)
        .deadLettersTo((cfg, runId, clock) -> DeadLetterQueues.open(redis, runId, clock));
    List<Input> in = new ArrayList<>();
    for (Path p : inputs) {
      in.add(Input.file(p));
    }
    return c.run(in);
  }

  static Cli.Result dlq(String redisHost, Path out, String... args) {
    List<String> all = new ArrayList<>(List.of("dlq"));
    all.addAll(List.of(args));
    all.addAll(List.of("-o", out.toString()));
    if (redisHost != null) {
      all.addAll(List.of("--buffer", "redis", "--redis-host", redisHost));
    }
    return Cli.run(all.toArray(String[]::new));
  }

  /** The envelopes of an export, without their times (which differ between two runs). */
  static List<JsonNode> withoutTimes(String export) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : export.lines().toList()) {
      ObjectNode n = (ObjectNode) LogExpectation.JSON.readTree(line);
      assertThat(n.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      n.remove("time");
      nodes.add(n);
    }
    return nodes;
  }

  /**
   * The hint after a {@code convert --buffer redis} with dead letters names the command that reads
   * them: with a db and a dead-letter prefix other than the defaults, the hinted command (run as
   * given) finds exactly this run's dead letter, not those of db 0 under {@code dlq}.
   */
  @Test
  void convertHint_namesTheDbAndPrefixItsDeadLettersAreIn() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, String.format(GOOD, 1) + "\n{\"audit\":\"x\"}\n");
    Path decoy = dir.resolve("decoy.jsonl");
    Files.writeString(decoy, "not json\nnot json either\n");
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      String host = redis.address();
      Path out = dir.resolve("out");
      // another run's dead letters in db 0 under the default prefix: what the hint used to point at
      assertThat(Cli.run("convert", "-o", dir.resolve("decoy-out").toString(), "--buffer", "redis", "--redis-host",
          host, decoy.toString()).exit()).isEqualTo(3);
      Cli.Result r = Cli.run("convert", "-o", out.toString(), "--buffer", "redis", "--redis-host", host, "--redis-db",
          "3", "--redis-dlq-prefix", "dl q", in.toString());
      assertThat(r.exit()).isEqualTo(3);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("read them with: json2parquet dlq list (.*)\\)")
          .matcher(r.err());
      assertThat(m.find()).as(r.err()).isTrue();
      List<String> args = new ArrayList<>(List.of("dlq", "list", "--width", "400", "-o", out.toString()));
      args.addAll(shellWords(m.group(1)));
      assertThat(args).contains("--redis-db", "3", "--redis-dlq-prefix", "dl q");
      Cli.Result list = Cli.run(args.toArray(String[]::new));
      assertThat(list.exit()).as(list.err()).isZero();
      assertThat(list.out()).contains("$.audit: expected boolean, got string \"x\"").doesNotContain("not json");
    }
  }

  /** Splits a hint's flags as a POSIX shell would: words, and single-quoted words with '\\'' inside. */
  static List<String> shellWords(String s) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean any = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'') {
        int end = s.indexOf('\'', i + 1);
        w.append(s, i + 1, end);
        i = end;
        any = true;
      } else if (c == '\\') {
        w.append(s.charAt(++i));
        any = true;
      } else if (c == ' ') {
        if (any) {
          words.add(w.toString());
          w.setLength(0);
          any = false;
        }
      } else {
        w.append(c);
        any = true;
      }
    }
    if (any) {
      words.add(w.toString());
    }
    return words;
  }

  @Test
  void verbs_overRedis_printWhatTheyPrintOverTheFileDlqOfTheSameInput() throws Exception {
    writeInputs();
    Path files = dir.resolve("files");
    assertThat(Cli.run("convert", "-o", files.toString(), "--max-line-bytes", "2048", a.toString(), b.toString()).exit())
        .isEqualTo(3);
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      String host = redis.address();
      Path out = dir.resolve("out");

      RunResult run = convertIntoRedis(host, out, List.of("max_line_bytes", "2048"), a, b);

      assertThat(run.records()).isEqualTo(7);
      assertThat(run.written()).isEqualTo(2);
      assertThat(run.deadLettered()).isEqualTo(5);
      assertThat(run.dlqFile()).isEqualTo("dlq:{*} at " + host);
      assertThat(redis.cli("smembers", "dlq:keys")).isEqualTo("dlq:{_unkeyed}");
      assertThat(redis.cli("xlen", "dlq:{_unkeyed}")).isEqualTo("5");
      assertThat(Files.exists(out.resolve("_dlq"))).isFalse();

      Cli.Result list = dlq(host, out, "list", "--width", "400");
      assertThat(list.exit()).as(list.err()).isZero();
      assertThat(list.out()).isEqualTo(dlq(null, files, "list", "--width", "400").out()).hasLineCount(5);

      Cli.Result count = dlq(host, out, "count");
      assertThat(count.exit()).as(count.err()).isZero();
      assertThat(count.out()).startsWith("5 dead letters in dlq:{*} at " + host + " (1 truncated)\n");
      String fileCount = dlq(null, files, "count").out();
      assertThat(count.out().substring(count.out().indexOf('\n')))
          .isEqualTo(fileCount.substring(fileCount.indexOf('\n')));

      Cli.Result raw = dlq(host, out, "export", "--raw");
      assertThat(raw.exit()).as(raw.err()).isZero();
      assertThat(raw.outBytes()).isEqualTo(dlq(null, files, "export", "--raw").outBytes());
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      expected.write("{\"audit\":\"x\"}\n".getBytes(StandardCharsets.UTF_8));
      expected.write(DlqCliTest.INVALID_UTF8);
      expected.write("\n{\"audit\":\"y\"}\nnot json\n".getBytes(StandardCharsets.UTF_8));
      assertThat(raw.outBytes()).isEqualTo(expected.toByteArray());
      assertThat(raw.err()).contains("exported 4 lines", "left out 1 truncated lines");
      assertThat(withoutTimes(dlq(host, out, "export").out())).isEqualTo(withoutTimes(dlq(null, files, "export").out()));

      for (String[] filter : List.of(new String[] {"--error", "$.audit"}, new String[] {"--source", "*/a.json?"},
          new String[] {"--source", "a.jsonl"}, new String[] {"--source", "*.jsonl", "--error", "UTF-8"},
          new String[] {"--since", "2999-01-01"})) {
        List<String> args = new ArrayList<>(List.of("list"));
        args.addAll(List.of(filter));
        assertThat(dlq(host, out, args.toArray(String[]::new)).out()).as(String.join(" ", filter))
            .isEqualTo(dlq(null, files, args.toArray(String[]::new)).out());
      }
      assertThat(dlq(host, out, "count", "--since", "2000-01-01").out()).startsWith("5 dead letters");

      Cli.Result dry = dlq(host, out, "purge", "--source", b.toString());
      assertThat(dry.exit()).isEqualTo(2);
      assertThat(dry.err()).contains("would remove 2 dead letters matching the filters from dlq:{*} at " + host);
      assertThat(redis.cli("xlen", "dlq:{_unkeyed}")).isEqualTo("5");
      Cli.Result purge = dlq(host, out, "purge", "--source", b.toString(), "--yes");
      assertThat(purge.exit()).as(purge.err()).isZero();
      assertThat(purge.err()).contains("removed 2 dead letters matching the filters");
      assertThat(dlq(host, out, "list").out().lines()).hasSize(3).allMatch(l -> l.startsWith(a + ":"));
      assertThat(dlq(host, out, "purge", "--yes").err()).contains("removed 3 dead letters from");
      assertThat(dlq(host, out, "count").out()).startsWith("0 dead letters");
      assertThat(redis.cli("--scan", "--pattern", "dlq*")).isEmpty(); // streams, index and lock all gone
    }
  }

  static final String SCHEMA_V1 = DlqCliTest.SCHEMA_V1;
  static final String SCHEMA_V2 = DlqCliTest.SCHEMA_V2;

  /** in.jsonl: ids 1..8; under v1 (n an integer) 2, 3, 4 (no id), 5 (invalid UTF-8), 6 (truncated), 8 fail. */
  Path replayInput() throws Exception {
    Path in = dir.resolve("in.jsonl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(("{\"id\":1,\"n\":1}\n{\"id\":2,\"n\":\"two\"}\n{\"id\":3,\"n\":true}\n{\"n\":\"ten\"}\n")
        .getBytes(StandardCharsets.UTF_8));
    bytes.write("{\"id\":5,\"n\":\"\u00ff\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    bytes.write(("{\"id\":6,\"n\":\"" + "x".repeat(70_000) + "\"}\n{\"id\":7,\"n\":7}\n{\"id\":8,\"n\":\"eight\"}\n")
        .getBytes(StandardCharsets.UTF_8));
    Files.write(in, bytes.toByteArray());
    Files.writeString(dir.resolve("v1.json"), SCHEMA_V1);
    Files.writeString(dir.resolve("v2.json"), SCHEMA_V2);
    return in;
  }

  static List<String> dynamic(String schema) {
    return List.of("record_type", "dynamic", "json_schema_path", schema, "max_line_bytes", "4096");
  }

  /** Every row of every Parquet file under {@code out}, as "id=n". */
  static List<String> rows(Path out) throws Exception {
    List<String> rows = new ArrayList<>();
    try (DuckDb duck = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(out)) {
        for (Map<String, Object> r : duck.query("SELECT id, n FROM read_parquet('" + f + "')")) {
          rows.add(r.get("id") + "=" + r.get("n"));
        }
      }
    }
    return rows;
  }

  @Test
  void replay_afterSchemaFix_writesTheFixedLinesOnceAndKeepsTheRestInRedis() throws Exception {
    Path in = replayInput();
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      String host = redis.address();
      Path out = dir.resolve("out");
      RunResult run = convertIntoRedis(host, out, dynamic(dir.resolve("v1.json").toString()), in);
      assertThat(run.written()).isEqualTo(2);
      assertThat(run.deadLettered()).isEqualTo(6);

      Cli.Result replay = dlq(host, out, "replay", "--record-type", "dynamic", "--schema", dir.resolve("v2.json").toString(),
          "--max-line-bytes", "4096");

      assertThat(replay.exit()).as(replay.err()).isEqualTo(3);
      assertThat(replay.err()).contains("5 records read, 3 written", "2 dead-lettered",
          "replayed 5 dead letters from dlq:{*} at " + host + ": 3 written, 2 dead-lettered again (now in dlq:{*} at "
              + host + ")",
          "left 1 dead letters in the DLQ that cannot be replayed:", in + ":6: only the first");
      assertThat(rows(out)).containsExactlyInAnyOrder("1=1", "7=7", "2=two", "3=true", "8=eight");
      List<JsonNode> left = withoutTimes(dlq(host, out, "export").out());
      assertThat(left).hasSize(3);
      Map<Long, JsonNode> byLine = new HashMap<>();
      left.forEach(e -> byLine.put(e.get("line").asLong(), e));
      assertThat(byLine.keySet()).containsExactlyInAnyOrder(4L, 5L, 6L);
      assertThat(left).allMatch(e -> e.get("source").asText().equals(in.toString()));
      assertThat(byLine.get(4L).get("error").asText()).isEqualTo("$.id: required field is missing or null");
      assertThat(Base64.getDecoder().decode(byLine.get(5L).get("raw_base64").asText()))
          .isEqualTo("{\"id\":5,\"n\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(byLine.get(6L).get("raw_truncated").asBoolean()).isTrue();
      assertThat(redis.cli("exists", "dlq:replays", "dlq:lock")).isEqualTo("0");

      // again: nothing more is fixed, nothing is written twice
      Cli.Result again = dlq(host, out, "replay", "--record-type", "dynamic", "--schema", dir.resolve("v2.json").toString(),
          "--max-line-bytes", "4096");
      assertThat(again.exit()).as(again.err()).isEqualTo(3);
      assertThat(again.err()).contains("replayed 2 dead letters", "0 written, 2 dead-lettered again");
      assertThat(rows(out)).hasSize(5);
      assertThat(redis.cli("xlen", "dlq:{_unkeyed}")).isEqualTo("3");
    }
  }

  @Test
  void replay_whenEverythingIsFixed_exitsZeroAndLeavesNothingInRedis() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"id\":1,\"n\":\"one\"}\n{\"id\":2,\"n\":2}\n");
    Files.writeString(dir.resolve("v1.json"), SCHEMA_V1);
    Files.writeString(dir.resolve("v2.json"), SCHEMA_V2);
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      String host = redis.address();
      Path out = dir.resolve("out");
      assertThat(convertIntoRedis(host, out, dynamic(dir.resolve("v1.json").toString()), in).deadLettered()).isEqualTo(1);

      Cli.Result replay = dlq(host, out, "replay", "--record-type", "dynamic", "--schema", dir.resolve("v2.json").toString());

      assertThat(replay.exit()).as(replay.err()).isZero();
      assertThat(replay.err()).contains("replayed 1 dead letters", "1 written, 0 dead-lettered again");
      assertThat(rows(out)).containsExactlyInAnyOrder("1=one", "2=2");
      assertThat(dlq(host, out, "count").out()).startsWith("0 dead letters");
      assertThat(redis.cli("--scan", "--pattern", "dlq*")).isEmpty();
      Cli.Result again = dlq(host, out, "replay", "--record-type", "dynamic", "--schema", dir.resolve("v2.json").toString());
      assertThat(again.exit()).as(again.err()).isZero();
      assertThat(again.err()).contains("replayed 0 dead letters");
      assertThat(rows(out)).hasSize(2);
    }
  }

  @Test
  void aRun_whoseDeadLettersRedisCannotHold_failsWithOneLineSayingMaxmemory() throws Exception {
    Path in = dir.resolve("bad.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      lines.append("not json ").append(i).append(' ').append("y".repeat(200)).append('\n');
    }
    Files.writeString(in, lines);
    try (RedisServer redis = new RedisServer(dir.resolve("redis"), "--maxmemory", "3mb")) {
      RunResult run = convertIntoRedis(redis.address(), dir.resolve("out"), List.of(), in);

      assertThat(run.ok()).isFalse();
      assertThat(run.fatal()).hasLineCount(1).containsPattern("Cannot write \\d+ of 512 dead letters to dlq:\\{\\.\\.\\.} at ")
          .contains(redis.address() + ": Redis is out of memory (maxmemory reached: \"OOM command not allowed");
      assertThat(run.deadLettered()).isLessThan(20_000).isEqualTo(Long.parseLong(redis.cli("xlen", "dlq:{_unkeyed}")));
    }
  }

  /**
   * A replay interrupted before its output was committed is undone by the next verb (its files and
   * its own dead letters removed, the replayed ones kept); one interrupted after the commit was
   * marked is finished (the replayed ones removed). Either way each line is in exactly one place.
   */
  @Test
  void replay_interruptedBeforeOrAfterTheCommitMark_isUndoneOrFinishedByTheNextVerb() throws Exception {
    Path in = replayInput();
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      String host = redis.address();
      Path out = dir.resolve("out");
      convertIntoRedis(host, out, dynamic(dir.resolve("v1.json").toString()), in);
      byte[] before = dlq(host, out, "export").outBytes();

      String undone = interruptedReplay(host, out, false);
      Cli.Result count = dlq(host, out, "count");
      assertThat(count.err()).contains("undid the interrupted replay " + undone);
      assertThat(count.out()).startsWith("6 dead letters");
      assertThat(dlq(host, out, "export").outBytes()).isEqualTo(before);
      assertThat(rows(out)).containsExactlyInAnyOrder("1=1", "7=7");

      String finished = interruptedReplay(host, out, true);
      count = dlq(host, out, "count");
      assertThat(count.err()).contains("finished the interrupted replay " + finished);
      assertThat(count.out()).startsWith("3 dead letters");
      assertThat(rows(out)).containsExactlyInAnyOrder("1=1", "7=7", "2=two", "3=true", "8=eight");
      assertThat(redis.cli("exists", "dlq:replays")).isEqualTo("0");
      assertThat(dlq(host, out, "count").err()).doesNotContain("interrupted");
    }
  }

  /**
   * Runs a replay as {@code dlq replay} does up to its commit, then "crashes": with
   * {@code marked}, after the state {@code converted} is recorded (the crash point just before the
   * removal). Returns the run id.
   */
  static String interruptedReplay(String host, Path out, boolean marked) throws Exception {
    Config redisConfig = config(host, out, dynamic(out.resolveSibling("v2.json").toString()).toArray(String[]::new));
    Config memory = config(null, out, dynamic(out.resolveSibling("v2.json").toString()).toArray(String[]::new));
    Converter c = new Converter(memory, Clock.systemUTC(), Ticker.system(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, false)
        .deadLettersTo((cfg, id, clock) -> DeadLetterQueues.open(redisConfig, id, clock));
    String runId = c.newRunId();
    try (DeadLetterStore store = DeadLetterStores.open(redisConfig)) {
      DeadLetterStore.Replay replay = store.replay(DeadLetterFilter.ALL, runId);
      RunResult r = c.run(List.of(replay.input()), runId);
      assertThat(r.written()).isEqualTo(3);
      assertThat(r.deadLettered()).isEqualTo(2);
      if (marked) {
        try (var jedis = dev.json2parquet.redis.RedisClients.open(dev.json2parquet.redis.RedisSettings.of(redisConfig))) {
          String m = jedis.hget("dlq:replays", runId);
          jedis.hset("dlq:replays", runId, m.replace("\"converting\"", "\"converted\""));
        }
      }
    }
    return runId;
  }

  @Test
  void cluster_deadLettersOfManyKeysSpreadOverThreeNodes_roundTripAndReplayEmptiesThem() throws Exception {
    Path in = replayInput();
    List<RedisServer> nodes = RedisServer.cluster(dir.resolve("cluster"));
    try {
      String host = RedisServer.addresses(nodes);
      Path out = dir.resolve("out");
      convertIntoRedis(host, out, dynamic(dir.resolve("v1.json").toString()), in);
      // records a flusher gave up on are filed under their keys: 30 keys hash to slots on every node
      Config redisConfig = config(host, out);
      List<String> keyed = new ArrayList<>();
      try (DeadLetterQueue q = DeadLetterQueues.open(redisConfig, "R-flusher", Clock.systemUTC())) {
        for (int i = 0; i < 30; i++) {
          byte[] line = ("{\"id\":" + (100 + i) + ",\"n\":\"k" + i + "\"}").getBytes(StandardCharsets.UTF_8);
          q.rejectKeyed("key-" + i, "gave up after 5 attempts", "flush", i + 1, line, 0, line.length, line.length);
          keyed.add(new String(line, StandardCharsets.UTF_8));
        }
      }
      for (RedisServer n : nodes) {
        assertThat(n.cli("--scan", "--pattern", "dlq:{key-*").lines().count()).as(n.address()).isPositive();
      }

      Cli.Result count = dlq(host, out, "count");
      assertThat(count.exit()).as(count.err()).isZero();
      assertThat(count.out()).startsWith("36 dead letters in dlq:{*} at " + host + " (1 truncated)")
          .contains("       30  gave up after N attempts", "       30  flush\n");
      List<String> raw = dlq(host, out, "export", "--raw").out().lines().toList();
      assertThat(raw).hasSize(35).containsAll(keyed).contains("{\"id\":2,\"n\":\"two\"}", "{\"n\":\"ten\"}");

      Cli.Result replay = dlq(host, out, "replay", "--record-type", "dynamic", "--schema", dir.resolve("v2.json").toString(),
          "--max-line-bytes", "4096");
      assertThat(replay.exit()).as(replay.err()).isEqualTo(3);
      assertThat(replay.err()).contains("replayed 35 dead letters", "33 written, 2 dead-lettered again");
      List<String> expected = new ArrayList<>(List.of("1=1", "7=7", "2=two", "3=true", "8=eight"));
      for (int i = 0; i < 30; i++) {
        expected.add((100 + i) + "=k" + i);
      }
      assertThat(rows(out)).containsExactlyInAnyOrderElementsOf(expected);
      Cli.Result again = dlq(host, out, "replay", "--record-type", "dynamic", "--schema", dir.resolve("v2.json").toString(),
          "--max-line-bytes", "4096");
      assertThat(again.err()).contains("replayed 2 dead letters", "0 written");
      assertThat(rows(out)).hasSize(35);

      assertThat(dlq(host, out, "purge", "--yes").err()).contains("removed 3 dead letters");
      assertThat(dlq(host, out, "count").out()).startsWith("0 dead letters");
      for (RedisServer n : nodes) {
        assertThat(n.cli("--scan", "--pattern", "dlq*")).as(n.address()).isEmpty();
      }
    } finally {
      for (RedisServer n : nodes) {
        n.close();
      }
    }
  }

  @Test
  void dlqVerbs_whenRedisIsUnreachableOrRefusesThePassword_sayItInOneLine_exit2() throws Exception {
    Path out = dir.resolve("out");
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    for (String verb : List.of("count", "list", "export", "purge")) {
      Cli.Result r = dlq("127.0.0.1:" + closed, out, verb);
      assertThat(r.exit()).as(verb).isEqualTo(2);
      assertThat(r.err()).as(verb).isEqualTo("json2parquet: Cannot connect to Redis at 127.0.0.1:" + closed
          + ": connection refused (redis_host; is redis-server running there?)\n");
    }
    try (RedisServer redis = new RedisServer(dir.resolve("redis"), "--requirepass", "s3cret")) {
      Cli.Result r = dlq(redis.address(), out, "count", "--redis-password", "wrong");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).hasLineCount(1).contains("Cannot connect to Redis at " + redis.address()
          + ": wrong user name or password");
      Cli.Result none = dlq(redis.address(), out, "count");
      assertThat(none.exit()).isEqualTo(2);
      assertThat(none.err()).hasLineCount(1).contains("the server needs a password");
      Cli.Result ok = dlq(redis.address(), out, "count", "--redis-password", "s3cret");
      assertThat(ok.exit()).as(ok.err()).isZero();
      assertThat(ok.out()).startsWith("0 dead letters in dlq:{*} at " + redis.address());
    }
  }

  @Test
  void aVerb_whileAnotherHoldsTheLock_failsNamingTheHolder_andChangesNothing() throws Exception {
    writeInputs();
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      String host = redis.address();
      Path out = dir.resolve("out");
      convertIntoRedis(host, out, List.of("max_line_bytes", "2048"), a, b);
      redis.cli("set", "dlq:lock", "4242@elsewhere 6a1c", "px", "60000");

      Cli.Result purge = dlq(host, out, "purge", "--yes");

      assertThat(purge.exit()).isEqualTo(1);
      assertThat(purge.err()).isEqualTo("json2parquet: Cannot lock dlq:lock at " + host
          + ": another dlq command is using these dead letters (held by 4242@elsewhere)\n");
      assertThat(redis.cli("xlen", "dlq:{_unkeyed}")).isEqualTo("5");
      redis.cli("del", "dlq:lock");
      assertThat(dlq(host, out, "purge", "--yes").exit()).isZero();
    }
  }
}
