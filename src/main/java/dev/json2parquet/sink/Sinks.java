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
   * The sink of {@code writer_type}: local files under {@code writer_file_path}, or objects in
   * {@code s3_bucket_name} under {@code s3_prefix}. Opening the S3 sink checks its bucket (a HeadBucket
   * request) before it returns, so callers open it before reading any input.
   *
   * @throws ConfigException when the S3 bucket cannot be used: missing (unless {@code s3_create_bucket}),
   *     access denied, wrong region, unreachable endpoint, no credentials; one line each
   */
  public static Sink open(Config config) {
    return open(config, false);
  }

  /**
   * As {@link #open(Config)}; with {@code sharedNames}, several processes may write the same file
   * name at once (the Redis flushers), so local files get private temporary names
   * ({@link LocalSink#LocalSink(java.nio.file.Path, boolean)}). S3 needs nothing: an object appears
   * whole on its PUT or CompleteMultipartUpload, the last one winning.
   */
  public static Sink open(Config config, boolean sharedNames) {
    Sink sink = config.writerType().equals("s3") ? S3Connection.open(config) : new LocalSink(config.outDir(), sharedNames);
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
