package dev.json2parquet.it;

import static org.awaitility.Awaitility.await;

import dev.json2parquet.buffer.Ticker;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.generate.LogGenerator;
import dev.json2parquet.pipeline.Converter;
import dev.json2parquet.pipeline.ServeRun;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.serve.Server;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code serve} in this JVM, wired as the serve command wires it (ServeRun + Server over the real
 * pipeline, sink and DLQ), on free ports of the loopback address.
 */
final class Served implements AutoCloseable {
  final Path out;
  final ServeRun run;
  final Server server;
  private boolean stopped;

  private Served(Path out, ServeRun run, Server server) {
    this.out = out;
    this.run = run;
    this.server = server;
  }

  /** Starts serving into {@code out} with {@code settings} (config keys to values) over the defaults below. */
  static Served start(Path out, Map<String, Object> settings) throws Exception {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("writer_file_path", out.toString());
    all.put("port", "0");
    all.put("forward_port", "0");
    all.put("threads", "2");
    all.put("flush_interval", "3600");
    all.putAll(settings);
    ConfigLoader loader = new ConfigLoader();
    all.forEach((k, v) -> loader.flag(k, v, "--" + k));
    Config cfg = loader.build();
    RecordType type = Converter.fixedRecordType(cfg);
    Server.Settings s = Server.Settings.of(cfg, type);
    ServeRun run = ServeRun.open(cfg, type, Clock.systemUTC(), Ticker.system(), false);
    Server server = new Server(s, run.pipeline(), run.runId(), new PrintStream(new ByteArrayOutputStream()));
    server.start();
    return new Served(out, run, server);
  }

  URI http(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.httpPort() + pathAndQuery);
  }

  /** As SIGTERM does: stop accepting, answer what is in flight, flush and commit every key. */
  ServeRun.Summary stop() throws Exception {
    stopped = true;
    server.stop(30_000_000_000L);
    return run.close("TERM");
  }

  @Override
  public void close() throws Exception {
    if (!stopped) {
      stop();
    }
  }

  /** {@code n} generated Log records (seed {@code seed}) as JSON lines, each with a unique message_id. */
  static List<String> records(long n, long seed) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    new LogGenerator(new LogGenerator.Options(n, seed, 20, 0, Instant.parse("2024-11-24T00:00:00Z"))).write(b);
    List<String> lines = new ArrayList<>();
    for (String l : b.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!l.isBlank()) {
        lines.add(l);
      }
    }
    return lines;
  }

  /** The message_id of a generated line. */
  static String messageId(String line) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("message_id").asText();
  }

  /** The HTTP port a serve child JVM printed ("HTTP on 127.0.0.1:PORT"), polled with a deadline. */
  static int httpPort(Child child) {
    Pattern bound = Pattern.compile("HTTP on 127\\.0\\.0\\.1:(\\d+)");
    int[] port = new int[1];
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Matcher m = bound.matcher(child.err());
      if (m.find()) {
        port[0] = Integer.parseInt(m.group(1));
        return true;
      }
      if (!child.process.isAlive()) {
        throw new IllegalStateException("serve ended: " + child.err());
      }
      return false;
    });
    return port[0];
  }
}
