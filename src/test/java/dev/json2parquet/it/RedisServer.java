package dev.json2parquet.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process for the tests (Debian's package; scripts/test installs it),
 * on a free loopback port, without persistence unless asked, its files in {@code dir}. Stopping and
 * starting again keeps the port (a "Redis outage"); with {@code --appendonly yes} among the extra
 * arguments the data survives the restart too. {@link #cluster} starts three primaries joined with
 * {@code redis-cli --cluster create}. Readiness is polled with a deadline (a {@code PING} answered
 * {@code +PONG}), never slept for.
 */
final class RedisServer implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> extra;
  private Process process;

  /** Starts a server; {@code extra} are more {@code redis-server} arguments, e.g. "--requirepass", "s3cret". */
  RedisServer(Path dir, String... extra) throws IOException {
    this(dir, freePort(), List.of(extra));
  }

  private RedisServer(Path dir, int port, List<String> extra) throws IOException {
    this.dir = dir;
    this.port = port;
    this.extra = extra;
    Files.createDirectories(dir);
    start();
  }

  /** The path of {@code redis-server}, or a failure saying how to install it. */
  static String binary(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    for (String d : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
      if (Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name).toString();
      }
    }
    throw new IllegalStateException(name + " not found: install Debian's redis-server (apt-get install redis-server),"
        + " which scripts/test does when it can");
  }

  int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}, the form of redis_host. */
  String address() {
    return "127.0.0.1:" + port;
  }

  /** Starts the server (again) on its port; returns once it answers PING with its data set loaded. */
  void start() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(binary("redis-server"), "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
        "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
    cmd.addAll(extra);
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited with " + process.exitValue() + ": "
            + Files.readString(dir.resolve("stdout.log")) + readLog());
      }
      if (answersPing(port)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("redis-server on port " + port + " did not answer PING within 20 s: " + readLog());
      }
      Thread.onSpinWait();
      try {
        process.waitFor(20, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  /** Kills the server at once (SIGKILL): what was not persisted is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  /** Stops the server with SIGTERM (with --appendonly yes, it writes its data first). */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      kill();
    }
  }

  /** Runs {@code redis-cli -p port args...} and returns its output (for checks beside the client under test). */
  String cli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(binary("redis-cli"), "-p", String.valueOf(port)));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(20, TimeUnit.SECONDS);
    return out.strip();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  /**
   * Three cluster-enabled primaries in subdirectories of {@code dir}, joined into one cluster
   * covering all 16,384 slots; returns once the cluster reports {@code cluster_state:ok}.
   */
  static List<RedisServer> cluster(Path dir) throws IOException, InterruptedException {
    List<RedisServer> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(new RedisServer(dir.resolve("node" + i), freePort(),
          List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")));
    }
    List<String> create = new ArrayList<>(List.of(binary("redis-cli"), "--cluster", "create"));
    for (RedisServer n : nodes) {
      create.add(n.address());
    }
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("redis-cli --cluster create failed: " + out);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (RedisServer n : nodes) {
      while (!n.cli("cluster", "info").contains("cluster_state:ok")) {
        if (System.nanoTime() > deadline) {
          throw new IOException("the cluster did not reach cluster_state:ok within 30 s");
        }
        p.waitFor(50, TimeUnit.MILLISECONDS);
      }
    }
    return nodes;
  }

  /** {@code host:port,host:port,...} of {@code nodes}, the form of redis_host for a cluster. */
  static String addresses(List<RedisServer> nodes) {
    StringBuilder b = new StringBuilder();
    for (RedisServer n : nodes) {
      b.append(b.length() == 0 ? "" : ",").append(n.address());
    }
    return b.toString();
  }

  private String readLog() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean answersPing(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64];
      int n = in.read(buf);
      // +PONG, or -NOAUTH when a password is required: either way the server is up; but -LOADING
      // means it still replays its append-only file and refuses commands until it has
      return n > 0 && (buf[0] == '+' || buf[0] == '-')
          && !new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("-LOADING");
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
