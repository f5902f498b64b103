package dev.json2parquet.it;

import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the real sink and fails commits, as the system property {@value #FAULTS} says:
 * {@code always}, {@code nth=N} (the N-th commit of this sink fails, the others pass) or
 * {@code path=TEXT} (commits of paths that contain TEXT fail). Installed through
 * {@link Sinks#TEST_WRAPPER}, in this JVM or a child JVM.
 */
public final class FaultySink extends ForwardingSink {
  static final String FAULTS = "json2parquet.test.faults";

  private final String spec;
  private final AtomicInteger commits = new AtomicInteger();

  public FaultySink(Sink real) {
    super(real);
    this.spec = System.getProperty(FAULTS, "");
  }

  /** Runs {@code body} with every sink opened in this JVM failing as {@code faults} says. */
  static <T> T with(String faults, Callable<T> body) throws Exception {
    System.setProperty(Sinks.TEST_WRAPPER, FaultySink.class.getName());
    System.setProperty(FAULTS, faults);
    try {
      return body.call();
    } finally {
      System.clearProperty(Sinks.TEST_WRAPPER);
      System.clearProperty(FAULTS);
    }
  }

  private boolean fails(String path, int n) {
    if (spec.equals("always")) {
      return true;
    }
    if (spec.startsWith("nth=")) {
      return n == Integer.parseInt(spec.substring(4));
    }
    return spec.startsWith("path=") && path.contains(spec.substring(5));
  }

  @Override
  void beforeCommit(String relativePath) throws IOException {
    if (fails(relativePath, commits.incrementAndGet())) {
      throw new IOException("injected failure (" + spec + ")");
    }
  }
}
