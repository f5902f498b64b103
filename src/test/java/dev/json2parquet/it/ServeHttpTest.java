package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.json2parquet.pipeline.ServeRun;
import dev.json2parquet.sink.Sinks;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve's HTTP API through the JDK's HttpClient; DuckDB reads what was written. */
class ServeHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir
  Path dir;

  private HttpResponse<String> post(Served s, String path, String contentType, byte[] body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(s.http(path)).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(Served s, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(s.http(path)).timeout(Duration.ofSeconds(30)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] lines(List<String> records) {
    return (String.join("\n", records) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> sorted(List<String> l) {
    List<String> c = new ArrayList<>(l);
    java.util.Collections.sort(c);
    return c;
  }

  private static List<String> ids(List<String> records) throws Exception {
    List<String> ids = new ArrayList<>();
    for (String r : records) {
      ids.add(Served.messageId(r));
    }
    return ids;
  }

  @Test
  void idempotencyKey_retriedRequest_answeredAgain_notBufferedTwice() throws Exception {
    Path out = dir.resolve("out");
    List<String> a = Served.records(300, 41);
    List<String> b = Served.records(200, 42);
    List<String> one = Served.records(1, 43);
    try (Served s = Served.start(out, Map.of())) {
      HttpResponse<String> first = post(s, "/records", "application/x-ndjson", lines(a), "Idempotency-Key", "k-1");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
      // the client lost the answer and sends the same request again
      HttpResponse<String> retry = post(s, "/records", "application/x-ndjson", lines(a), "Idempotency-Key", "k-1");
      assertThat(retry.statusCode()).isEqualTo(200);
      assertThat(retry.body()).isEqualTo(first.body());
      assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
      // the same key with another body is another request
      assertThat(post(s, "/records", "application/x-ndjson", lines(b), "Idempotency-Key", "k-1").headers()
          .firstValue("Idempotent-Replayed")).isEmpty();
      byte[] single = one.get(0).getBytes(StandardCharsets.UTF_8);
      assertThat(post(s, "/record", "application/json", single, "Idempotency-Key", "r-1").statusCode()).isEqualTo(201);
      assertThat(post(s, "/record", "application/json", single, "Idempotency-Key", "r-1").statusCode()).isEqualTo(201);
      assertThat(post(s, "/records", "application/x-ndjson", lines(a), "Idempotency-Key", "").statusCode())
          .isEqualTo(400);
      s.stop();
    }
    List<String> expected = new java.util.ArrayList<>(ids(a));
    expected.addAll(ids(b));
    expected.addAll(ids(one));
    assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(expected));
  }

  /**
   * A request mixes many keys (each hand-over to the buffer holds runs of several keys). Each key's
   * file must hold exactly the rows convert writes for that key from the same lines, in the same
   * order (compared row by row, all columns, DuckDB).
   */
  @Test
  void records_manyKeysInOneRequest_eachKeyHoldsWhatConvertWrites() throws Exception {
    List<String> recs = Served.records(900, 61);
    Path served = dir.resolve("served");
    try (Served s = Served.start(served, Map.of())) {
      HttpResponse<String> r = post(s, "/records", "application/x-ndjson", lines(recs));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      s.stop();
    }
    Path input = dir.resolve("in.jsonl");
    java.nio.file.Files.write(input, lines(recs));
    Path converted = dir.resolve("converted");
    assertThat(Cli.run("convert", "-q", "-o", converted.toString(), input.toString()).exit()).isZero();
    java.util.Map<String, List<String>> byKey = rowsByKey(served);
    assertThat(byKey.size()).as("keys").isGreaterThanOrEqualTo(20);
    assertThat(byKey).isEqualTo(rowsByKey(converted));
  }

  /** Rows of every file, as JSON text in file order, by the file's directory and key (its name without run id and ordinal). */
  private static java.util.Map<String, List<String>> rowsByKey(Path out) throws Exception {
    java.util.Map<String, List<String>> rows = new java.util.TreeMap<>();
    try (DuckDb duck = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(out)) {
        String name = f.getFileName().toString();
        // <key>-<run id: yyyyMMdd'T'HHmmss'Z'-xxxx>-<first record>.parquet
        String key = out.relativize(f.getParent()) + "/" + name.replaceAll("-\\d{8}T\\d{6}Z-[0-9a-f]+-\\d+\\.parquet$", "");
        for (com.fasterxml.jackson.databind.JsonNode row : duck.rows(f)) {
          rows.computeIfAbsent(key, k -> new ArrayList<>()).add(row.toString());
        }
      }
    }
    return rows;
  }

  @Test
  void records_ndjsonGzipAndArray_areWrittenExactly_andBadLinesDeadLettered() throws Exception {
    Path out = dir.resolve("out");
    List<String> recs = Served.records(3000, 7);
    try (Served s = Served.start(out, Map.of())) {
      HttpResponse<String> r1 = post(s, "/records", "application/x-ndjson", lines(recs.subList(0, 1000)));
      assertThat(r1.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(r1.body()).get("accepted").asLong()).isEqualTo(1000);

      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (OutputStream g = new GZIPOutputStream(gz)) {
        g.write(lines(recs.subList(1000, 2000)));
      }
      HttpResponse<String> r2 = post(s, "/records", "application/x-ndjson", gz.toByteArray(), "Content-Encoding", "gzip");
      assertThat(r2.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(r2.body()).get("accepted").asLong()).isEqualTo(1000);

      List<String> arr = new ArrayList<>(recs.subList(2000, 3000));
      arr.add(3, "{\"audit\": \"maybe\"}");
      arr.add(7, "42");
      HttpResponse<String> r3 = post(s, "/records", "application/json",
          ("[" + String.join(",", arr) + "]").getBytes(StandardCharsets.UTF_8));
      assertThat(r3.statusCode()).isEqualTo(200);
      JsonNode j = JSON.readTree(r3.body());
      assertThat(j.get("accepted").asLong()).isEqualTo(1000);
      assertThat(j.get("rejected").asLong()).isEqualTo(2);
      assertThat(j.get("errors").get(0).get("line").asLong()).isEqualTo(4);
      assertThat(j.get("errors").get(0).get("error").asText()).contains("$.audit");
      assertThat(j.get("errors").get(1).get("line").asLong()).isEqualTo(8);

      HttpResponse<String> flush = post(s, "/flush", null, new byte[0]);
      assertThat(flush.statusCode()).isEqualTo(200);
      assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(ids(recs)));

      JsonNode stats = JSON.readTree(get(s, "/stats").body());
      assertThat(stats.get("written").asLong()).isEqualTo(3000);
      assertThat(stats.get("dead_lettered").asLong()).isEqualTo(2);
      long perKey = 0;
      for (JsonNode k : stats.get("keys")) {
        perKey += k.get("written").asLong();
        assertThat(k.get("buffered").asLong()).isZero();
      }
      assertThat(perKey).isEqualTo(3000);
      ServeRun.Summary sum = s.stop();
      assertThat(sum.records()).isEqualTo(3002);
      assertThat(sum.written()).isEqualTo(3000);
      assertThat(sum.deadLettered()).isEqualTo(2);
    }
    List<String> dlq = Files.readAllLines(Files.list(out.resolve("_dlq")).findFirst().orElseThrow());
    assertThat(dlq).hasSize(2);
    assertThat(JSON.readTree(dlq.get(0)).get("raw").asText()).isEqualTo("{\"audit\": \"maybe\"}");
    assertThat(JSON.readTree(dlq.get(1)).get("raw").asText()).isEqualTo("42");
  }

  @Test
  void record_single_201_andNeverValid_400_andFluentBitDateBecomesTime() throws Exception {
    Path out = dir.resolve("out");
    try (Served s = Served.start(out, Map.of())) {
      String one = "{\"date\":1732406400.25,\"level\":\"INFO\",\"log\":\"hello\",\"message_id\":\"m1\","
          + "\"business_capability\":\"c\",\"business_domain\":\"d\",\"business_service\":\"s\",\"application_service\":\"a\"}";
      HttpResponse<String> r = post(s, "/record/", "application/json", one.getBytes(StandardCharsets.UTF_8));
      assertThat(r.statusCode()).isEqualTo(201);
      HttpResponse<String> bad = post(s, "/record", "application/json", "{\"audit\":\"maybe\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(bad.body()).get("error").asText()).isEqualTo("$.audit: expected boolean, got string \"maybe\"");
      s.stop();
    }
    try (DuckDb duck = new DuckDb()) {
      List<JsonNode> rows = duck.rows(DuckDb.parquetFiles(out).get(0));
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).get("time").asText()).isEqualTo("1732406400.25");
      assertThat(rows.get(0).get("message").asText()).isEqualTo("hello");
    }
    // the event time (2024-11-24) placed it, not the ingest time
    assertThat(DuckDb.parquetFiles(out).get(0).toString()).contains("year=2024/month=11/day=24/hour=00");
  }

  @Test
  void errors_auth401_413_415_404_405_andHealthWithoutToken() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "s3cret\n");
    try (Served s = Served.start(dir.resolve("out"), Map.of("auth_token_file", token.toString(),
        "max_body_bytes", "2048"))) {
      byte[] body = "{\"message\":\"x\"}\n".getBytes(StandardCharsets.UTF_8);
      assertThat(post(s, "/records", "application/x-ndjson", body).statusCode()).isEqualTo(401);
      assertThat(post(s, "/records", "application/x-ndjson", body, "Authorization", "Bearer wrong").statusCode())
          .isEqualTo(401);
      assertThat(get(s, "/stats").statusCode()).isEqualTo(401);
      assertThat(get(s, "/metrics").statusCode()).isEqualTo(401);
      String[] auth = {"Authorization", "Bearer s3cret"};
      assertThat(post(s, "/records", "application/x-ndjson", body, auth).statusCode()).isEqualTo(200);
      assertThat(get(s, "/healthcheck").statusCode()).isEqualTo(200);
      assertThat(get(s, "/health/live").statusCode()).isEqualTo(200);
      assertThat(get(s, "/health/ready").statusCode()).isEqualTo(200);
      HttpResponse<String> big = post(s, "/records", "application/x-ndjson", new byte[4096], auth);
      assertThat(big.statusCode()).isEqualTo(413);
      // gzip: the limit counts decoded bytes
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (OutputStream g = new GZIPOutputStream(gz)) {
        g.write(("{\"message\":\"" + "x".repeat(5000) + "\"}\n").getBytes(StandardCharsets.UTF_8));
      }
      assertThat(gz.size()).isLessThan(2048);
      assertThat(post(s, "/records", "application/x-ndjson", gz.toByteArray(), "Authorization", "Bearer s3cret",
          "Content-Encoding", "gzip").statusCode()).isEqualTo(413);
      assertThat(post(s, "/records", "text/csv", body, auth).statusCode()).isEqualTo(415);
      assertThat(post(s, "/records", "application/x-ndjson", body, "Authorization", "Bearer s3cret",
          "Content-Encoding", "br").statusCode()).isEqualTo(415);
      assertThat(post(s, "/nope", "application/json", body, auth).statusCode()).isEqualTo(404);
      assertThat(get(s, "/records", auth).statusCode()).isEqualTo(405);
      HttpResponse<String> metrics = get(s, "/metrics", auth);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("json2parquet_http_requests_total{endpoint=\"/records\",status=\"413\"} 2.0")
          .contains("json2parquet_http_request_duration_seconds_bucket");
    }
  }

  private static byte[] gzip(byte[] b) throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream g = new GZIPOutputStream(gz)) {
      g.write(b);
    }
    return gz.toByteArray();
  }

  @Test
  void gzip_notGzipOrTruncated_400ForTheWholeRequest_nothingBuffered_counted() throws Exception {
    Path out = dir.resolve("out");
    List<String> bad = Served.records(9, 51);
    List<String> good = Served.records(20, 52);
    List<String> other = Served.records(7, 53);
    try (Served s = Served.start(out, Map.of())) {
      String[] gz = {"Content-Encoding", "gzip"};
      // a plain body sent as gzip (curl -H 'Content-Encoding: gzip' --data-binary @a.jsonl)
      HttpResponse<String> plain = post(s, "/records", "application/x-ndjson", lines(bad), gz);
      assertThat(plain.statusCode()).as(plain.body()).isEqualTo(400);
      assertThat(JSON.readTree(plain.body()).get("error").asText()).contains("gzip").contains("not in the GZIP format")
          .contains("nothing of this request was buffered");
      byte[] whole = gzip(lines(bad));
      // truncated: inside the deflate data, inside the 8-byte trailer, and a whole first member
      // followed by half of a second (concatenated members are one stream)
      byte[] second = gzip(lines(other));
      byte[] twoMembers = java.util.Arrays.copyOf(whole, whole.length + second.length);
      System.arraycopy(second, 0, twoMembers, whole.length, second.length);
      byte[][] cut = {java.util.Arrays.copyOf(whole, whole.length / 2), java.util.Arrays.copyOf(whole, whole.length - 3),
          java.util.Arrays.copyOf(twoMembers, whole.length + second.length / 2)};
      for (byte[] body : cut) {
        HttpResponse<String> r = post(s, "/records", "application/x-ndjson", body, gz);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("truncated")
            .contains("nothing of this request was buffered");
      }
      // two whole members are one body
      HttpResponse<String> both = post(s, "/records", "application/x-ndjson", twoMembers, gz);
      assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
      assertThat(JSON.readTree(both.body()).get("accepted").asLong()).isEqualTo(bad.size() + other.size());
      HttpResponse<String> ok = post(s, "/records", "application/x-ndjson", gzip(lines(good)), gz);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      HttpResponse<String> metrics = get(s, "/metrics");
      assertThat(metrics.body()).contains("json2parquet_http_requests_total{endpoint=\"/records\",status=\"400\"} 4.0");
      ServeRun.Summary summary = s.stop();
      assertThat(summary.records()).isEqualTo(good.size() + bad.size() + other.size());
      assertThat(summary.deadLettered()).isZero();
    }
    List<String> expected = new ArrayList<>(ids(good));
    expected.addAll(ids(bad));
    expected.addAll(ids(other));
    assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(expected));
  }

  @Test
  @org.junit.jupiter.api.Timeout(60)
  void tooLarge_everyWay_isAJsonErrorAndCounted() throws Exception {
    try (Served s = Served.start(dir.resolve("out"), Map.of("max_body_bytes", "2048"))) {
      List<HttpResponse<String>> answers = new ArrayList<>();
      // Content-Length over the limit
      answers.add(post(s, "/records", "application/x-ndjson", new byte[4096]));
      // the same with Expect: 100-continue (curl sends it for large bodies), on a plain socket: JDK 17's
      // HttpClient waits for ever when the answer to an Expect request is not 100 (JDK-8286171)
      String expect = expectContinue(s, "/records", 4096);
      assertThat(expect).startsWith("HTTP/1.1 413 ").contains("max_body_bytes (2048 bytes");
      // chunked, no Content-Length
      answers.add(client.send(HttpRequest.newBuilder(s.http("/records")).header("Content-Type", "application/x-ndjson")
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[4096])))
          .build(), HttpResponse.BodyHandlers.ofString()));
      // small gzip body that decodes to more than the limit
      answers.add(post(s, "/records", "application/x-ndjson", gzip(("{\"message\":\"" + "x".repeat(5000) + "\"}\n")
          .getBytes(StandardCharsets.UTF_8)), "Content-Encoding", "gzip"));
      for (HttpResponse<String> r : answers) {
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("max_body_bytes (2048 bytes");
      }
      assertThat(get(s, "/metrics").body())
          .contains("json2parquet_http_requests_total{endpoint=\"/records\",status=\"413\"} 4.0");
    }
  }

  /**
   * Sends only the headers of a POST with {@code Expect: 100-continue} and a Content-Length of
   * {@code length}, and returns the whole answer (status line, headers, body) the server sends
   * before it closes the connection.
   */
  private static String expectContinue(Served s, String path, int length) throws Exception {
    java.net.URI u = s.http(path);
    try (java.net.Socket socket = new java.net.Socket(u.getHost(), u.getPort())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: " + u.getHost() + "\r\n"
          + "Content-Type: application/x-ndjson\r\nContent-Length: " + length + "\r\nExpect: 100-continue\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void auth_wrongTokenToldApartFromMissing_flushOfAnEmptyKeySaysSo() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "s3cret\n");
    try (Served s = Served.start(dir.resolve("out"), Map.of("auth_token_file", token.toString()))) {
      byte[] body = "{\"message\":\"x\"}\n".getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> missing = post(s, "/records", "application/x-ndjson", body);
      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("a bearer token is required");
      HttpResponse<String> wrong = post(s, "/records", "application/x-ndjson", body, "Authorization", "Bearer nope");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("the bearer token is not accepted");
      HttpResponse<String> flush = post(s, "/flush?key=nokey", null, new byte[0], "Authorization", "Bearer s3cret");
      assertThat(flush.statusCode()).isEqualTo(200);
      JsonNode f = JSON.readTree(flush.body());
      assertThat(f.get("flushed_keys").asInt()).isZero();
      assertThat(f.get("key").asText()).isEqualTo("nokey");
      assertThat(f.get("message").asText()).contains("nokey holds no buffered records");
    }
  }

  @Test
  void backPressure_bufferFull_429WithRetryAfter_thenEverythingWritten() throws Exception {
    Path out = dir.resolve("out");
    System.setProperty(Sinks.TEST_WRAPPER, GatedSink.class.getName());
    GatedSink.shut();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Served s = Served.start(out, Map.of("max_buffer_bytes", "4MiB", "key", "", "partition", ""));
    try {
      List<String> recs = Served.records(40_000, 3);
      List<Future<HttpResponse<String>>> pending = new ArrayList<>();
      List<String> sent = new ArrayList<>();
      HttpResponse<String> refused = null;
      // one key: every sixth of the budget is handed to a flusher whose commits wait at the gate
      for (int i = 0; i < 40 && refused == null; i++) {
        List<String> part = recs.subList(i * 1000, (i + 1) * 1000);
        Future<HttpResponse<String>> f = pool.submit(() -> post(s, "/records", "application/x-ndjson", lines(part)));
        try {
          HttpResponse<String> r = f.get(3, java.util.concurrent.TimeUnit.SECONDS);
          if (r.statusCode() == 429) {
            refused = r;
          } else {
            assertThat(r.statusCode()).isEqualTo(200);
            sent.addAll(part);
          }
        } catch (java.util.concurrent.TimeoutException waiting) {
          pending.add(f); // waiting for buffer space: answered once the flusher catches up
          sent.addAll(part);
          await().atMost(Duration.ofSeconds(10)).until(() -> s.run.pipeline().health().bufferFull());
        }
      }
      assertThat(refused).isNotNull();
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(get(s, "/health/ready").statusCode()).isEqualTo(503);
      GatedSink.open();
      for (Future<HttpResponse<String>> f : pending) {
        assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      s.stop();
      assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(ids(sent)));
    } finally {
      GatedSink.open();
      s.close();
      System.clearProperty(Sinks.TEST_WRAPPER);
      pool.shutdownNow();
    }
  }

  @Test
  void sinkDownAndRecoveryFailing_503() throws Exception {
    Path out = dir.resolve("out");
    Path notADir = dir.resolve("recovery-is-a-file");
    Files.writeString(notADir, "x");
    FaultySink.with("always", () -> {
      try (Served s = Served.start(out, Map.of("recovery_path", notADir.toString()))) {
        byte[] body = lines(Served.records(10, 1));
        assertThat(post(s, "/records", "application/x-ndjson", body).statusCode()).isEqualTo(200);
        assertThat(post(s, "/flush", null, new byte[0]).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> s.run.pipeline().health().recoveryFailing() != null);
        HttpResponse<String> r = post(s, "/records", "application/x-ndjson", body);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(get(s, "/health/ready").statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(get(s, "/stats").body()).get("lost").asLong()).isEqualTo(10);
      }
      return null;
    });
  }

  @Test
  void slowClient_408_andConnectionsCapped() throws Exception {
    try (Served s = Served.start(dir.resolve("out"), Map.of("client_timeout", "1", "max_connections", "2"))) {
      int port = s.server.httpPort();
      try (Socket slow = new Socket("127.0.0.1", port)) {
        slow.setSoTimeout(15_000);
        slow.getOutputStream().write(("POST /records HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
            + "Content-Length: 100\r\n\r\n{\"mess").getBytes(StandardCharsets.US_ASCII));
        String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(answer).startsWith("HTTP/1.1 408");
      }
      try (Socket a = new Socket("127.0.0.1", port); Socket b = new Socket("127.0.0.1", port)) {
        await().atMost(Duration.ofSeconds(5)).until(() -> true);
        try (Socket c = new Socket("127.0.0.1", port)) {
          c.setSoTimeout(15_000);
          InputStream in = c.getInputStream();
          assertThat(in.read()).isEqualTo(-1); // closed at once: over max_connections
        }
      }
    }
  }

  @Test
  void tls_selfSignedCertificate() throws Exception {
    Path p12 = dir.resolve("k.p12");
    Process kt = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "s", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
        "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    kt.getInputStream().readAllBytes();
    assertThat(kt.waitFor()).isZero();
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, "changeit".toCharArray());
    }
    java.util.Base64.Encoder b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(ks.getCertificate("s").getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + b64.encodeToString(ks.getKey("s", "changeit".toCharArray()).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpClient tlsClient = HttpClient.newBuilder().sslContext(ssl).build();
    Path out = dir.resolve("out");
    List<String> recs = Served.records(100, 5);
    try (Served s = Served.start(out, Map.of("tls_cert", cert.toString(), "tls_key", key.toString()))) {
      java.net.URI uri = java.net.URI.create("https://127.0.0.1:" + s.server.httpPort() + "/records");
      HttpResponse<String> r = tlsClient.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-ndjson")
          .POST(HttpRequest.BodyPublishers.ofByteArray(lines(recs))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      // plain HTTP on the TLS port gets no answer
      assertThat(CompletableFuture.supplyAsync(() -> {
        try {
          return get(s, "/healthcheck").statusCode();
        } catch (Exception e) {
          return -1;
        }
      }).get()).isEqualTo(-1);
      s.stop();
    }
    assertThat(sorted(DuckDb.messageIds(out))).isEqualTo(sorted(ids(recs)));
  }

  /** 8 clients x 50,000 records in batches of 1,000 lines: Parquet holds exactly the accepted records. */
  @Test
  void concurrentClients_parquetHoldsExactlyTheAcceptedRecords() throws Exception {
    int clients = 8;
    int perClient = Integer.getInteger("serve.test.perClient", 50_000);
    Path out = dir.resolve("out");
    List<String> recs = Served.records((long) clients * perClient, 11);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try (Served s = Served.start(out, Map.of())) {
      List<Future<Long>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        List<String> mine = recs.subList(c * perClient, (c + 1) * perClient);
        done.add(pool.submit(() -> {
          long accepted = 0;
          for (int i = 0; i < mine.size(); i += 1000) {
            HttpResponse<String> r = post(s, "/records", "application/x-ndjson",
                lines(mine.subList(i, Math.min(mine.size(), i + 1000))));
            assertThat(r.statusCode()).isEqualTo(200);
            accepted += JSON.readTree(r.body()).get("accepted").asLong();
          }
          return accepted;
        }));
      }
      long accepted = 0;
      for (Future<Long> f : done) {
        accepted += f.get();
      }
      assertThat(accepted).isEqualTo(recs.size());
      s.stop();
    } finally {
      pool.shutdownNow();
    }
    List<String> written = DuckDb.messageIds(out);
    // sorted lists: equal means the same records, each exactly once
    assertThat(sorted(written)).isEqualTo(sorted(ids(recs)));
  }
}
