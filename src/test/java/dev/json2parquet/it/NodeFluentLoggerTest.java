package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second independent real forward client: the npm package {@code fluent-logger} (the Node.js
 * Fluentd client) with {@code requireAckResponse}, installed by scripts/test into
 * {@code target/node} when node and npm exist (Python's is in PythonFluentLoggerTest). Skipped,
 * saying so, when it is not installed.
 */
class NodeFluentLoggerTest {
  @TempDir
  Path dir;

  @Test
  void nodeFluentLogger_ackMode_everyEventWritten() throws Exception {
    Path module = Path.of(System.getProperty("project.build.directory", "target"), "node", "node_modules",
        "fluent-logger");
    assumeTrue(Files.isDirectory(module), "the npm package fluent-logger is not in " + module
        + " (scripts/test installs it with npm install --prefix target/node fluent-logger when npm exists)");
    Path out = dir.resolve("out");
    int n = 300;
    Path script = dir.resolve("send.js");
    Files.writeString(script, """
        const logger = require(process.argv[2]);
        const sender = logger.createFluentSender('node', {host: '127.0.0.1', port: +process.argv[3],
            requireAckResponse: true, ackResponseTimeout: 10000, timeout: 10});
        let left = +process.argv[4];
        for (let i = 0; i < +process.argv[4]; i++) {
          sender.emit('app', {message: 'node ' + i, level: 'INFO', message_id: 'node' + i,
              business_capability: 'c', business_domain: 'd', business_service: 's', application_service: 'a'},
            (err) => {
              if (err) { console.error('emit failed: ' + err); process.exit(1); }
              if (--left === 0) { sender.end(); }
            });
        }
        """);
    try (Served s = Served.start(out, Map.of())) {
      Process p = new ProcessBuilder("node", script.toString(), module.toString(),
          Integer.toString(s.server.forwardPort()), Integer.toString(n)).redirectErrorStream(true).start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(output).isZero();
      s.stop();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add("node" + i);
    }
    List<String> written = new ArrayList<>(DuckDb.messageIds(out));
    Collections.sort(expected);
    Collections.sort(written);
    assertThat(written).isEqualTo(expected);
  }
}
