package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.json2parquet.generate.LogGenerator;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert --buffer redis} and {@code flush} against real redis-server processes: values equal
 * to the memory buffer's, kill -9 at each stage, changed inputs, outages, maxmemory, failed writes
 * and Redis Cluster. Every check reads the Parquet back with DuckDB and reconciles input lines =
 * records written + dead letters, with no message_id twice.
 */
class RedisBufferTest {
  @TempDir
  Path tmp;

  static Path generate(Path file, long count, int keys) throws Exception {
    try (OutputStream out = Files.newOutputStream(file)) {
      new LogGenerator(new LogGenerator.Options(count, 7, keys, 0.01, Instant.parse("2024-11-24T00:00:00Z"))).write(out);
    }
    return file;
  }

  static long lines(Path file) throws Exception {
    try (Stream<String> s = Files.lines(file, StandardCharsets.ISO_8859_1)) {
      return s.filter(l -> !l.isBlank()).count();
    }
  }

  /** Dead letters in every dlq-*.jsonl under {@code dlq}. */
  static long deadLetters(Path dlq) throws Exception {
    if (!Files.isDirectory(dlq)) {
      return 0;
    }
    long n = 0;
    try (Stream<Path> files = Files.list(dlq)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("dlq-")).toList()) {
        for (String l : Files.readString(f, StandardCharsets.UTF_8).split("\n")) {
          n += l.isBlank() ? 0 : 1;
        }
      }
    }
    return n;
  }

  /** Every record under {@code out} as JSON text, ordered by message_id then the whole row. */
  static List<String> rows(Path out) throws Exception {
    List<String> rows = new ArrayList<>();
    try (DuckDb duck = new DuckDb()) {
      for (Map<String, Object> r : duck.query("SELECT to_json(t)::VARCHAR AS j FROM read_parquet('" + out
          + "/**/*.parquet', hive_partitioning = false) t ORDER BY message_id, j")) {
        rows.add((String) r.get("j"));
      }
    }
    return rows;
  }

  /** Dead letters in Redis: the entries of every stream the index {@code dlq:keys} lists (what the dlq verbs read). */
  static long redisDeadLetters(RedisServer redis) throws Exception {
    long n = 0;
    for (String k : redis.cli("-c", "smembers", "dlq:keys").lines().filter(l -> !l.isBlank()).toList()) {
      n += Long.parseLong(redis.cli("-c", "xlen", k));
    }
    return n;
  }

  /** Every input line is written once or dead-lettered once (in Redis). */
  static void assertExactlyOnce(Path in, Path out, RedisServer redis) throws Exception {
    List<String> ids = DuckDb.messageIds(out);
    assertThat(new HashSet<>(ids)).as("no message_id twice").hasSize(ids.size());
    assertThat(ids.size() + redisDeadLetters(redis)).isEqualTo(lines(in));
  }

  static void awaitLocksExpired(RedisServer redis) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .until(() -> redis.cli("--scan", "--pattern", "lock:*").isEmpty());
  }

  static String[] args(String... a) {
    return a;
  }

  @Test
  void convert_viaRedis_writesTheSameValuesAsTheMemoryBuffer() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 3000, 20);
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result mem = Cli.run("convert", "-q", "-o", tmp.resolve("mem").toString(), in.toString());
      Cli.Result r = Cli.run("convert", "--buffer", "redis", "--redis-host", redis.address(), "-o",
          tmp.resolve("red").toString(), in.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(mem.exit()).isEqualTo(3);
      assertThat(r.err()).contains("3000 lines read", "dead-lettered (into Redis, dlq:{_unkeyed};",
          "dlq list --buffer redis", "flushed").doesNotContain("_dlq");
      assertThat(rows(tmp.resolve("red"))).isEqualTo(rows(tmp.resolve("mem")));
      assertThat(redisDeadLetters(redis)).isEqualTo(deadLetters(tmp.resolve("mem/_dlq"))).isPositive();
      assertThat(Files.exists(tmp.resolve("red/_dlq"))).isFalse();
      Cli.Result count = Cli.run("dlq", "count", "--buffer", "redis", "--redis-host", redis.address());
      assertThat(count.out()).as(count.err()).contains(Long.toString(redisDeadLetters(redis)));
      assertExactlyOnce(in, tmp.resolve("red"), redis);
      // everything was acknowledged and deleted: nothing is left to flush
      assertThat(redis.cli("scard", "keys")).isEqualTo("0");
      Cli.Result again = Cli.run("flush", "--redis-host", redis.address(), "-o", tmp.resolve("red").toString());
      assertThat(again.exit()).isZero();
      assertThat(again.err()).contains("nothing to flush: the set keys in Redis at " + redis.address() + " db 0 lists no key");
    }
  }

  /**
   * The receive parses on parser threads and applies their chunks in input order: every stream holds
   * its lines in input order, every line is in exactly one stream (records, or the dead letters, an
   * oversized line among them), and the recorded progress is the input's end.
   */
  @Test
  void convert_parsedOnParserThreads_buffersEachLineOnceInInputOrder() throws Exception {
    Path gen = generate(tmp.resolve("gen.jsonl"), 6000, 7);
    List<String> all = new ArrayList<>(Files.readAllLines(gen, StandardCharsets.ISO_8859_1));
    // oversized lines (dead-lettered on the reading thread, between parsed chunks)
    for (int at : new int[] {1500, 3001, 3002, 5990}) {
      all.add(at, "{\"pad\":\"" + "x".repeat(300_000) + "\"}");
    }
    Path in = tmp.resolve("in.jsonl");
    Files.write(in, all, StandardCharsets.ISO_8859_1);
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result r = Cli.run("convert", "--buffer", "redis", "--redis-skip-flush", "--threads", "3",
          "--max-line-bytes", "200000", "--redis-host", redis.address(), "-o", tmp.resolve("out").toString(), in.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(3);
      List<Long> seen = new ArrayList<>();
      List<String> streams = new ArrayList<>();
      for (String k : redis.cli("smembers", "keys").lines().filter(l -> !l.isBlank()).toList()) {
        streams.add("data:{" + k + "}");
      }
      for (String k : redis.cli("smembers", "dlq:keys").lines().filter(l -> !l.isBlank()).toList()) {
        streams.add(k);
      }
      assertThat(streams).contains("dlq:{_unkeyed}");
      for (String stream : streams) {
        List<String> out = redis.cli("xrange", stream, "-", "+").lines().toList();
        List<Long> numbers = new ArrayList<>();
        for (int i = 0; i + 1 < out.size(); i++) {
          if (out.get(i).equals("n")) {
            numbers.add(Long.parseLong(out.get(i + 1)));
          } else if (out.get(i).equals("envelope")) {
            numbers.add(((Number) new com.fasterxml.jackson.databind.ObjectMapper().readValue(out.get(i + 1), Map.class)
                .get("line")).longValue());
          }
        }
        assertThat(numbers).as(stream).isNotEmpty().isSorted();
        seen.addAll(numbers);
      }
      seen.sort(null);
      List<Long> expected = new ArrayList<>();
      for (long n = 1; n <= all.size(); n++) {
        expected.add(n);
      }
      assertThat(seen).isEqualTo(expected);
      assertThat(redis.cli("hvals", "data:inputs")).contains("\"offset\":" + Files.size(in), "\"line\":" + (all.size() + 1),
          "\"done\":true");
    }
  }

  @Test
  void convert_killedWhileBuffering_rerunContinues_nothingLostOrDoubled() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 20_000, 30);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      String[] convert = args("convert", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(),
          "-o", out.toString(), in.toString());
      try (Child c = Child.start(tmp.resolve("err1"), List.of("-Djson2parquet.test.haltAfterChunks=4"), convert)) {
        assertThat(c.waitFor()).isEqualTo(137);
      }
      assertThat(Long.parseLong(redis.cli("hlen", "data:inputs"))).isEqualTo(1);
      Cli.Result r = Cli.run(convert);
      assertThat(r.exit()).as(r.err()).isEqualTo(3);
      assertThat(r.err()).contains("continuing " + in, "at line ");
      // the lines of the pipeline Redis had before the kill are read again, and said to be skipped
      assertThat(r.err()).containsPattern(" [1-9][0-9]* skipped: Redis had them already");
      Cli.Result f = Cli.run("flush", "-q", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(f.exit()).as(f.err()).isZero();
      assertExactlyOnce(in, out, redis);
      // the same command once more: the input is known to be in Redis already
      Cli.Result r3 = Cli.run(convert);
      assertThat(r3.err()).contains("is already in Redis");
      assertThat(Cli.run("flush", "-q", "--redis-host", redis.address(), "-o", out.toString()).exit()).isZero();
      assertExactlyOnce(in, out, redis);
    }
  }

  @Test
  void flush_killedBeforeCommit_andBetweenCommitAndAck_nextFlushWritesEachRecordOnce() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 10_000, 10);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      String[] convert = args("convert", "--buffer", "redis", "--buffer-size", "700", "--redis-lock-ttl", "0.5",
          "--redis-host", redis.address(), "-o", out.toString(), in.toString());
      // while flushing: the 5th file is being committed
      try (Child c = Child.start(tmp.resolve("err1"), List.of("-Djson2parquet.test.haltBeforeCommit=5"), convert)) {
        assertThat(c.waitFor()).isEqualTo(137);
      }
      assertThat(redis.cli("scard", "keys")).isNotEqualTo("0");
      // between commit and ack: the files of the 3rd batch are committed, the batch not acknowledged
      String[] flush = args("flush", "--buffer-size", "700", "--redis-lock-ttl", "0.5", "--redis-host", redis.address(),
          "-o", out.toString());
      awaitLocksExpired(redis); // the dead flusher's keys are taken over once its locks expire
      try (Child c = Child.start(tmp.resolve("err2"), List.of("-Djson2parquet.test.haltBeforeAck=3"), flush)) {
        assertThat(c.waitFor()).isEqualTo(137);
      }
      Cli.Result r = Cli.run(java.util.Arrays.copyOf(convert, convert.length)); // skipped input, then a flush
      assertThat(r.err()).as(r.err()).contains("is already in Redis");
      awaitLocksExpired(redis);
      Cli.Result f = Cli.run(flush);
      assertThat(f.exit()).as(f.err()).isZero();
      assertExactlyOnce(in, out, redis);
      assertThat(redis.cli("scard", "keys")).isEqualTo("0");
    }
  }

  @Test
  void flush_killedBetweenClaimReadAndBatchRecord_leavesNoOrphan_nextFlushReadsThemAgain_eachRecordOnce() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 10_000, 10);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result r = Cli.run("convert", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(),
          "-o", out.toString(), in.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(3); // some generated lines are dead letters
      String[] flush = args("flush", "--buffer-size", "700", "--redis-lock-ttl", "0.5", "--redis-host", redis.address(),
          "-o", out.toString());
      // the 4th claim has read its entries and not made them a batch
      try (Child c = Child.start(tmp.resolve("err1"), List.of("-Djson2parquet.test.haltAfterClaimRead=4"), flush)) {
        assertThat(c.waitFor()).isEqualTo(137);
      }
      // a claim makes its entries a batch in one step (bounds recorded, first entry pending under the
      // claim's consumer): the halted read left no consumer holding entries outside a recorded batch
      long holders = 0;
      long recorded = 0;
      for (String k : redis.cli("smembers", "keys").lines().filter(l -> !l.isBlank()).toList()) {
        List<String> summary = redis.cli("xpending", "data:{" + k + "}", "json2parquet").lines().toList();
        holders += summary.isEmpty() || !summary.get(0).matches("[1-9][0-9]*") ? 0 : (summary.size() - 3) / 2; // NOGROUP: never claimed
        recorded += Long.parseLong(redis.cli("hlen", "data:batches:{" + k + "}"));
      }
      assertThat(holders).as("claims holding entries, against recorded batches " + recorded).isLessThanOrEqualTo(recorded);
      awaitLocksExpired(redis);
      Cli.Result f = Cli.run(flush);
      assertThat(f.exit()).as(f.err()).isZero();
      assertExactlyOnce(in, out, redis);
      assertThat(redis.cli("scard", "keys")).isEqualTo("0");
    }
  }

  @Test
  void changedInput_isRefused_unlessRestart_grownInputContinuesWhereItStopped() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 500, 3);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      String[] convert = args("convert", "--buffer", "redis", "--redis-host", redis.address(), "-o", out.toString(),
          in.toString());
      assertThat(Cli.run(convert).exit()).isEqualTo(3);
      // a log file appended to: only the new lines are buffered, nothing twice
      String line = Files.readAllLines(in).get(0).replaceFirst("\"message_id\":\"[^\"]*\"", "\"message_id\":\"appended-1\"");
      Files.writeString(in, line + "\n", java.nio.file.StandardOpenOption.APPEND);
      Cli.Result grown = Cli.run(convert);
      assertThat(grown.err()).as(grown.err()).contains("continuing " + in + " at line 501", "it grew from",
          "1 lines read");
      assertExactlyOnce(in, out, redis);
      // rewritten at its start: refused, and --restart says it duplicates
      Files.writeString(in, "{\"message\":\"other\"}\n" + Files.readString(in));
      Cli.Result r = Cli.run(convert);
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("Cannot buffer " + in, "it changed since an earlier run", "--restart",
          "a second time");
      String[] restart = java.util.Arrays.copyOf(convert, convert.length + 1);
      restart[restart.length - 1] = "--restart";
      Cli.Result r2 = Cli.run(restart);
      assertThat(r2.err()).as(r2.err()).contains("502 lines read");
    }
  }

  @Test
  void renamedOrLinkedInput_isRecognisedByContent_notBufferedTwice() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 800, 4);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result first = Cli.run("convert", "--buffer", "redis", "--redis-host", redis.address(), "-o", out.toString(),
          in.toString());
      assertThat(first.exit()).as(first.err()).isEqualTo(3);
      Path link = Files.createSymbolicLink(tmp.resolve("link.jsonl"), in);
      Path moved = Files.move(in, tmp.resolve("moved.jsonl"));
      Files.delete(link);
      link = Files.createSymbolicLink(tmp.resolve("link.jsonl"), moved);
      // the moved file, a link to it and the same file twice in one command: nothing buffered again
      Cli.Result again = Cli.run("convert", "--buffer", "redis", "--redis-host", redis.address(), "-o", out.toString(),
          moved.toString(), link.toString());
      assertThat(again.exit()).as(again.err()).isZero();
      assertThat(again.err()).contains(moved + " is already in Redis: an earlier run buffered all of it as " + in,
          link + " is the same file as " + moved, "0 lines read");
      assertExactlyOnce(moved, out, redis);
      // --restart still buffers it again on purpose
      Cli.Result restart = Cli.run("convert", "--buffer", "redis", "--redis-skip-flush", "--restart", "--redis-host",
          redis.address(), "-o", out.toString(), link.toString());
      assertThat(restart.err()).as(restart.err()).contains("800 lines read");
    }
  }

  @Test
  void redisStoppedAndRestartedMidRun_convertRetriesAndCompletes() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 12_000, 5);
    Path out = tmp.resolve("out");
    Path go = tmp.resolve("go");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"), "--appendonly", "yes")) {
      try (Child c = Child.start(tmp.resolve("err"), List.of("-Djson2parquet.test.pauseAfterChunk=2:" + go),
          "convert", "--buffer", "redis", "--redis-host", redis.address(), "-o", out.toString(), in.toString())) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(tmp.resolve("go.paused")));
        redis.stop();
        Files.createFile(go);
        await().atMost(Duration.ofSeconds(20)).until(() -> c.err().contains("retrying for up to"));
        redis.start();
        assertThat(c.waitFor()).as(c.err()).isEqualTo(3);
        assertThat(c.err()).contains("Cannot buffer records into Redis at " + redis.address(), "retrying for up to");
      }
      assertExactlyOnce(in, out, redis);
    }
  }

  @Test
  void redisLostForGood_exits1_sayingWhatIsInRedisAndHowToResume() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 12_000, 5);
    Path out = tmp.resolve("out");
    Path go = tmp.resolve("go");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"), "--appendonly", "yes")) {
      String[] convert = args("convert", "--buffer", "redis", "--redis-host", redis.address(), "-o", out.toString(),
          in.toString());
      try (Child c = Child.start(tmp.resolve("err"), List.of("-Djson2parquet.test.pauseAfterChunk=2:" + go,
          "-Djson2parquet.test.redisRetrySeconds=1"), convert)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(tmp.resolve("go.paused")));
        redis.stop();
        Files.createFile(go);
        assertThat(c.waitFor()).isEqualTo(1);
        String err = c.err();
        assertThat(err).contains("Cannot buffer records into Redis at " + redis.address(), "is in Redis up to line",
            "run the same command again to continue");
        assertThat(err.lines().filter(l -> l.contains("Cannot buffer")).count()).isEqualTo(2); // the notice and the end
      }
      redis.start();
      Cli.Result r = Cli.run(convert);
      assertThat(r.exit()).as(r.err()).isEqualTo(3);
      assertExactlyOnce(in, out, redis);
    }
  }

  @Test
  void redisLostWhileFlushing_retriesThenOneLine_andRestartedRedisIsRetriedThrough() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 6000, 4);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"), "--appendonly", "yes")) {
      Cli.Result buffered = Cli.run("convert", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(),
          "-o", out.toString(), in.toString());
      assertThat(buffered.exit()).as(buffered.err()).isEqualTo(3);
      String[] flush = args("flush", "--buffer-size", "500", "--redis-lock-ttl", "1", "--redis-host", redis.address(),
          "-o", out.toString());
      // lost for good: bounded retries, then one line saying what is safe and what to run; no stack, no raw exception
      Path go = tmp.resolve("go");
      try (Child c = Child.start(tmp.resolve("err1"), List.of("-Djson2parquet.test.pauseBeforeAck=3:" + go,
          "-Djson2parquet.test.redisRetrySeconds=1"), flush)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(tmp.resolve("go.paused")));
        redis.stop();
        Files.createFile(go);
        assertThat(c.waitFor()).as(c.err()).isEqualTo(1);
        String err = c.err();
        assertThat(err).contains("Cannot flush key ", "at " + redis.address(), "retrying for up to 1 s",
            "every record not yet written is safe in Redis", "run json2parquet flush again");
        assertThat(err).doesNotContain("JedisConnectionException", "\tat ");
        assertThat(err.lines().filter(l -> l.contains("retrying for up to")).count()).isEqualTo(1);
      }
      // back after a pause: the flush waits for it and completes
      redis.start();
      awaitLocksExpired(redis); // the lost flusher could not release its locks
      Path go2 = tmp.resolve("go2");
      try (Child c = Child.start(tmp.resolve("err2"), List.of("-Djson2parquet.test.pauseBeforeAck=2:" + go2), flush)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(tmp.resolve("go2.paused")));
        redis.stop();
        Files.createFile(go2);
        await().atMost(Duration.ofSeconds(20)).until(() -> c.err().contains("retrying for up to"));
        redis.start();
        assertThat(c.waitFor()).as(c.err()).isZero();
      }
      assertExactlyOnce(in, out, redis);
      assertThat(redis.cli("scard", "keys")).isEqualTo("0");
    }
  }

  @Test
  void signalWhileFlushing_stopsAfterTheCurrentBatch_releasesLocks_summarises() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 12_000, 4);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      // convert's flush phase: SIGINT while a batch is being acknowledged
      Path go = tmp.resolve("go");
      String[] convert = args("convert", "--buffer", "redis", "--buffer-size", "500", "--redis-host", redis.address(),
          "-o", out.toString(), in.toString());
      Path signalled = tmp.resolve("signalled");
      try (Child c = Child.start(tmp.resolve("err1"), List.of("-Djson2parquet.test.pauseBeforeAck=2:" + go,
          "-Djson2parquet.test.signalled=" + signalled), convert)) {
        Child.awaitFile(tmp.resolve("go.paused"), c);
        c.signal("INT");
        Child.awaitFile(signalled, c); // the stop is requested before the paused batch goes on
        Files.createFile(go);
        assertThat(c.waitFor()).as(c.err()).isEqualTo(130);
        assertThat(c.err()).contains("stopped by SIGINT after the batches being written", "its locks released");
      }
      assertThat(redis.cli("--scan", "--pattern", "lock:*")).as("locks released at once").isEmpty();
      assertThat(redis.cli("scard", "keys")).isNotEqualTo("0");
      // a plain flush: SIGTERM, then a second signal says what the Redis path leaves, not the memory path's story
      Path go2 = tmp.resolve("go2");
      String[] flush = args("flush", "-q", "--buffer-size", "500", "--redis-lock-ttl", "1", "--redis-host",
          redis.address(), "-o", out.toString());
      try (Child c = Child.start(tmp.resolve("err2"), List.of("-Djson2parquet.test.pauseBeforeAck=2:" + go2), flush)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(tmp.resolve("go2.paused")));
        c.signal("TERM");
        Files.createFile(go2);
        assertThat(c.waitFor()).as(c.err()).isEqualTo(143);
        assertThat(c.err()).contains("flushed ", "stopped by SIGTERM");
      }
      assertThat(redis.cli("--scan", "--pattern", "lock:*")).isEmpty();
      Path go3 = tmp.resolve("go3");
      try (Child c = Child.start(tmp.resolve("err3"), List.of("-Djson2parquet.test.pauseBeforeAck=1:" + go3), flush)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(tmp.resolve("go3.paused")));
        c.signal("TERM");
        c.signal("INT");
        // the JVM runs each signal's handler on a thread of its own, so two signals sent back to back may be
        // handled in either order (seen under load): whichever comes second stops the flusher at once
        int exit = c.waitFor();
        assertThat(exit).as(c.err()).isIn(130, 143);
        assertThat(c.err()).contains("second signal (SIG" + (exit == 130 ? "INT" : "TERM") + ")", "stay in Redis")
            .doesNotContain("converts its inputs");
      }
      awaitLocksExpired(redis);
      Cli.Result f = Cli.run(flush);
      assertThat(f.exit()).as(f.err()).isZero();
      assertExactlyOnce(in, out, redis);
    }
  }

  @Test
  void streamOfAnotherType_failsTheRun_andTheRerunAfterTheFixBuffersEveryLineOnce() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 5_000, 5);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      // every record under one key, whose stream name is taken by a string: its XADDs fail in the
      // transaction while the commands around them succeed
      redis.cli("set", "data:{all}", "not a stream");
      String[] convert = args("convert", "--buffer", "redis", "--redis-skip-flush", "--key", "all", "--redis-host",
          redis.address(), "-o", out.toString(), in.toString());
      Cli.Result r = Cli.run(convert);
      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      assertThat(r.err()).contains("WRONGTYPE");
      redis.cli("del", "data:{all}");
      Cli.Result again = Cli.run(convert);
      assertThat(again.exit()).as(again.err()).isEqualTo(3); // some generated lines are dead letters
      Cli.Result f = Cli.run("flush", "-q", "--key", "all", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(f.exit()).as(f.err()).isZero();
      assertExactlyOnce(in, out, redis);
    }
  }

  @Test
  void maxmemoryReached_isOneClearLine() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 20_000, 5);
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"), "--maxmemory", "2mb", "--maxmemory-policy", "noeviction")) {
      Cli.Result r = Cli.run("convert", "--buffer", "redis", "--redis-skip-flush", "--redis-host", redis.address(),
          "-o", tmp.resolve("out").toString(), in.toString());
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("Redis is out of memory (maxmemory reached", "is in Redis up to line");
      assertThat(r.err().lines().filter(l -> l.contains("out of memory")).count()).isEqualTo(1);
    }
  }

  @Test
  void batchesThatCannotBeWritten_stayInRedis_andRecoverWritesThem() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 2000, 4);
    Path out = tmp.resolve("out");
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result r = FaultySink.with("always", () -> Cli.run("convert", "--buffer", "redis", "--redis-host",
          redis.address(), "-o", out.toString(), in.toString()));
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("it stays in Redis and is recorded in recovery", "json2parquet recover --buffer redis");
      assertThat(DuckDb.parquetFiles(out)).isEmpty();
      long stored = Long.parseLong(redis.cli("hlen", "recovery"));
      assertThat(stored).isPositive();
      // a flush leaves them to recover
      assertThat(Cli.run("flush", "-q", "--redis-host", redis.address(), "-o", out.toString()).exit()).isZero();
      assertThat(DuckDb.parquetFiles(out)).isEmpty();
      // an automatic recovery that fails again counts its attempt; past recovery_attempts it leaves the batch for a person
      Map<String, String> auto = Map.of("JSON2PARQUET_TRY_AUTO_RECOVER", "true", "JSON2PARQUET_RECOVERY_ATTEMPTS", "1");
      Cli.Result a1 = FaultySink.with("always", () -> Cli.run(new byte[0], auto, "flush", "-q", "--redis-host",
          redis.address(), "-o", out.toString()));
      assertThat(a1.err()).contains("it stays in Redis");
      assertThat(redis.cli("hvals", "recovery")).contains("\"auto_attempts\":1");
      Cli.Result a2 = Cli.run(new byte[0], auto, "flush", "-q", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(a2.err()).contains("had 1 automatic attempts (recovery_attempts)");
      assertThat(DuckDb.parquetFiles(out)).isEmpty();
      Cli.Result rec = Cli.run("recover", "--buffer", "redis", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(rec.exit()).as(rec.err()).isZero();
      assertThat(rec.out().lines().filter(l -> l.startsWith("recovered batch")).count()).isEqualTo(stored);
      assertThat(redis.cli("hlen", "recovery")).isEqualTo("0");
      assertExactlyOnce(in, out, redis);
    }
  }

  @Test
  void cluster_endToEnd() throws Exception {
    Path in = generate(tmp.resolve("in.jsonl"), 3000, 20);
    List<RedisServer> nodes = RedisServer.cluster(tmp.resolve("cluster"));
    try {
      Cli.Result r = Cli.run("convert", "--buffer", "redis", "--redis-host", RedisServer.addresses(nodes), "-o",
          tmp.resolve("out").toString(), in.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(3);
      assertExactlyOnce(in, tmp.resolve("out"), nodes.get(0));
      Cli.Result mem = Cli.run("convert", "-q", "-o", tmp.resolve("mem").toString(), in.toString());
      assertThat(mem.exit()).isEqualTo(3);
      assertThat(rows(tmp.resolve("out"))).isEqualTo(rows(tmp.resolve("mem")));
    } finally {
      for (RedisServer n : nodes) {
        n.close();
      }
    }
  }
}
