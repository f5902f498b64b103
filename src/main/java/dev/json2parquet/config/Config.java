package dev.json2parquet.config;

import dev.json2parquet.parquet.Compression;
import dev.json2parquet.parquet.WriterSettings;
import java.nio.file.Path;
import java.util.Map;

/**
 * The validated configuration of a run. Built only by {@link ConfigLoader}; every value has been
 * range-checked. {@code values} keeps every key (snake_case) with its final value, for keys that
 * belong to features not built yet (Redis, S3) and for printing.
 */
public record Config(
    Path outDir,
    Path dlqDir,
    Path recoveryDir,
    Compression compression,
    long rowGroupBytes,
    int pageBytes,
    int bufferSize,
    long maxBufferBytes,
    double flushIntervalSeconds,
    String partition,
    String key,
    String recordType,
    Path schemaPath,
    String unknownFields,
    int schemaSample,
    int maxLineBytes,
    int threads,
    boolean debug,
    String bufferType,
    String writerType,
    boolean tryAutoRecover,
    int recoveryAttempts,
    Map<String, Object> values) {

  /** The Log record's default layout: Hive-style by capability and event hour. */
  public static final String LOG_PARTITION =
      "capability={business_capability}/year={time:yyyy}/month={time:MM}/day={time:dd}/hour={time:HH}";
  /** The Log record's default key: the four business fields. */
  public static final String LOG_KEY =
      "{business_capability}:{business_domain}:{business_service}:{application_service}";

  /** The partition template: as configured, else the Log layout for log records and none for dynamic ones. */
  public String partitionTemplate() {
    return partition != null ? partition : recordType.equals("log") ? LOG_PARTITION : "";
  }

  /** The key template: as configured, else the Log key for log records and none for dynamic ones. */
  public String keyTemplate() {
    return key != null ? key : recordType.equals("log") ? LOG_KEY : "";
  }

  public WriterSettings writerSettings() {
    return new WriterSettings(compression, rowGroupBytes, pageBytes, WriterSettings.DEFAULT_DICTIONARY_PAGE_BYTES);
  }

  /** max_file_bytes: a key's file is completed once its Parquet bytes reach this. */
  public long maxFileBytes() {
    return ((Number) values.get("max_file_bytes")).longValue();
  }

  /** max_open_files: files open for appending at once. */
  public int maxOpenFiles() {
    return ((Number) values.get("max_open_files")).intValue();
  }

  public Object value(String key) {
    return values.get(key);
  }
}
