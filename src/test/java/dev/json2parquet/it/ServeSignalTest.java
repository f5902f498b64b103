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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve in a child JVM: SIGTERM with records still buffered writes every one of them and exits 0. */
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
}
