package dev.json2parquet.cli;

import dev.json2parquet.config.ConfigLoader;
import picocli.CommandLine.Option;

/**
 * How records are read, grouped and encoded. Shared by {@code convert} and {@code dlq replay} as a
 * picocli mixin (a replay converts with the current settings); each flag names its config key.
 */
final class ConversionOptions {
  @Option(names = "--compression", paramLabel = "CODEC",
      description = "snappy, gzip, zstd or none (writer_compression_type; default snappy).")
  String compression;

  @Option(names = "--row-group-size", paramLabel = "BYTES", description = "Row group size (writer_row_group_size; default 128MiB).")
  String rowGroupSize;

  @Option(names = "--page-size", paramLabel = "BYTES", description = "Data page size (writer_page_size; default 2MiB).")
  String pageSize;

  @Option(names = "--buffer-size", paramLabel = "N", description = "Records per file, and per row group (buffer_size; default 1000000).")
  String bufferSize;

  @Option(names = "--max-buffer-bytes", paramLabel = "BYTES",
      description = "Memory the buffer may hold across all keys; when reached the largest keys are flushed early "
          + "(max_buffer_bytes; default 256MiB).")
  String maxBufferBytes;

  @Option(names = "--max-file-bytes", paramLabel = "BYTES",
      description = "A key's file is completed once it holds this much Parquet (max_file_bytes; default 512MiB).")
  String maxFileBytes;

  @Option(names = "--max-open-files", paramLabel = "N",
      description = "Files open for appending at once; the least recently written is completed to open another "
          + "(max_open_files; default 256).")
  String maxOpenFiles;

  @Option(names = "--flush-interval", paramLabel = "SECONDS",
      description = "Complete a key's file once its oldest record is this old (flush_interval; default 300).")
  String flushInterval;

  @Option(names = "--partition", paramLabel = "TEMPLATE",
      description = "Directory layout over record fields and event time, e.g. 'dt={time:yyyy-MM-dd}' or "
          + "'{business_domain}/{time:yyyy}' "
          + "(partition; default for log records: Hive-style by business_capability and event hour, "
          + "none for dynamic records).")
  String partition;

  @Option(names = "--key", paramLabel = "TEMPLATE",
      description = "What records are grouped by within a partition (key; default for log records: "
          + "the business_capability, business_domain, business_service and application_service fields, "
          + "none for dynamic records).")
  String key;

  @Option(names = "--record-type", paramLabel = "TYPE",
      description = "log (the Log record) or dynamic (any JSON shape, from --schema or inferred) (record_type; default log).")
  String recordType;

  @Option(names = "--schema", paramLabel = "FILE",
      description = "JSON Schema or Avro schema (.avsc) of dynamic records (json_schema_path); "
          + "without it the schema is inferred from the first records.")
  String schema;

  @Option(names = "--unknown-fields", paramLabel = "POLICY",
      description = "Dynamic records: fields not in the schema are dropped, kept as JSON text in the _extra map column, "
          + "or dead-lettered: drop, extra or dlq (unknown_fields; default extra).")
  String unknownFields;

  @Option(names = "--sample", paramLabel = "N",
      description = "Records read to infer a schema when --schema is not given (schema_sample; default 10000).")
  String sample;

  @Option(names = "--max-line-bytes", paramLabel = "BYTES", description = "Longer lines are dead-lettered (max_line_bytes; default 16MiB).")
  String maxLineBytes;

  @Option(names = "--threads", paramLabel = "N", description = "Encoder threads (threads; default: the number of cores).")
  String threads;

  /** Adds these flags to {@code loader} (flags take precedence over environment and file). */
  ConfigLoader apply(ConfigLoader loader) {
    return loader
        .flag("writer_compression_type", compression, "--compression")
        .flag("writer_row_group_size", rowGroupSize, "--row-group-size")
        .flag("writer_page_size", pageSize, "--page-size")
        .flag("buffer_size", bufferSize, "--buffer-size")
        .flag("max_buffer_bytes", maxBufferBytes, "--max-buffer-bytes")
        .flag("max_file_bytes", maxFileBytes, "--max-file-bytes")
        .flag("max_open_files", maxOpenFiles, "--max-open-files")
        .flag("flush_interval", flushInterval, "--flush-interval")
        .flag("partition", partition, "--partition")
        .flag("key", key, "--key")
        .flag("record_type", recordType, "--record-type")
        .flag("json_schema_path", schema, "--schema")
        .flag("unknown_fields", unknownFields, "--unknown-fields")
        .flag("schema_sample", sample, "--sample")
        .flag("max_line_bytes", maxLineBytes, "--max-line-bytes")
        .flag("threads", threads, "--threads");
  }
}
