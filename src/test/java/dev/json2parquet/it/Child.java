package dev.json2parquet.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real CLI in a child JVM, for what only a process can be: sent signals, killed, holding locks. */
final class Child implements AutoCloseable {
  final Process process;
  final Path stderr;

  private Child(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
  }

  /** Starts {@code json2parquet args...}; stderr goes to {@code stderr}, stdin is a pipe. */
  static Child start(Path stderr, String... args) throws IOException {
    return start(stderr, List.of(), args);
  }

  /** As {@link #start(Path, String...)}, with JVM options such as {@code -Djson2parquet.test.*} hooks. */
  static Child start(Path stderr, List<String> jvmOptions, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.json2parquet.cli.Main"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return new Child(p, stderr);
  }

  /** Sends {@code signal} (TERM, INT, HUP, KILL) with kill(1). */
  void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " failed");
    }
  }

  int waitFor() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("child did not end within 60 s");
    }
    return process.exitValue();
  }

  String err() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  /** The run's journal, once it exists. */
  static Path awaitJournal(Path out) {
    Path[] found = new Path[1];
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
      found[0] = journals(out).stream().findFirst().orElse(null);
      return found[0] != null;
    });
    return found[0];
  }

  /** Waits until the run's journal lists a committed file: the run is past its start and mid-run. */
  static Path awaitFirstFile(Path out, Child child) {
    Path journal = awaitJournal(out);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
      if (!child.process.isAlive()) {
        throw new IllegalStateException("child ended before any file was committed: " + child.err());
      }
      return Files.readString(journal).contains("\"event\":\"file\"");
    });
    return journal;
  }

  /** Waits (20 s at most) until {@code file} exists; fails at once if the child ended first. */
  static void awaitFile(Path file, Child child) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
      if (Files.exists(file)) {
        return true;
      }
      if (!child.process.isAlive()) {
        throw new IllegalStateException("child ended before " + file + " appeared: " + child.err());
      }
      return false;
    });
  }

  static List<Path> journals(Path out) throws IOException {
    Path runs = out.resolve("_runs");
    List<Path> list = new ArrayList<>();
    if (Files.isDirectory(runs)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(runs, "*.json")) {
        s.forEach(list::add);
      }
    }
    list.sort(null);
    return list;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
