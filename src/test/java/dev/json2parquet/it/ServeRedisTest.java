package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.json2parquet.buffer.RedisBuffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --buffer redis} against a real redis-server: answers only once Redis has the
 * records, flushes through RedisFlush, survives kill -9, dedups retried forward chunks, and answers
 * 503 while Redis is down.
 */
class ServeRedisTest {
  @TempDir
  Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> post(URI uri, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> ids(List<String> lines) throws Exception {
    List<String> l = new ArrayList<>();
    for (String s : lines) {
      l.add(Served.messageId(s));
    }
    Collections.sort(l);
    return l;
  }

  private static List<String> written(Path out) throws Exception {
    List<String> l = new ArrayList<>(DuckDb.messageIds(out));
    Collections.sort(l);
    return l;
  }

  private Map<String, Object> settings(RedisServer redis, boolean skipFlush) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("buffer_type", "redis");
    m.put("redis_host", redis.address());
    m.put("redis_skip_flush", Boolean.toString(skipFlush));
    return m;
  }

  @Test
  void http_intoRedis_thenFlushed_exactlyTheAcceptedRecords() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      Path out = dir.resolve("out");
      List<String> recs = Served.records(3000, 5);
      try (Served s = Served.start(out, settings(redis, false))) {
        List<String> body = new ArrayList<>(recs);
        body.add(1000, "{not json");
        body.add("{\"message\": ");
        HttpResponse<String> r = post(s.http("/records"), String.join("\n", body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"accepted\":3000").contains("\"rejected\":2");
        // acknowledged means in Redis: the streams hold every record, nothing is written yet
        long inRedis = 0;
        for (String k : redis.cli("SMEMBERS", "keys").split("\n")) {
          inRedis += Long.parseLong(redis.cli("XLEN", "data:{" + k + "}"));
        }
        assertThat(inRedis).isEqualTo(3000);
        assertThat(redis.cli("XLEN", "dlq:{_unkeyed}")).isEqualTo("2");
        assertThat(DuckDb.parquetFiles(out)).isEmpty();
        HttpResponse<String> f = HTTP.send(HttpRequest.newBuilder(s.http("/flush"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(f.statusCode()).isEqualTo(200);
        assertThat(written(out)).isEqualTo(ids(recs));
        HttpResponse<String> stats = HTTP.send(HttpRequest.newBuilder(s.http("/stats")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(stats.body()).contains("\"written\":3000");
        // buffered after the last flush: shutdown's final round writes them
        List<String> more = Served.records(500, 6);
        assertThat(post(s.http("/records"), String.join("\n", more)).statusCode()).isEqualTo(200);
        recs = new ArrayList<>(recs);
        recs.addAll(more);
      }
      assertThat(written(out)).isEqualTo(ids(recs));
      assertThat(redis.cli("SCARD", "keys")).isEqualTo("0");
    }
  }

  @Test
  void forward_chunkAcks_retriedChunkBufferedOnce_evenAfterRestart() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      Path out = dir.resolve("out");
      List<Map<String, Object>> a = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("log", "line " + i);
        r.put("level", "INFO");
        r.put("message_id", "m" + i);
        r.put("business_capability", "c");
        r.put("business_domain", "d" + (i % 3));
        r.put("business_service", "s");
        r.put("application_service", "a");
        a.add(r);
      }
      Instant t = Instant.parse("2024-11-24T10:00:00Z");
      byte[] msg = ForwardClient.packed("app", a, t, "chunk-1", false);
      try (Served s = Served.start(out, settings(redis, true))) {
        int port = s.server.forwardPort();
        try (ForwardClient c = new ForwardClient(port)) {
          c.send(msg);
          assertThat(c.ack()).isEqualTo("chunk-1");
          c.send(msg); // a retry after a lost ack
          assertThat(c.ack()).isEqualTo("chunk-1");
        }
      }
      // a restarted serve still knows the chunk (the marker is in Redis, not in the process)
      try (Served s = Served.start(out, settings(redis, true))) {
        try (ForwardClient c = new ForwardClient(s.server.forwardPort())) {
          c.send(msg);
          assertThat(c.ack()).isEqualTo("chunk-1");
        }
      }
      // redis_skip_flush: serve only received; a separate flush writes
      assertThat(DuckDb.parquetFiles(out)).isEmpty();
      Cli.Result f = Cli.run("flush", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(f.exit()).as(f.err()).isZero();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        expected.add("m" + i);
      }
      Collections.sort(expected);
      assertThat(written(out)).isEqualTo(expected);
    }
  }

  @Test
  void idempotencyKey_retriedRequest_inRedisOnce_evenAfterRestart() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      Path out = dir.resolve("out");
      List<String> recs = Served.records(1500, 44);
      String body = String.join("\n", recs) + "\n{not json\n";
      for (int run = 0; run < 2; run++) { // the retry reaches a restarted serve
        try (Served s = Served.start(out, settings(redis, true))) {
          for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(s.http("/records"))
                .header("Content-Type", "application/x-ndjson").header("Idempotency-Key", "batch-7")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"accepted\":1500").contains("\"rejected\":1");
          }
        }
      }
      long inRedis = 0;
      for (String k : redis.cli("SMEMBERS", "keys").split("\n")) {
        inRedis += Long.parseLong(redis.cli("XLEN", "data:{" + k + "}"));
      }
      assertThat(inRedis).isEqualTo(1500);
      Cli.Result f = Cli.run("flush", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(f.exit()).as(f.err()).isZero();
      assertThat(written(out)).isEqualTo(ids(recs));
    }
  }

  @Test
  void redisDown_503_thenRecovers() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"), "--appendonly", "yes")) {
      Path out = dir.resolve("out");
      List<String> first = Served.records(100, 1);
      List<String> second = Served.records(100, 2);
      try (Served s = Served.start(out, settings(redis, false))) {
        assertThat(post(s.http("/records"), String.join("\n", first)).statusCode()).isEqualTo(200);
        redis.stop();
        HttpResponse<String> down = post(s.http("/records"), String.join("\n", second));
        assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
        assertThat(down.headers().firstValue("Retry-After")).isPresent();
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(s.http("/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("Redis");
        // forward: no ack, the connection is closed, so the client sends the chunk again
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("log", "forwarded");
        rec.put("message_id", "fwd-1");
        byte[] msg = ForwardClient.message("app", 1732410123L, rec, "chunk-down");
        try (ForwardClient c = new ForwardClient(s.server.forwardPort())) {
          c.send(msg);
          org.assertj.core.api.Assertions.assertThatThrownBy(c::read); // closed by the server: end of stream
        }
        redis.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> HTTP.send(HttpRequest.newBuilder(s.http("/health/ready"))
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        HttpResponse<String> again = post(s.http("/records"), String.join("\n", second));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        try (ForwardClient c = new ForwardClient(s.server.forwardPort())) {
          c.send(msg);
          assertThat(c.ack()).isEqualTo("chunk-down");
        }
      }
      List<String> all = new ArrayList<>(first);
      all.addAll(second);
      // the records of the refused request may be partly in Redis (not acknowledged); the client's
      // retry was acknowledged: every acknowledged record is written, the first batch exactly once
      List<String> got = written(out);
      for (String id : ids(first)) {
        assertThat(Collections.frequency(got, id)).as(id).isEqualTo(1);
      }
      assertThat(got).containsAll(ids(second));
      assertThat(Collections.frequency(got, "fwd-1")).isEqualTo(1);
    }
  }

  @Test
  void flush_whileRedisIsDown_503WithRetryAfter_noJavaClassName() throws Exception {
    String before = System.getProperty(RedisBuffer.TEST_RETRY_SECONDS);
    System.setProperty(RedisBuffer.TEST_RETRY_SECONDS, "1");
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      try (Served s = Served.start(dir.resolve("out"), settings(redis, false))) {
        redis.stop();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(s.http("/flush"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(r.body()).contains("Cannot").doesNotContainPattern("\\b[a-z]+\\.[a-z0-9.]+\\.[A-Z]\\w*")
            .doesNotContain("Exception");
        redis.start();
      }
    } finally {
      if (before == null) {
        System.clearProperty(RedisBuffer.TEST_RETRY_SECONDS);
      } else {
        System.setProperty(RedisBuffer.TEST_RETRY_SECONDS, before);
      }
    }
  }

  @Test
  void flushInterval_writesWhileServing() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      Path out = dir.resolve("out");
      List<String> recs = Served.records(500, 3);
      Map<String, Object> m = settings(redis, false);
      m.put("flush_interval", "1");
      try (Served s = Served.start(out, m)) {
        assertThat(post(s.http("/records"), String.join("\n", recs)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> DuckDb.parquetFiles(out).size() > 0
            && written(out).equals(ids(recs)));
      }
      assertThat(written(out)).isEqualTo(ids(recs));
    }
  }

  @Test
  void redisUnreachableAtStart_exit2_namingTheAddress() throws Exception {
    int port = RedisServer.freePort();
    Cli.Result r = Cli.run("serve", "--buffer", "redis", "--redis-host", "127.0.0.1:" + port, "-o",
        dir.resolve("out").toString(), "--port", "0", "--forward-port", "-1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("127.0.0.1:" + port);
  }

  @Test
  void sigterm_finalFlushRound_exit0() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      Path out = dir.resolve("out");
      List<String> recs = Served.records(2000, 11);
      try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
          "--forward-port", "-1", "--flush-interval", "3600", "--buffer", "redis", "--redis-host", redis.address())) {
        URI uri = URI.create("http://127.0.0.1:" + Served.httpPort(child) + "/records");
        assertThat(post(uri, String.join("\n", recs)).statusCode()).isEqualTo(200);
        assertThat(DuckDb.parquetFiles(out)).isEmpty();
        child.signal("TERM");
        assertThat(child.waitFor()).as(child.err()).isZero();
        assertThat(child.err()).contains("2000 records received, 2000 written, 0 dead-lettered");
      }
      assertThat(written(out)).isEqualTo(ids(recs));
      assertThat(redis.cli("SCARD", "keys")).isEqualTo("0");
    }
  }

  /**
   * serve over a three-node Redis Cluster (keys spread over the nodes by their hash tags): an HTTP
   * batch and a forward chunk are acknowledged, the chunk's retry is acknowledged without being
   * buffered again, serve is killed with -9; a restarted serve acknowledges the chunk once more
   * without buffering it (its markers live in the cluster); one flush writes every acknowledged
   * record exactly once, and the rejected line is in the cluster's DLQ.
   */
  @Test
  void cluster_httpAndForwardChunk_kill9_thenFlush_exactlyOnce() throws Exception {
    List<RedisServer> nodes = RedisServer.cluster(dir.resolve("cluster"));
    try {
      String hosts = RedisServer.addresses(nodes);
      Path out = dir.resolve("out");
      List<String> recs = Served.records(2000, 31);
      List<Map<String, Object>> fwd = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("log", "forwarded " + i);
        r.put("level", "INFO");
        r.put("message_id", "fc" + i);
        r.put("business_capability", "c");
        r.put("business_domain", "d" + (i % 5)); // several keys, so several nodes
        r.put("business_service", "s");
        r.put("application_service", "a");
        fwd.add(r);
      }
      byte[] chunk = ForwardClient.packed("app", fwd, Instant.parse("2024-11-24T10:00:00Z"), "cluster-chunk", true);
      try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
          "--forward-port", "0", "--flush-interval", "3600", "--buffer", "redis", "--redis-host", hosts)) {
        int http = Served.httpPort(child);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("forward on 127\\.0\\.0\\.1:(\\d+)")
            .matcher(child.err());
        assertThat(m.find()).as(child.err()).isTrue();
        List<String> body = new ArrayList<>(recs);
        body.add(700, "{not json");
        HttpResponse<String> r = post(URI.create("http://127.0.0.1:" + http + "/records"), String.join("\n", body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"accepted\":2000").contains("\"rejected\":1");
        try (ForwardClient c = new ForwardClient(Integer.parseInt(m.group(1)))) {
          c.send(chunk);
          assertThat(c.ack()).isEqualTo("cluster-chunk");
          c.send(chunk); // a retry after a lost ack
          assertThat(c.ack()).isEqualTo("cluster-chunk");
        }
        child.signal("KILL");
        child.waitFor();
      }
      assertThat(DuckDb.parquetFiles(out)).isEmpty();
      Map<String, Object> settings = new LinkedHashMap<>();
      settings.put("buffer_type", "redis");
      settings.put("redis_host", hosts);
      settings.put("redis_skip_flush", "true");
      try (Served s = Served.start(out, settings)) {
        try (ForwardClient c = new ForwardClient(s.server.forwardPort())) {
          c.send(chunk); // the client's retry reaches the restarted serve
          assertThat(c.ack()).isEqualTo("cluster-chunk");
        }
      }
      Cli.Result f = Cli.run("flush", "--redis-host", hosts, "-o", out.toString());
      assertThat(f.exit()).as(f.err()).isZero();
      List<String> expected = new ArrayList<>(ids(recs));
      for (int i = 0; i < 300; i++) {
        expected.add("fc" + i);
      }
      Collections.sort(expected);
      assertThat(written(out)).isEqualTo(expected); // sorted lists: a duplicate would show
      Map<String, com.fasterxml.jackson.databind.JsonNode> rows = new java.util.HashMap<>();
      try (DuckDb duck = new DuckDb()) {
        for (Path file : DuckDb.parquetFiles(out)) {
          for (com.fasterxml.jackson.databind.JsonNode row : duck.rows(file)) {
            rows.put(row.get("message_id").asText(), row);
          }
        }
      }
      assertThat(rows.get("fc7").get("message").asText()).isEqualTo("forwarded 7");
      assertThat(rows.get("fc7").get("args").get("tag").asText()).isEqualTo("app");
      assertThat(rows.get("fc7").get("time").asText()).isEqualTo("2024-11-24T10:00:00Z");
      long dead = 0;
      for (RedisServer n : nodes) {
        String len = n.cli("XLEN", "dlq:{_unkeyed}");
        dead += len.matches("\\d+") ? Long.parseLong(len) : 0; // the key lives on one node (MOVED elsewhere)
      }
      assertThat(dead).isEqualTo(1);
    } finally {
      for (RedisServer n : nodes) {
        n.close();
      }
    }
  }

  @Test
  void kill9_afterAcks_flushWritesEveryAcknowledgedRecordOnce() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      Path out = dir.resolve("out");
      List<String> recs = Served.records(4000, 9);
      try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
          "--forward-port", "-1", "--flush-interval", "3600", "--buffer", "redis", "--redis-host", redis.address())) {
        URI uri = URI.create("http://127.0.0.1:" + Served.httpPort(child) + "/records");
        for (int i = 0; i < 4; i++) {
          HttpResponse<String> r = post(uri, String.join("\n", recs.subList(i * 1000, (i + 1) * 1000)));
          assertThat(r.statusCode()).isEqualTo(200);
        }
        child.signal("KILL");
        child.waitFor();
      }
      assertThat(DuckDb.parquetFiles(out)).isEmpty();
      Cli.Result f = Cli.run("flush", "--redis-host", redis.address(), "-o", out.toString());
      assertThat(f.exit()).as(f.err()).isZero();
      assertThat(written(out)).isEqualTo(ids(recs));
    }
  }
}
