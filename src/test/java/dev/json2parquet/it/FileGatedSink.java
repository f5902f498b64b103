package dev.json2parquet.it;

import dev.json2parquet.sink.Sink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * For a child JVM: the first {@code N} commits pass, every later one waits until the file {@code GATE}
 * exists; the first to wait creates {@code GATE.paused}, so the test knows the run is held mid-way
 * (a commit pending, the reader still reading until the budget fills). Installed with
 * {@code -Djson2parquet.test.sinkWrapper=dev.json2parquet.it.FileGatedSink -Djson2parquet.test.gate=N:GATE}
 * ({@link #jvmOptions}).
 */
public final class FileGatedSink extends ForwardingSink {
  static final String GATE = "json2parquet.test.gate";
  private static final AtomicInteger COMMITS = new AtomicInteger();

  public FileGatedSink(Sink real) {
    super(real);
  }

  /** The child's JVM options: hold every commit after the first {@code passing} until {@code gate} exists. */
  static java.util.List<String> jvmOptions(int passing, Path gate, Path signalled) {
    return java.util.List.of("-Djson2parquet.test.sinkWrapper=" + FileGatedSink.class.getName(),
        "-D" + GATE + "=" + passing + ":" + gate, "-Djson2parquet.test.signalled=" + signalled);
  }

  @Override
  void beforeCommit(String relativePath) throws IOException {
    String spec = System.getProperty(GATE);
    int passing = Integer.parseInt(spec.substring(0, spec.indexOf(':')));
    Path gate = Path.of(spec.substring(spec.indexOf(':') + 1));
    if (COMMITS.incrementAndGet() <= passing) {
      return;
    }
    try {
      Files.createFile(gate.resolveSibling(gate.getFileName() + ".paused"));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // another commit waits already
    }
    try {
      Awaitility.await().forever().pollInterval(java.time.Duration.ofMillis(10)).until(() -> Files.exists(gate));
    } catch (RuntimeException e) {
      throw new UncheckedIOException(new IOException("test gate: " + e, e));
    }
  }
}
