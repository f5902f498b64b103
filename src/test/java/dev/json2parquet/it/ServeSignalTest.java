package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.time.Instant;
import java.util.List;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import static org.awaitility.Awaitility.await;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve in a child JVM: SIGTERM with records still buffered writes every one of them and exits 0;
 * SIGTERM right after forward clients without acks sent their messages (one closed its connection,
 * one keeps it open) still reads, buffers and writes every record they sent, once.
 */
class ServeSignalTest {
  @TempDir
  Path dir;

  @Test
  void sigterm_withBufferedRecords_writesEverything_exits0() throws Exception {
    Path out = dir.resolve("out");
    try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
        "--forward-port", "-1", "--flush-interval", "3600", "--threads", "1")) {
      int port = Served.httpPort(child);
      List<String> recs = Served.records(5000, 21);
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/records"))
          .header("Content-Type", "application/x-ndjson")
          .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", recs), StandardCharsets.UTF_8)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(DuckDb.parquetFiles(out)).isEmpty(); // all still buffered (flush interval of an hour)
      child.signal("TERM");
      assertThat(child.waitFor()).as(child.err()).isZero();
      assertThat(child.err()).contains("stopped by SIGTERM: 5000 records received, 5000 written, 0 dead-lettered");
      List<String> expected = new ArrayList<>();
      for (String l : recs) {
        expected.add(Served.messageId(l));
      }
      List<String> written = new ArrayList<>(DuckDb.messageIds(out));
      Collections.sort(expected);
      Collections.sort(written);
      assertThat(written).isEqualTo(expected);
      String journal = Files.readString(Child.journals(out).get(0));
      assertThat(journal).contains("\"serve\":true").contains("\"state\":\"finished\"").contains("\"signal\":\"SIGTERM\"");
    }
  }

  @Test
  void sigterm_rightAfterForwardClientsWithoutAcks_readsWhatTheySent_writesEveryRecordOnce() throws Exception {
    Path out = dir.resolve("out");
    int perClient = 1500;
    List<String> expected = new ArrayList<>();
    try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
        "--forward-port", "0", "--flush-interval", "3600", "--threads", "1")) {
      Served.httpPort(child);
      Matcher m = Pattern.compile("forward on 127\\.0\\.0\\.1:(\\d+)").matcher(child.err());
      assertThat(m.find()).as(child.err()).isTrue();
      int forward = Integer.parseInt(m.group(1));
      ForwardClient closing = new ForwardClient(forward);
      try (ForwardClient open = new ForwardClient(forward)) {
        for (ForwardClient c : List.of(closing, open)) {
          String kind = c == closing ? "closed" : "open";
          for (int i = 0; i < perClient; i += 50) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int j = i; j < i + 50; j++) {
              Map<String, Object> r = new LinkedHashMap<>();
              r.put("log", "fwd " + kind + " " + j);
              r.put("level", "INFO");
              r.put("message_id", "fwd-" + kind + "-" + j);
              r.put("business_capability", "c");
              r.put("business_domain", "d");
              r.put("business_service", "s");
              r.put("application_service", "a");
              batch.add(r);
              expected.add("fwd-" + kind + "-" + j);
            }
            // no chunk option: the client asks for no ack, as Python's fluent-logger does
            c.out.write(ForwardClient.forward("app." + kind, batch, Instant.parse("2024-11-24T01:02:03Z"), null, false));
          }
          c.out.flush();
        }
        closing.close();
        child.signal("TERM"); // at once: no waiting for /stats to count the records
        assertThat(child.waitFor()).as(child.err()).isZero();
      }
      assertThat(child.err()).contains("stopped by SIGTERM: " + (2 * perClient) + " records received, "
          + (2 * perClient) + " written, 0 dead-lettered");
    }
    List<String> written = new ArrayList<>(DuckDb.messageIds(out));
    Collections.sort(expected);
    Collections.sort(written);
    assertThat(written).isEqualTo(expected);
  }

  @Test
  void sigterm_whileRequestBodyHalfReceived_requestFinishes_isAnswered_recordsWritten() throws Exception {
    Path out = dir.resolve("out");
    List<String> recs = Served.records(200, 7);
    byte[] body = (String.join("\n", recs) + "\n").getBytes(StandardCharsets.UTF_8);
    String response;
    try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
        "--forward-port", "-1", "--flush-interval", "3600", "--threads", "1");
        Socket socket = new Socket("127.0.0.1", Served.httpPort(child))) {
      socket.setSoTimeout(20_000);
      OutputStream o = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // Expect: 100-continue, so the test knows the server has read the headers before the signal
      o.write(("POST /records HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
          + body.length + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      o.flush();
      assertThat(readHead(in)).startsWith("HTTP/1.1 100");
      o.write(body, 0, body.length / 2);
      o.flush();
      child.signal("TERM");
      await().atMost(Duration.ofSeconds(10)).until(() -> child.err().contains("no longer accepting"));
      o.write(body, body.length / 2, body.length - body.length / 2);
      o.flush();
      response = readHead(in);
      assertThat(child.waitFor()).as(child.err()).isZero();
      assertThat(child.err()).contains("stopped by SIGTERM: 200 records received, 200 written, 0 dead-lettered");
    }
    assertThat(response).startsWith("HTTP/1.1 200");
    List<String> expected = new ArrayList<>();
    for (String l : recs) {
      expected.add(Served.messageId(l));
    }
    List<String> written = new ArrayList<>(DuckDb.messageIds(out));
    Collections.sort(expected);
    Collections.sort(written);
    assertThat(written).isEqualTo(expected);
  }

  @Test
  void secondSignal_saysTheAcceptedRecordsAreLost_nextServeRemovesItsInprogressFilesAndLock() throws Exception {
    Path out = dir.resolve("out");
    String killed;
    try (Child child = Child.start(dir.resolve("err.txt"), "serve", "-o", out.toString(), "--port", "0",
        "--forward-port", "-1", "--flush-interval", "3600", "--threads", "1")) {
      int port = Served.httpPort(child);
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/records")).header("Content-Type", "application/x-ndjson")
          .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", Served.records(300, 3)))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      killed = Child.journals(out).get(0).getFileName().toString().replaceFirst("\\.json$", "");
      // a file being written when the process dies, as the run names it
      Path inprogress = out.resolve("k").resolve("." + "k-" + killed + "-1.parquet.inprogress");
      Files.createDirectories(inprogress.getParent());
      Files.writeString(inprogress, "partial");
      try (Socket socket = new Socket("127.0.0.1", port)) {
        // a request whose body never ends keeps the first signal's shutdown waiting
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("POST /records HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson"
            + "\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 100");
        child.signal("TERM");
        await().atMost(Duration.ofSeconds(10)).until(() -> child.err().contains("no longer accepting"));
        child.signal("TERM");
        assertThat(child.waitFor()).as(child.err()).isEqualTo(143);
      }
      assertThat(child.err()).contains("second signal (SIGTERM): stopped at once; 300 records accepted and not yet"
          + " written are LOST").doesNotContain("converts its inputs again");
      assertThat(out.resolve("_runs").resolve(killed + ".lock")).exists();
      assertThat(inprogress).exists();
    }
    try (Child next = Child.start(dir.resolve("err2.txt"), "serve", "-o", out.toString(), "--port", "0",
        "--forward-port", "-1")) {
      Served.httpPort(next);
      assertThat(next.err()).contains("serve run " + killed + " stopped without finishing (killed or a second signal):"
          + " its 0 committed files are kept; removed its lock and 1 unfinished .inprogress files");
      assertThat(out.resolve("_runs").resolve(killed + ".lock")).doesNotExist();
      try (var files = Files.walk(out)) {
        assertThat(files.filter(f -> f.toString().endsWith(".inprogress")).toList()).isEmpty();
      }
      assertThat(Files.readString(out.resolve("_runs").resolve(killed + ".json"))).contains("\"event\":\"superseded\"");
      next.signal("TERM");
      assertThat(next.waitFor()).as(next.err()).isZero();
    }
  }

  /** The status line and headers of one HTTP response (up to the blank line), or what came before EOF. */
  private static String readHead(InputStream in) throws Exception {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      b.append((char) c);
      if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return b.toString();
  }
}
