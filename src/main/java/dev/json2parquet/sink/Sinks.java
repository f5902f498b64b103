package dev.json2parquet.sink;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import java.lang.reflect.InvocationTargetException;

/** Chooses the sink from the configuration; the only place that names an implementation. */
public final class Sinks {
  private Sinks() {}

  /**
   * The test hook: the system property {@value} names a class with a public constructor taking a
   * {@link Sink}; every sink opened is wrapped in it (fault-injecting sinks of the tests, in this
   * JVM or a child JVM). Unset in every normal run.
   */
  public static final String TEST_WRAPPER = "json2parquet.test.sinkWrapper";

  /**
   * The sink of {@code writer_type} (today local files under {@code writer_file_path}).
   *
   * @throws ConfigException for a writer type this version cannot write
   */
  public static Sink open(Config config) {
    if (config.writerType().equals("s3")) {
      throw new ConfigException("Invalid writer_type = \"s3\": this version writes local files only; use \"file\"");
    }
    Sink sink = new LocalSink(config.outDir());
    String wrapper = System.getProperty(TEST_WRAPPER);
    if (wrapper == null || wrapper.isEmpty()) {
      return sink;
    }
    try {
      return (Sink) Class.forName(wrapper).getConstructor(Sink.class).newInstance(sink);
    } catch (ReflectiveOperationException | ClassCastException e) {
      Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
      throw new IllegalStateException("Cannot wrap the sink in " + wrapper + ": " + cause, cause);
    }
  }
}
