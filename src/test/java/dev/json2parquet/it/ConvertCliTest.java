package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Inputs, codecs, layouts, exit codes and config errors, through the real CLI. */
class ConvertCliTest {
  @TempDir
  Path dir;

  static String line(int i, String cap, String time) {
    return "{\"time\":\"" + time + "\",\"level\":\"INFO\",\"message\":\"m" + i + "\",\"business_capability\":\"" + cap
        + "\",\"business_domain\":\"d\",\"business_service\":\"s\",\"application_service\":\"a\",\"message_id\":\"id"
        + i + "\"}\n";
  }

  static byte[] lines(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(line(i, "cap" + (i % 3), "2024-11-24T0" + (i % 4) + ":00:00Z"));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A boolean flag with an optional value (--s3-path-style, --redis-skip-flush, ...) takes the next
   * argument only when it is true or false, so `--flag FILE` reads FILE as an input.
   */
  @Test
  void aBooleanFlag_beforeAnInput_leavesTheInputAnInput() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, lines(10));
    Cli.Result r = Cli.run("convert", "-o", dir.resolve("out").toString(), "--s3-path-style", in.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(DuckDb.messageIds(dir.resolve("out"))).hasSize(10).doesNotHaveDuplicates();
    Cli.Result explicit = Cli.run("convert", "-o", dir.resolve("out2").toString(), "--redis-skip-flush", "false",
        in.toString());
    assertThat(explicit.exit()).as(explicit.err()).isZero();
  }

  @Test
  void convert_stdinWithoutFileOrDash_readsAllRecords() throws Exception {
    Path out1 = dir.resolve("o1");
    Path out2 = dir.resolve("o2");

    Cli.Result none = Cli.run(lines(50), Map.of(), "convert", "-o", out1.toString());
    Cli.Result dash = Cli.run(lines(50), Map.of(), "convert", "-o", out2.toString(), "-");

    assertThat(none.exit()).as(none.err()).isZero();
    assertThat(dash.exit()).as(dash.err()).isZero();
    assertThat(DuckDb.messageIds(out1)).hasSize(50).doesNotHaveDuplicates();
    assertThat(DuckDb.messageIds(out2)).hasSize(50);
  }

  @Test
  void convert_gzipAndPlainFilesTogether_allRecordsWrittenAndDlqNamesSource() throws Exception {
    Path gz = dir.resolve("a.jsonl.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
      o.write(lines(40));
      o.write("oops\n".getBytes(StandardCharsets.UTF_8));
    }
    Path plain = dir.resolve("b.jsonl");
    Files.write(plain, lines(10));
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), gz.toString(), plain.toString());

    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).contains("51 records read, 50 written");
    assertThat(DuckDb.messageIds(out)).hasSize(50);
    JsonNode e = BadInputTest.dlqEntries(out.resolve("_dlq")).get(0);
    assertThat(e.get("source").asText()).isEqualTo(gz.toString());
    assertThat(e.get("line").asLong()).isEqualTo(41);
  }

  @ParameterizedTest
  @CsvSource({"snappy,SNAPPY", "gzip,GZIP", "zstd,ZSTD", "none,UNCOMPRESSED"})
  void convert_eachCodec_fileMetadataShowsIt(String flag, String duckName) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, lines(300));
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--compression", flag, in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    List<Path> files = DuckDb.parquetFiles(out);
    assertThat(files).isNotEmpty();
    try (DuckDb duck = new DuckDb()) {
      for (Path f : files) {
        Set<Object> codecs = new HashSet<>();
        duck.query("SELECT DISTINCT compression FROM parquet_metadata('" + f + "')")
            .forEach(r -> codecs.add(r.get("compression")));
        assertThat(codecs).containsExactly(duckName);
      }
    }
    assertThat(DuckDb.messageIds(out)).hasSize(300);
  }

  @Test
  void convert_partitionTemplate_layoutAndEscaping() throws Exception {
    String evil = "{\"time\":\"2024-03-05T10:00:00Z\",\"message\":\"x\",\"business_domain\":\"../a/b:c\","
        + "\"message_id\":\"e\"}\n";
    String empty = "{\"time\":\"2024-03-06T10:00:00Z\",\"message\":\"y\",\"message_id\":\"f\"}\n";
    String ctl = "{\"time\":\"2024-03-06T10:00:00Z\",\"message\":\"z\",\"business_domain\":\"a\\u0001b\","
        + "\"message_id\":\"g\"}\n";
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, evil + empty + ctl);
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--partition", "{business_domain}/dt={time:yyyy-MM-dd}",
        in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    List<String> rel = DuckDb.parquetFiles(out).stream().map(p -> out.relativize(p).toString()).toList();
    assertThat(rel).hasSize(3);
    assertThat(rel).anyMatch(p -> p.startsWith("%2E.%2Fa%2Fb%3Ac/dt=2024-03-05/"));
    assertThat(rel).anyMatch(p -> p.startsWith("__HIVE_DEFAULT_PARTITION__/dt=2024-03-06/"));
    assertThat(rel).anyMatch(p -> p.startsWith("a%01b/dt=2024-03-06/"));
    for (String p : rel) {
      assertThat(p).doesNotContain(":").doesNotContain("/../");
      assertThat(out.resolve(p).normalize()).startsWith(out);
    }
  }

  @Test
  void convert_defaultLayout_fileNamesUniqueWithoutColonsAndNoTempFilesLeft() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, lines(120));
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--buffer-size", "7", in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    List<Path> files = DuckDb.parquetFiles(out);
    // 3 capabilities x 4 hours = 12 keys of 10 records, 7 per file: 24 files
    assertThat(files).hasSize(24);
    assertThat(files.stream().map(p -> p.getFileName().toString()))
        .allMatch(n -> n.matches("cap\\d\\.d\\.s\\.a-\\d{8}T\\d{6}Z-[0-9a-f]{4}-\\d{9,}(-\\d+)?\\.parquet"))
        .doesNotHaveDuplicates();
    assertThat(out.resolve("capability=cap1/year=2024/month=11/day=24/hour=02")).isDirectory();
    try (var s = Files.walk(out)) {
      assertThat(s.filter(p -> p.getFileName().toString().endsWith(".inprogress"))).isEmpty();
    }
    assertThat(DuckDb.messageIds(out)).hasSize(120).doesNotHaveDuplicates();
  }

  @Test
  void convert_outputCannotBeWritten_exit2OneLineBeforeReading() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, lines(10));
    Path blocker = dir.resolve("blocker");
    Files.writeString(blocker, "a file where the output directory should be");

    Cli.Result run = Cli.run("convert", "-o", blocker.toString(), "--dlq", dir.resolve("dlq").toString(),
        in.toString());

    // checked before any input is read (issue 9): one line, not a retry line per file
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("json2parquet: Cannot write to " + blocker + ": " + blocker
        + " is a file, not a directory");
  }

  @Test
  void convert_configErrors_exit2WithMessageNamingKeyValueAndRange() throws Exception {
    Path cfg = dir.resolve("c.json");
    Files.writeString(cfg, "{\"buffer_size\": 0}");
    Cli.Result r1 = Cli.run("convert", "-c", cfg.toString(), "-o", dir.resolve("o").toString());
    assertThat(r1.exit()).isEqualTo(2);
    assertThat(r1.err()).contains("buffer_size = 0", "must be an integer from 1 to 100000000", cfg.toString());

    Files.writeString(cfg, "{\"bufferSize\": 10, \"colour\": \"red\"}");
    Cli.Result r2 = Cli.run("convert", "-c", cfg.toString());
    assertThat(r2.exit()).isEqualTo(2);
    assertThat(r2.err()).contains("Unknown setting 'colour'");

    Cli.Result r3 = Cli.run("convert", "--compression", "lz4", "-o", dir.resolve("o").toString());
    assertThat(r3.exit()).isEqualTo(2);
    assertThat(r3.err()).contains("writer_compression_type = \"lz4\"", "flag --compression", "snappy, gzip, zstd");

    Cli.Result r4 = Cli.run("convert", "--partition", "{nope}/x", "-o", dir.resolve("o").toString());
    assertThat(r4.exit()).isEqualTo(2);
    assertThat(r4.err()).contains("Invalid partition", "'nope' is not a field");

    Cli.Result r5 = Cli.run("convert", "-o", dir.resolve("o").toString(), dir.resolve("missing.jsonl").toString());
    assertThat(r5.exit()).isEqualTo(2);
    assertThat(r5.err()).contains("Cannot read input", "no such file");

    Cli.Result r6 = Cli.run(new byte[0], Map.of("JSON2PARQUET_BUFFER_TYPE", "redis"), "convert", "-o",
        dir.resolve("o").toString());
    assertThat(r6.exit()).isEqualTo(2);
    assertThat(r6.err()).contains("Cannot buffer stdin into Redis");
    Path one = Files.writeString(dir.resolve("one.jsonl"), "{}\n");
    Cli.Result r6b = Cli.run(new byte[0], Map.of("JSON2PARQUET_BUFFER_TYPE", "redis"), "convert", "--redis-host",
        "127.0.0.1:1", "-o", dir.resolve("o").toString(), one.toString());
    assertThat(r6b.exit()).isEqualTo(2);
    assertThat(r6b.err()).contains("Cannot connect to Redis at 127.0.0.1:1: connection refused");

    Cli.Result r7 = Cli.run("convert", "--no-such-flag");
    assertThat(r7.exit()).isEqualTo(2);
    assertThat(Files.exists(dir.resolve("o"))).isFalse();
  }

  @Test
  void convert_flagBeatsEnvironmentBeatsFile() throws Exception {
    Path cfg = dir.resolve("c.json");
    Files.writeString(cfg, "{\"WriterCompressionType\": \"gzip\", \"buffer_size\": 5}");
    Path in = dir.resolve("in.jsonl");
    Files.write(in, lines(12));
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run(new byte[0], Map.of("JSON2PARQUET_WRITER_COMPRESSION_TYPE", "zstd",
        "JSON2PARQUET_BUFFER_SIZE", "2"), "convert", "-c", cfg.toString(), "--buffer-size", "1e1", "--key", "",
        "--partition", "", "-o", out.toString(), in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    List<Path> files = DuckDb.parquetFiles(out);
    assertThat(files).hasSize(2); // 12 records, 10 per file from the flag
    try (DuckDb duck = new DuckDb()) {
      assertThat(duck.query("SELECT DISTINCT compression FROM parquet_metadata('" + files.get(0) + "')"))
          .extracting(r -> r.get("compression")).containsExactly("ZSTD");
    }
  }

  @Test
  void help_listsExitCodes() {
    Cli.Result r = Cli.run("convert", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Exit codes:", "3", "some records were dead-lettered", "--max-buffer-bytes");
  }

  @Test
  void generate_sameSeed_sameBytesOnStdout() {
    Cli.Result a = Cli.run("generate", "--count", "1e3", "--seed", "9");
    Cli.Result b = Cli.run("generate", "--count", "1e3", "--seed", "9");
    assertThat(a.exit()).isZero();
    assertThat(a.outBytes()).isEqualTo(b.outBytes());
    assertThat(a.out().split("\n")).hasSize(1000);
    Cli.Result bad = Cli.run("generate", "--count", "lots");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--count");
  }
}
