package dev.json2parquet.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Load for scripts/bench-serve, one JVM for either listener: sends a JSON-lines file in requests or
 * messages of {@code batch} records over {@code connections} connections, each waiting for its answer
 * before sending the next. {@code http}: {@code POST /records} (application/x-ndjson) with the JDK
 * HttpClient (HTTP/1.1, one connection per sending thread), each answer checked to be 200 with every
 * record accepted; {@code forward}: PackedForward messages with chunk ids ({@link ForwardClient}),
 * each waiting for its ack. Every payload is built before the clock starts (then it prints
 * {@code ready}); once every answer is in it prints one more line:
 * {@code START_EPOCH_SECONDS RECORDS SEND_SECONDS CLIENT_CPU_SECONDS} (the CPU this process used
 * while sending, all its threads), so the bench times the server from the first byte sent and shows
 * what the client itself cost on the shared cores.
 *
 * <p>{@code java -cp <test classpath> dev.json2parquet.it.ServeLoad http|forward PORT FILE CONNECTIONS BATCH}
 */
public final class ServeLoad {
  private ServeLoad() {}

  public static void main(String[] args) throws Exception {
    boolean http = args[0].equals("http");
    Load load = prepare(http, Integer.parseInt(args[1]), Path.of(args[2]), Integer.parseInt(args[4]), "c");
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.println("ready");
    System.out.flush();
    long cpu0 = os.getProcessCpuTime();
    Instant start = Instant.now();
    long t0 = System.nanoTime();
    load.send(Integer.parseInt(args[3]));
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    System.out.printf("%d.%09d %d %.3f %.3f%n", start.getEpochSecond(), start.getNano(), load.records(), seconds, cpu);
  }

  /** Payloads of {@code batch} records each, built from a JSON-lines file, for one listener; forward chunk ids start with {@code chunkPrefix}. */
  static Load prepare(boolean http, int port, Path file, int batch, String chunkPrefix) throws Exception {
    List<String> lines = Files.readAllLines(file);
    List<byte[]> payloads = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    Instant t = Instant.parse("2024-11-24T00:00:00Z");
    for (int i = 0; i < lines.size(); i += batch) {
      List<String> part = lines.subList(i, Math.min(lines.size(), i + batch));
      if (http) {
        payloads.add((String.join("\n", part) + "\n").getBytes(StandardCharsets.UTF_8));
      } else {
        List<Map<String, Object>> recs = new ArrayList<>();
        for (String l : part) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = json.readValue(l, Map.class);
          recs.add(m);
        }
        payloads.add(ForwardClient.packed("bench", recs, t, chunkPrefix + i, false));
      }
    }
    return new Load(http, port, payloads, lines.size());
  }

  /** Prepared payloads. */
  static final class Load {
    private final boolean http;
    private final int port;
    private final List<byte[]> payloads;
    private final long records;
    private final HttpClient client;

    Load(boolean http, int port, List<byte[]> payloads, long records) {
      this.http = http;
      this.port = port;
      this.payloads = payloads;
      this.records = records;
      this.client = http ? HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build() : null;
    }

    long records() {
      return records;
    }

    /** Sends every payload over {@code connections} connections, each waiting for its answer; returns when all are answered. */
    void send(int connections) throws Exception {
      URI uri = URI.create("http://127.0.0.1:" + port + "/records");
      java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(connections, r -> new Thread(r, "load-" + n.incrementAndGet()));
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        int me = c;
        done.add(pool.submit(() -> {
          if (http) {
            for (int i = me; i < payloads.size(); i += connections) {
              HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                  .header("Content-Type", "application/x-ndjson")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(payloads.get(i))).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200 || !r.body().contains("\"rejected\":0")) {
                throw new IllegalStateException("POST /records answered " + r.statusCode() + " " + r.body());
              }
            }
          } else {
            try (ForwardClient f = new ForwardClient(port)) {
              for (int i = me; i < payloads.size(); i += connections) {
                f.send(payloads.get(i));
                f.ack();
              }
            }
          }
          return null;
        }));
      }
      try {
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
    }
  }
}
