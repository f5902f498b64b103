package dev.json2parquet.bench;

import dev.json2parquet.parquet.BatchEncoder;
import dev.json2parquet.parquet.Compression;
import dev.json2parquet.parquet.WriterSettings;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
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
 * The Parquet encoder on one thread: one batch of {@value #RECORDS} generated Log records, read
 * once in setup, encoded as a whole file per invocation into a stream that discards the bytes.
 * Default writer settings except the codec. The encoder is reused across invocations, as a flusher
 * thread reuses its own, so what it learns about dictionary fallbacks carries over like in a run.
 *
 * <p>Scores are records per second; the {@code inputBytes} line is the JSON bytes those records
 * came from per second, comparable with the MB/s of scripts/bench. Run from the repository root:
 *
 * <pre>{@code
 * mvn -q -B -ntp -Pjmh -DskipTests package && java -jar target/benchmarks.jar EncoderBenchmark -f 1 -wi 3 -i 5
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class EncoderBenchmark {
  static final int RECORDS = 100_000;

  @Param({"snappy", "none"})
  public String codec;

  private ColumnBatch batch;
  private long jsonBytes;
  private BatchEncoder encoder;
  private final OutputStream discard = OutputStream.nullOutputStream();

  @Setup
  public void setUp() throws RecordException {
    LogLines lines = LogLines.generate(RECORDS);
    RecordType type = RecordType.log();
    JsonRecordReader reader = new JsonRecordReader(type);
    batch = new ColumnBatch(type.schema());
    lines.appendAll(reader, new ColumnBatch(type.schema()), batch);
    jsonBytes = lines.totalBytes();
    WriterSettings defaults = WriterSettings.defaults();
    encoder = new BatchEncoder(type.schema(), new WriterSettings(Compression.parse(codec),
        defaults.rowGroupBytes(), defaults.pageBytes(), defaults.dictionaryPageBytes()));
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long encode(InputBytes counter) throws IOException {
    long written = encoder.encode(batch, discard, Map.of());
    counter.inputBytes += jsonBytes;
    return written;
  }
}
