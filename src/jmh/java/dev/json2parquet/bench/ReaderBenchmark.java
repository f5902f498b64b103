package dev.json2parquet.bench;

import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.JsonSchemas;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.record.UnknownFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The record reader on one thread: {@value #LINES} generated Log lines shredded one by one, either
 * into a one-record batch only ({@code read}) or also appended to one growing batch, as the
 * pipeline appends each record to its key's batch ({@code readAndAppend}). The {@code log} record
 * type is the built-in Log record; {@code dynamic} is the same shape read through the JSON Schema
 * in samples/log.schema.json.
 *
 * <p>Scores are records per second; the {@code inputBytes} line is JSON bytes per second.
 * Run from the repository root (the dynamic case reads the schema file from there):
 *
 * <pre>{@code
 * mvn -q -B -ntp -Pjmh -DskipTests package && java -jar target/benchmarks.jar ReaderBenchmark -f 1 -wi 3 -i 5
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class ReaderBenchmark {
  static final int LINES = 20_000;
  static final Path LOG_SCHEMA = Path.of("samples", "log.schema.json");

  @Param({"log", "dynamic"})
  public String recordType;

  private LogLines lines;
  private JsonRecordReader reader;
  private ColumnBatch record;
  private ColumnBatch batch;

  @Setup
  public void setUp() throws IOException, RecordException {
    lines = LogLines.generate(LINES);
    RecordType type = switch (recordType) {
      case "log" -> RecordType.log();
      case "dynamic" -> RecordType.dynamic(JsonSchemas.parse(readSchema(), "record"), UnknownFields.EXTRA);
      default -> throw new IllegalArgumentException("Cannot benchmark record type " + recordType
          + ": expected log or dynamic");
    };
    reader = new JsonRecordReader(type);
    record = new ColumnBatch(type.schema());
    batch = new ColumnBatch(type.schema());
    // every line must read (a rejected line would make the loop measure the error path), and one
    // full pass leaves the batch's arrays at their final size before the first measurement
    lines.appendAll(reader, record, batch);
  }

  private static String readSchema() throws IOException {
    if (!Files.isRegularFile(LOG_SCHEMA)) {
      throw new IOException("Cannot read " + LOG_SCHEMA + ": run the benchmark from the repository root");
    }
    return Files.readString(LOG_SCHEMA);
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public int read(InputBytes counter) throws RecordException {
    int records = 0;
    for (int i = 0; i < LINES; i++) {
      lines.read(i, reader, record);
      records += record.records();
    }
    counter.inputBytes += lines.totalBytes();
    return records;
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public ColumnBatch readAndAppend(InputBytes counter) throws RecordException {
    batch.clear();
    lines.appendAll(reader, record, batch);
    counter.inputBytes += lines.totalBytes();
    return batch;
  }
}
