package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client the issue names: Python's {@code fluent-logger} (Debian's {@code python3-fluent-logger}
 * for {@code /usr/bin/python3}, which scripts/test installs when it can). Its synchronous
 * {@code fluent.sender.FluentSender} sends Message mode with integer seconds, its
 * {@code fluent.asyncsender.FluentSender} with {@code nanosecond_precision} sends EventTime; neither
 * asks for acks, so the test waits until /stats counts every record, then sends SIGTERM to the serve
 * child, which flushes everything and exits 0; DuckDB reads the message, the tag field and the time
 * of each record, and no message_id twice. Skipped, saying the apt command, when the package is missing.
 */
class PythonFluentLoggerTest {
  private static final String PYTHON = "/usr/bin/python3";

  @TempDir
  Path dir;

  @Test
  void pythonFluentLogger_syncAndAsyncEventTime_everyRecordWrittenOnce_afterSigterm() throws Exception {
    assumeTrue(pythonHasFluentLogger(), "Python's fluent-logger is not importable by " + PYTHON
        + " (install Debian's package: apt-get install python3-fluent-logger)");
    Path out = dir.resolve("out");
    int n = 400;
    long base = 1732410123L; // 2024-11-24T01:02:03Z
    Path script = dir.resolve("send.py");
    Files.writeString(script, """
        import sys
        from fluent import sender, asyncsender
        port, n, base = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        def rec(kind, i):
            return {'log': 'py %s %d' % (kind, i), 'level': 'INFO', 'message_id': 'py-%s-%d' % (kind, i),
                    'business_capability': 'c', 'business_domain': 'd', 'business_service': 's',
                    'application_service': 'a'}
        s = sender.FluentSender('py', host='127.0.0.1', port=port)
        for i in range(n):
            if not s.emit_with_time('sync', base + i, rec('sync', i)):
                sys.exit('sync emit failed: %r' % s.last_error)
        s.close()
        a = asyncsender.FluentSender('py', host='127.0.0.1', port=port, nanosecond_precision=True)
        for i in range(n):
            if not a.emit_with_time('async', base + i + 0.25, rec('async', i)):
                sys.exit('async emit failed: %r' % a.last_error)
        a.close()  # waits until the queue is sent
        if a.last_error is not None:
            sys.exit('async sender failed: %r' % a.last_error)
        """);
    try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
        "--forward-port", "0", "--flush-interval", "3600", "--threads", "1")) {
      int http = Served.httpPort(child);
      int forward = forwardPort(child);
      Process p = new ProcessBuilder(PYTHON, script.toString(), Integer.toString(forward), Integer.toString(n),
          Long.toString(base)).redirectErrorStream(true).start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(output).isZero();
      // no acks in this client: wait until the server has taken every record, then stop it
      HttpClient client = HttpClient.newHttpClient();
      ObjectMapper json = new ObjectMapper();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> json.readTree(
          client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/stats")).build(),
              HttpResponse.BodyHandlers.ofString()).body()).get("received").asLong() == 2L * n);
      assertThat(DuckDb.parquetFiles(out)).isEmpty(); // all still buffered (flush interval of an hour)
      child.signal("TERM");
      assertThat(child.waitFor()).as(child.err()).isZero();
      assertThat(child.err()).contains((2 * n) + " records received, " + (2 * n) + " written, 0 dead-lettered");
    }
    Map<String, JsonNode> rows = new TreeMap<>();
    try (DuckDb duck = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(out)) {
        for (JsonNode r : duck.rows(f)) {
          assertThat(rows.put(r.get("message_id").asText(), r)).as("duplicate " + r.get("message_id")).isNull();
        }
      }
    }
    assertThat(rows).hasSize(2 * n);
    for (int i = 0; i < n; i++) {
      JsonNode s = rows.get("py-sync-" + i);
      assertThat(s.get("message").asText()).isEqualTo("py sync " + i);
      assertThat(s.get("args").get("tag").asText()).isEqualTo("py.sync");
      assertThat(s.get("time").asText()).isEqualTo(Instant.ofEpochSecond(base + i).toString());
      JsonNode a = rows.get("py-async-" + i);
      assertThat(a.get("message").asText()).isEqualTo("py async " + i);
      assertThat(a.get("args").get("tag").asText()).isEqualTo("py.async");
      // EventTime: seconds and nanoseconds (a quarter second is exact in the client's float)
      assertThat(a.get("time").asText()).isEqualTo(Instant.ofEpochSecond(base + i, 250_000_000).toString());
    }
  }

  /**
   * The new-user trial's case: the asynchronous sender (no acks) emits 201 records and closes, and
   * SIGTERM follows at once, without waiting for /stats: serve reads what the client sent before
   * closing its connection, and writes every record once.
   */
  @Test
  void pythonAsyncSender_sigtermRightAfterClose_everyRecordWrittenOnce() throws Exception {
    assumeTrue(pythonHasFluentLogger(), "Python's fluent-logger is not importable by " + PYTHON
        + " (install Debian's package: apt-get install python3-fluent-logger)");
    Path out = dir.resolve("out");
    int n = 201;
    Path script = dir.resolve("send.py");
    Files.writeString(script, """
        import sys
        from fluent import asyncsender
        port, n = int(sys.argv[1]), int(sys.argv[2])
        a = asyncsender.FluentSender('py', host='127.0.0.1', port=port, nanosecond_precision=True)
        for i in range(n):
            if not a.emit('async', {'log': 'py async %d' % i, 'level': 'INFO', 'message_id': 'py-async-%d' % i,
                    'business_capability': 'c', 'business_domain': 'd', 'business_service': 's',
                    'application_service': 'a'}):
                sys.exit('async emit failed: %r' % a.last_error)
        a.close()
        if a.last_error is not None:
            sys.exit('async sender failed: %r' % a.last_error)
        """);
    try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
        "--forward-port", "0", "--flush-interval", "3600", "--threads", "1")) {
      Served.httpPort(child);
      Process p = new ProcessBuilder(PYTHON, script.toString(), Integer.toString(forwardPort(child)),
          Integer.toString(n)).redirectErrorStream(true).start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(output).isZero();
      child.signal("TERM");
      assertThat(child.waitFor()).as(child.err()).isZero();
      assertThat(child.err()).contains(n + " records received, " + n + " written, 0 dead-lettered");
    }
    java.util.List<String> ids = new java.util.ArrayList<>(DuckDb.messageIds(out));
    java.util.Collections.sort(ids);
    java.util.List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add("py-async-" + i);
    }
    java.util.Collections.sort(expected);
    assertThat(ids).isEqualTo(expected);
  }

  private static boolean pythonHasFluentLogger() throws Exception {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return false;
    }
    Process p = new ProcessBuilder(PYTHON, "-c", "import fluent.sender, fluent.asyncsender")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /** The forward port the serve child printed ("forward on 127.0.0.1:PORT"), once the HTTP line is out. */
  private static int forwardPort(Child child) throws Exception {
    Matcher m = Pattern.compile("forward on 127\\.0\\.0\\.1:(\\d+)").matcher(child.err());
    assertThat(m.find()).as(child.err()).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
