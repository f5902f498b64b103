package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The original design's example configs, its log_path and the config warnings, through the real CLI. */
class OriginalConfigsCliTest {
  @TempDir
  Path dir;

  private static String resource(String name) throws Exception {
    return Path.of(OriginalConfigsCliTest.class.getResource("/data2parquet/" + name).toURI()).toString();
  }

  @Test
  void originalMemoryExample_convertsTheSamples() throws Exception {
    Path out = dir.resolve("out"); // the example's writer_file_path, ./data, overridden to stay in the temp dir

    Cli.Result r = Cli.run("convert", "-c", resource("memory-buffer-file-writer.json"), "-o", out.toString(),
        "samples/logs.jsonl");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("201 records read, 201 written");
    try (DuckDb duck = new DuckDb()) {
      long rows = 0;
      for (Path f : DuckDb.parquetFiles(out)) {
        rows += duck.rows(f).size();
      }
      assertThat(rows).isEqualTo(201);
    }
  }

  @Test
  void originalRedisExample_withoutARedisThere_stopsWithExit2_namingTheAddress() throws Exception {
    Cli.Result r = Cli.run("convert", "-c", resource("redis-buffer-file-writer.json"), "-o", dir.toString(),
        "samples/logs.jsonl");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Cannot connect to Redis at 0.0.0.0:6379");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void severalConfigProblems_areAllPrintedOneALine() throws Exception {
    Path cfg = dir.resolve("c.json");
    Files.writeString(cfg, "{\"BufferType\": \"disk\", \"s3_bucket_nme\": \"b\"}");

    Cli.Result r = Cli.run("convert", "-c", cfg.toString(), "-o", dir.resolve("o").toString(), "samples/logs.jsonl");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines()).containsExactly(
        "json2parquet: Invalid BufferType = \"disk\" (config file " + cfg + "): must be one of memory, mem, redis",
        "json2parquet: Unknown setting 's3_bucket_nme' (config file " + cfg + "): did you mean s3_bucket_name?");
  }

  @Test
  void ineffectiveSetting_isOneWarningLine() throws Exception {
    Path cfg = dir.resolve("c.json");
    Files.writeString(cfg, "{\"buffer_type\": \"mem\", \"RedisHost\": \"cache:6379\"}");

    Cli.Result r = Cli.run(new byte[0], Map.of(), "convert", "-c", cfg.toString(), "-o", dir.resolve("o").toString(),
        "--unknown-fields", "drop", "samples/logs.jsonl");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> l.contains("warning"))).containsExactly(
        "json2parquet: warning: Ignoring RedisHost: it has no effect with buffer_type memory",
        "json2parquet: warning: Ignoring --unknown-fields: it has no effect with record_type log");
  }

  @Test
  void logPath_writesTheRunLogToJson2parquetLog() throws Exception {
    Path logs = dir.resolve("logs");
    Path cfg = dir.resolve("c.json");
    Files.writeString(cfg, "{\"log_path\": \"" + logs + "\"}");

    Cli.Result r = Cli.run("convert", "-c", cfg.toString(), "-o", dir.resolve("o").toString(), "samples/logs.jsonl");

    assertThat(r.exit()).as(r.err()).isZero();
    String log = Files.readString(logs.resolve("json2parquet.log"));
    assertThat(log).contains("INFO").contains("convert samples/logs.jsonl into")
        .contains("201 records read, 201 written");
    assertThat(r.err()).doesNotContain("INFO");
  }

  @Test
  void summary_countsRecordsPlacedByIngestTime() {
    String good = "{\"time\":\"2024-01-01T00:00:00Z\",\"level\":\"INFO\",\"message\":\"m\"}\n";
    String noTime = "{\"level\":\"INFO\",\"message\":\"m\"}\n";
    String badTime = "{\"time\":\"yesterday\",\"level\":\"INFO\",\"message\":\"m\"}\n";

    Cli.Result r = Cli.run((good + noTime + badTime).getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of(),
        "convert", "-o", dir.resolve("o").toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("3 records read, 3 written",
        "2 placed by ingest time (event time missing or unparseable)");
  }
}
