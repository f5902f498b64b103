package dev.json2parquet.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.pipeline.Converter;
import dev.json2parquet.pipeline.RunResult;
import dev.json2parquet.source.Input;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Converts JSON lines (one object per line) from files or stdin to Parquet files split by key.",
      "Lines that are not valid records go to the dead-letter queue with the reason; the run goes on.",
      "Settings come from flags, then JSON2PARQUET_<KEY> environment variables, then the config file, then defaults."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:every record was written",
      "1:failure; the message says what was and was not written",
      "2:usage or configuration error",
      "3:finished, some records were dead-lettered"})
final class ConvertCommand implements Callable<Integer> {
  private final Context ctx;

  ConvertCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Parameters(paramLabel = "FILE", arity = "0..*",
      description = "Input files (.gz is decompressed); '-' or none reads stdin.")
  List<String> files = new ArrayList<>();

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output directory (writer_file_path; default ./out).")
  String out;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "JSON config file with snake_case or CamelCase keys.")
  Path config;

  @Option(names = "--compression", paramLabel = "CODEC",
      description = "snappy, gzip, zstd or none (writer_compression_type; default snappy).")
  String compression;

  @Option(names = "--row-group-size", paramLabel = "BYTES", description = "Row group size (writer_row_group_size; default 128MiB).")
  String rowGroupSize;

  @Option(names = "--page-size", paramLabel = "BYTES", description = "Data page size (writer_page_size; default 2MiB).")
  String pageSize;

  @Option(names = "--buffer-size", paramLabel = "N", description = "Records per key per file (buffer_size; default 1000000).")
  String bufferSize;

  @Option(names = "--max-buffer-bytes", paramLabel = "BYTES",
      description = "Memory the buffer may hold across all keys; when reached the largest keys are flushed early "
          + "(max_buffer_bytes; default 256MiB).")
  String maxBufferBytes;

  @Option(names = "--flush-interval", paramLabel = "SECONDS",
      description = "Flush a key once its oldest record is this old (flush_interval; default 300).")
  String flushInterval;

  @Option(names = "--partition", paramLabel = "TEMPLATE",
      description = "Directory layout over record fields and event time, e.g. '{business_domain}/dt={time:yyyy-MM-dd}' "
          + "(partition; default for log records capability={business_capability}/year={time:yyyy}/month={time:MM}/day={time:dd}/hour={time:HH}, "
          + "none for dynamic records).")
  String partition;

  @Option(names = "--key", paramLabel = "TEMPLATE",
      description = "What records are grouped by within a partition (key; default for log records "
          + "{business_capability}:{business_domain}:{business_service}:{application_service}, none for dynamic records).")
  String key;

  @Option(names = "--dlq", paramLabel = "DIR", description = "Dead-letter directory (dlq_path; default OUT/_dlq).")
  String dlq;

  @Option(names = "--record-type", paramLabel = "TYPE",
      description = "log (the Log record) or dynamic (any JSON shape, from --schema or inferred) (record_type; default log).")
  String recordType;

  @Option(names = "--schema", paramLabel = "FILE",
      description = "JSON Schema of dynamic records (json_schema_path); without it the schema is inferred from the first records.")
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

  @Option(names = {"-q", "--quiet"}, description = "No summary line and no progress bar.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Log what is written; stack traces on errors.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = new ConfigLoader();
    if (config != null) {
      loader.file(config);
    }
    loader.environment(ctx.env())
        .flag("writer_file_path", out, "--out")
        .flag("writer_compression_type", compression, "--compression")
        .flag("writer_row_group_size", rowGroupSize, "--row-group-size")
        .flag("writer_page_size", pageSize, "--page-size")
        .flag("buffer_size", bufferSize, "--buffer-size")
        .flag("max_buffer_bytes", maxBufferBytes, "--max-buffer-bytes")
        .flag("flush_interval", flushInterval, "--flush-interval")
        .flag("partition", partition, "--partition")
        .flag("key", key, "--key")
        .flag("dlq_path", dlq, "--dlq")
        .flag("record_type", recordType, "--record-type")
        .flag("json_schema_path", schema, "--schema")
        .flag("unknown_fields", unknownFields, "--unknown-fields")
        .flag("schema_sample", sample, "--sample")
        .flag("max_line_bytes", maxLineBytes, "--max-line-bytes")
        .flag("threads", threads, "--threads");
    Config cfg = loader.build();
    boolean debug = verbose || cfg.debug();
    if (debug) {
      ((Logger) LoggerFactory.getLogger("dev.json2parquet")).setLevel(Level.DEBUG);
    }
    List<Input> inputs = inputs(files, ctx);
    RunResult result = new Converter(cfg, ctx.clock(), ctx.ticker(), ctx.err(), ctx.terminal() && !quiet, debug)
        .run(inputs);
    if (!quiet || !result.ok()) {
      ctx.err().println(result.summary());
    }
    for (String f : result.failures()) {
      ctx.err().println("json2parquet: " + f);
    }
    if (result.fatal() != null) {
      ctx.err().println("json2parquet: " + result.fatal());
    }
    if (!result.ok()) {
      return ExitCodes.FAILURE;
    }
    return result.deadLettered() > 0 ? ExitCodes.DEAD_LETTERED : ExitCodes.OK;
  }

  /** The inputs named on a command line: files (checked to be readable), '-' or nothing for stdin. */
  static List<Input> inputs(List<String> files, Context ctx) {
    List<Input> list = new ArrayList<>();
    if (files.isEmpty()) {
      list.add(Input.stream("stdin", ctx.in()));
    }
    for (String f : files) {
      if (f.equals("-")) {
        list.add(Input.stream("stdin", ctx.in()));
        continue;
      }
      Path p = Path.of(f);
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new ConfigException("Cannot read input " + f + ": " + (Files.exists(p) ? "not a readable file" : "no such file"));
      }
      list.add(Input.file(p));
    }
    return list;
  }
}
