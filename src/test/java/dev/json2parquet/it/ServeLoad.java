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
 * before sending the next. {@code http}: {@code POST /records} (application/x-ndjson), each answer
 * checked to be 200 with every record accepted, over one HTTP/1.1 keep-alive connection per sending
 * thread: with {@code client=raw} (the default) each request is written as prebuilt bytes to a plain
 * socket and its answer read by status line, headers and Content-Length (a load generator only, so
 * that the client costs the shared cores next to nothing), with {@code client=jdk} through the JDK
 * HttpClient (0.6 to 0.9 CPU s per 100k records on this machine); {@code forward}: PackedForward
 * messages with chunk ids ({@link ForwardClient}), each waiting for its ack.
 *
 * <p>{@code passes} passes over the file: each is timed from its first byte sent until every record
 * is committed, i.e. until its answers are in and a {@code POST /flush} on {@code httpPort} (which
 * hands over every key and answers once its files are committed) is answered. The first pass meets a
 * cold server (JIT); the later ones measure the warm, long-running service. Every payload of every
 * pass is built before the first clock starts (then it prints {@code ready}); each pass prints
 * {@code pass N RECORDS SECONDS CLIENT_CPU_SECONDS SERVER_CPU_SECONDS} (client: this process, all
 * threads; server: utime + stime of {@code serverPid} from /proc, 0 when not given).
 *
 * <p>{@code java -cp <test classpath> dev.json2parquet.it.ServeLoad http|forward PORT FILE CONNECTIONS BATCH
 * [HTTP_PORT PASSES SERVER_PID raw|jdk]}
 */
public final class ServeLoad {
  private ServeLoad() {}

  public static void main(String[] args) throws Exception {
    boolean http = args[0].equals("http");
    int port = Integer.parseInt(args[1]);
    Path file = Path.of(args[2]);
    int connections = Integer.parseInt(args[3]);
    int batch = Integer.parseInt(args[4]);
    int httpPort = args.length > 5 ? Integer.parseInt(args[5]) : http ? port : -1;
    int passes = args.length > 6 ? Integer.parseInt(args[6]) : 1;
    long serverPid = args.length > 7 ? Long.parseLong(args[7]) : 0;
    boolean raw = args.length <= 8 || args[8].equals("raw");
    List<Load> loads = new ArrayList<>();
    for (int p = 1; p <= passes; p++) {
      // new chunk ids each pass: a chunk id seen before is acknowledged without buffering
      loads.add(prepare(http, port, file, batch, "pass" + p + "-").raw(raw));
    }
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.println("ready");
    System.out.flush();
    for (int p = 1; p <= passes; p++) {
      Load load = loads.get(p - 1);
      long cpu0 = os.getProcessCpuTime();
      double server0 = serverCpu(serverPid);
      long t0 = System.nanoTime();
      load.send(connections);
      if (httpPort > 0) {
        flush(httpPort);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
      System.out.printf("pass %d %d %.3f %.3f %.3f%n", p, load.records(), seconds, cpu, serverCpu(serverPid) - server0);
      System.out.flush();
      loads.set(p - 1, null);
    }
  }

  /** utime + stime of a process in seconds (/proc/PID/stat), 0 for pid 0. */
  static double serverCpu(long pid) throws Exception {
    if (pid == 0) {
      return 0;
    }
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields 14 and 15 of proc(5), counted from the state (field 3) here
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /** POST /flush: every key handed over; answered once its files are committed. */
  static void flush(int httpPort) throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/flush"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST /flush answered " + r.statusCode() + " " + r.body());
    }
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
    private boolean raw;

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

    /** Whether HTTP requests go over plain sockets (prebuilt bytes) instead of the JDK HttpClient. */
    Load raw(boolean raw) {
      this.raw = raw;
      return this;
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
          if (http && raw) {
            try (RawHttp h = new RawHttp(port)) {
              for (int i = me; i < payloads.size(); i += connections) {
                h.post(payloads.get(i));
              }
            }
          } else if (http) {
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

  /**
   * One HTTP/1.1 keep-alive connection that posts prebuilt ndjson bodies to {@code /records} and
   * reads each answer (status line, headers, Content-Length body); a bench load generator, not a
   * client for general use (no chunked answers, no redirects).
   */
  static final class RawHttp implements AutoCloseable {
    private final java.net.Socket socket;
    private final java.io.OutputStream out;
    private final java.io.DataInputStream in;
    private final byte[] head;

    RawHttp(int port) throws java.io.IOException {
      socket = new java.net.Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 1 << 14));
      head = ("POST /records HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/x-ndjson\r\n")
          .getBytes(StandardCharsets.US_ASCII);
    }

    void post(byte[] body) throws java.io.IOException {
      out.write(head);
      out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String status = line();
      int length = -1;
      for (String h = line(); !h.isEmpty(); h = line()) {
        if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Integer.parseInt(h.substring(15).trim());
        }
      }
      if (length < 0) {
        throw new IllegalStateException("an answer without Content-Length: " + status);
      }
      byte[] answer = new byte[length];
      in.readFully(answer);
      String text = new String(answer, StandardCharsets.UTF_8);
      if (!status.startsWith("HTTP/1.1 200") || !text.contains("\"rejected\":0")) {
        throw new IllegalStateException("POST /records answered " + status + " " + text);
      }
    }

    private String line() throws java.io.IOException {
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new java.io.EOFException("the server closed the connection");
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }
}
