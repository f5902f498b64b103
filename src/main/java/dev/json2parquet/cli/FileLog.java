package dev.json2parquet.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.json2parquet.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The run log in a directory ({@code log_path}, from the original design): {@code DIR/json2parquet.log},
 * rolled by logback's own {@link RollingFileAppender} when it reaches {@value #MAX_FILE_SIZE}, keeping
 * {@code json2parquet.1.log} to {@code json2parquet.}{@value #KEPT}{@code .log}. It receives what
 * {@code --verbose} shows, at INFO level, or DEBUG with {@code debug}; stderr keeps showing only
 * warnings unless {@code --verbose}. Call once, from the command's thread, before the run.
 */
final class FileLog implements AutoCloseable {
  static final String FILE_NAME = "json2parquet.log";
  static final String MAX_FILE_SIZE = "10MB";
  static final int KEPT = 3;

  private final Logger root;
  private final Logger ours;
  private final Level oursBefore;
  private final RollingFileAppender<ILoggingEvent> appender;
  private final Appender<ILoggingEvent> stderr;
  private final Filter<ILoggingEvent> warnOnly;
  private final Path file;

  private FileLog(Logger root, Logger ours, Level oursBefore, RollingFileAppender<ILoggingEvent> appender,
      Appender<ILoggingEvent> stderr, Filter<ILoggingEvent> warnOnly, Path file) {
    this.root = root;
    this.ours = ours;
    this.oursBefore = oursBefore;
    this.appender = appender;
    this.stderr = stderr;
    this.warnOnly = warnOnly;
    this.file = file;
  }

  /** The log file, {@code DIR/json2parquet.log}. */
  Path file() {
    return file;
  }

  /** Detaches and closes the file appender and restores the levels and stderr as they were. */
  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    ours.setLevel(oursBefore);
    if (stderr != null) {
      // FilterAttachable has no removeFilter: put back every filter but ours
      List<Filter<ILoggingEvent>> filters = stderr.getCopyOfAttachedFiltersList();
      stderr.clearAllFilters();
      for (Filter<ILoggingEvent> f : filters) {
        if (f != warnOnly) {
          stderr.addFilter(f);
        }
      }
    }
  }

  /**
   * Adds the file appender under {@code dir} (created when missing).
   *
   * @param debug log at DEBUG rather than INFO
   * @param verbose whether stderr shows the same (else stderr stays at WARN)
   * @return the attached log, to close at the end of the run
   * @throws ConfigException when the directory cannot be created
   */
  static FileLog attach(Path dir, boolean debug, boolean verbose) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException("Cannot use log_path " + dir + ": " + e.getMessage());
    }
    Path file = dir.resolve(FILE_NAME);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Appender<ILoggingEvent> stderr = verbose ? null : root.getAppender("STDERR");
    ThresholdFilter warn = new ThresholdFilter();
    warn.setLevel("WARN");
    warn.start();
    if (stderr != null) {
      stderr.addFilter(warn);
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0}: %msg%n");
    encoder.start();
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName("FILE");
    appender.setFile(file.toString());
    appender.setEncoder(encoder);
    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(context);
    rolling.setParent(appender);
    rolling.setFileNamePattern(dir.resolve("json2parquet.%i.log").toString());
    rolling.setMinIndex(1);
    rolling.setMaxIndex(KEPT);
    rolling.start();
    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(context);
    trigger.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
    trigger.start();
    appender.setRollingPolicy(rolling);
    appender.setTriggeringPolicy(trigger);
    appender.start();
    root.addAppender(appender);
    Logger ours = context.getLogger("dev.json2parquet");
    Level before = ours.getLevel();
    if (!Level.DEBUG.equals(before)) {
      ours.setLevel(debug ? Level.DEBUG : Level.INFO);
    }
    return new FileLog(root, ours, before, appender, stderr, warn, file);
  }
}
