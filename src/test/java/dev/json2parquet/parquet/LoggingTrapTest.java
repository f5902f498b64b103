package dev.json2parquet.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * parquet-java formats a debug line per value (RecordConsumerLoggingWrapper) when its logger is at
 * DEBUG, which hadoop-common's log4j binding does by default: writes get 8x slower. These tests fail
 * if that binding comes back or if parquet-java's logging is ever at DEBUG.
 */
class LoggingTrapTest {
  @Test
  void classpath_hasNoLog4jBindingFromHadoop() {
    assertThatThrownBy(() -> Class.forName("org.slf4j.impl.Reload4jLoggerAdapter"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("org.apache.log4j.Logger")).isInstanceOf(ClassNotFoundException.class);
    assertThat(LoggerFactory.getILoggerFactory().getClass().getName()).startsWith("ch.qos.logback");
  }

  @Test
  void parquetLogging_isNeverAtDebug_soNoRecordConsumerLoggingWrapper() {
    assertThat(LoggerFactory.getLogger("org.apache.parquet.io.MessageColumnIO").isDebugEnabled()).isFalse();
    assertThat(LoggerFactory.getLogger("org.apache.parquet.io.RecordConsumerLoggingWrapper").isDebugEnabled())
        .isFalse();
    assertThat(LoggerFactory.getLogger("org.apache.parquet.hadoop.ParquetFileWriter").isInfoEnabled()).isFalse();
    assertThat(LoggerFactory.getLogger("org.apache.hadoop.conf.Configuration").isDebugEnabled()).isFalse();
  }
}
