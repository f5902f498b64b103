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
    int maxLineBytes,
    int threads,
    boolean debug,
    String bufferType,
    String writerType,
    Map<String, Object> values) {

  public WriterSettings writerSettings() {
    return new WriterSettings(compression, rowGroupBytes, pageBytes, WriterSettings.DEFAULT_DICTIONARY_PAGE_BYTES);
  }

  public Object value(String key) {
    return values.get(key);
  }
}
