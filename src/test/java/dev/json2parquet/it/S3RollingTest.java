package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Rolling files on S3 (S3Proxy, {@link S3Server}): a key's file stays open as a multipart upload
 * across flushes, each flush appending row groups; the S3 server going away mid-file leaves the
 * uploaded parts in the open upload and the rest in the recovery store, and {@code recover} continues
 * that upload, every record exactly once; open S3 files are capped by {@code s3_buffer_bytes}. Every
 * object is downloaded and compared with the input by DuckDB, value by value.
 */
@Timeout(120)
class S3RollingTest {
  static final String BUCKET = "roll";
  private static final String[] SINGLE = {"--key", "", "--partition", ""};

  @TempDir
  Path dir;

  S3Server s3;

  @BeforeEach
  void start() throws Exception {
    s3 = new S3Server(dir.resolve("s3"));
    s3.createBucket(BUCKET);
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
  }

  private String[] args(String command, String... extra) {
    if (command.equals("recover")) {
      return s3.cliArgs(BUCKET, dir, command, extra);
    }
    List<String> more = new ArrayList<>(List.of("--threads", "2"));
    more.addAll(List.of(extra));
    return s3.cliArgs(BUCKET, dir, command, more.toArray(String[]::new));
  }

  private Path download() throws Exception {
    Path to = dir.resolve("download-" + System.nanoTime());
    Files.createDirectories(to);
    s3.download(BUCKET, to);
    return to;
  }

  private List<Path> objects(Path downloaded) throws Exception {
    return DuckDb.parquetFiles(downloaded);
  }

  /** The input's (message_id, message, level) and the objects' are the same multiset: nothing lost, nothing twice. */
  static void assertSameRows(Path jsonl, Path parquetDir) throws Exception {
    try (DuckDb d = new DuckDb()) {
      String in = "SELECT message_id, message, level FROM read_json('" + jsonl + "', format = 'newline_delimited',"
          + " columns = {message_id: 'VARCHAR', message: 'VARCHAR', level: 'VARCHAR'})";
      String out = "SELECT message_id, message, level FROM read_parquet('" + parquetDir
          + "/**/*.parquet', hive_partitioning = false)";
      assertThat(d.query("SELECT count(*) AS n FROM (" + in + ")").get(0).get("n")).isNotEqualTo(0L);
      assertThat(d.query("(" + in + ") EXCEPT ALL (" + out + ")")).as("input rows missing from S3").isEmpty();
      assertThat(d.query("(" + out + ") EXCEPT ALL (" + in + ")")).as("rows in S3 twice or not in the input").isEmpty();
    }
  }

  private static long rowGroups(Path file) throws Exception {
    try (DuckDb d = new DuckDb()) {
      return (Long) d.query("SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('" + file + "')")
          .get(0).get("n");
    }
  }

  private void assertNoUploadOpen() {
    try (S3Client c = s3.client()) {
      assertThat(c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("multipart uploads left open").isEmpty();
    }
  }

  @Test
  void convert_singleKeyOverSeveralFlushes_writesOneObjectOfSeveralRowGroups_noUploadLeftOpen() throws Exception {
    Path in = dir.resolve("in.jsonl");
    assertThat(Cli.run("generate", "--count", "3e4", "--seed", "21", "-o", in.toString()).exit()).isZero();

    // a 4 MiB budget hands the key over at ~700 kB of buffered records: many flushes, one file
    Cli.Result r = Cli.run(Files.readAllBytes(in), Map.of(), args("convert", concat(SINGLE, "--max-buffer-bytes", "4MiB",
        "--s3-part-size", "5MiB")));

    assertThat(r.exit()).as(r.err()).isZero();
    Path got = download();
    List<Path> files = objects(got);
    assertThat(files).hasSize(1);
    assertThat(rowGroups(files.get(0))).isGreaterThan(5);
    assertSameRows(in, got);
    assertNoUploadOpen();
  }

  /** ~600-byte lines of random letters: Parquet of about the same size, whatever the compression. */
  private static byte[] bulky(int from, int n) {
    StringBuilder sb = new StringBuilder();
    Random random = new Random(from);
    for (int i = from; i < from + n; i++) {
      StringBuilder msg = new StringBuilder();
      for (int j = 0; j < 400; j++) {
        msg.append((char) ('a' + random.nextInt(26)));
      }
      sb.append("{\"time\":\"2024-11-24T01:00:00Z\",\"level\":\"INFO\",\"message\":\"").append(msg)
          .append("\",\"business_capability\":\"c\",\"business_domain\":\"d\",\"business_service\":\"s\","
              + "\"application_service\":\"a\",\"message_id\":\"id").append(i).append("\"}\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void serverStoppedWithAFileHalfUploaded_exit1_thenRecoverContinuesTheUpload_everyRecordOnce() throws Exception {
    Path in = dir.resolve("in.jsonl");
    byte[] first = bulky(0, 20_000);
    byte[] rest = bulky(20_000, 10_000);
    Files.write(in, first);
    Files.write(in, rest, java.nio.file.StandardOpenOption.APPEND);
    PipedOutputStream feed = new PipedOutputStream();
    PipedInputStream pipe = new PipedInputStream(feed, 1 << 20);
    CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.runWithStdin(pipe, Map.of(),
        args("convert", concat(SINGLE, "--compression", "none", "--max-buffer-bytes", "4MiB", "--s3-part-size", "5MiB",
            "--s3-retry-budget", "3"))));
    feed.write(first);
    feed.flush();
    // the key's file is open as a multipart upload with a part uploaded, the input still open
    try (S3Client c = s3.client()) {
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
        var uploads = c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads();
        return !uploads.isEmpty() && !c.listParts(b -> b.bucket(BUCKET).key(uploads.get(0).key())
            .uploadId(uploads.get(0).uploadId())).parts().isEmpty();
      });
    }
    s3.stop();
    feed.write(rest);
    feed.close();
    Cli.Result r = run.get();

    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("records in recovery", "json2parquet recover -o s3://" + BUCKET + "/logs");
    List<String> manifests;
    try (Stream<Path> s = Files.list(dir.resolve("recovery"))) {
      manifests = s.filter(p -> p.toString().endsWith(".json")).map(p -> {
        try {
          return Files.readString(p);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
    assertThat(manifests).as("the file went to recovery half-uploaded: its upload named in the manifest")
        .singleElement().asString().contains("\"resume\":\"s3mpu1 ");

    s3.start();
    Cli.Result recovered = Cli.run(args("recover"));

    assertThat(recovered.exit()).as(recovered.err()).isZero();
    Path got = download();
    assertThat(objects(got)).hasSize(1);
    assertSameRows(in, got);
    assertNoUploadOpen();
  }

  /** Each object's name with the run id taken out, and its rows (DuckDB), sorted by name. */
  private static List<String> filesAndRows(Path downloaded) throws Exception {
    List<String> out = new ArrayList<>();
    try (DuckDb d = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(downloaded)) {
        String name = downloaded.relativize(f).toString().replaceAll("-\\d{8}T\\d{6}Z-[0-9a-f]{4}-", "-RUN-");
        out.add(name + " " + d.query("SELECT count(*) AS n FROM read_parquet('" + f + "')").get(0).get("n"));
      }
    }
    return out.stream().sorted().toList();
  }

  private Cli.Result convertStdin(byte[] input, String... extra) throws Exception {
    return OpenFilesProbe.around(() -> Cli.run(input, Map.of(), args("convert", extra)));
  }

  @Test
  void manyKeys_openS3FilesCappedByBufferBytes_deterministically_everyRecordOnce() throws Exception {
    Path in = dir.resolve("in.jsonl");
    byte[] input = RecoveryTest.lines(0, 40_000); // 12 (partition, key) pairs, interleaved
    Files.write(in, input);
    String[] cap2 = {"--max-buffer-bytes", "4MiB", "--s3-part-size", "5MiB", "--s3-buffer-bytes", "10MiB"};

    // 10 MiB / 5 MiB parts: at most 2 open S3 files, the least recently written completed for a third
    Cli.Result capped = convertStdin(input, cap2);

    assertThat(capped.exit()).as(capped.err()).isZero();
    Path got = download();
    assertSameRows(in, got);
    assertNoUploadOpen();
    List<String> first = filesAndRows(got);
    assertThat(first).as("the cap completed files early").hasSizeGreaterThan(12);
    assertThat(OpenFilesProbe.pausedPeak.get()).as("bytes in paused part buffers").isBetween(1L, 10L << 20);
    System.out.println("capped: " + first.size() + " files, at most " + OpenFilesProbe.most.get()
        + " open at once (completing ones included), paused buffers at most " + OpenFilesProbe.pausedPeak.get() + " bytes");

    s3.stop();
    s3 = new S3Server(dir.resolve("s3-again"));
    s3.createBucket(BUCKET);
    Cli.Result again = convertStdin(input, cap2);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(filesAndRows(download())).as("the same files with the same rows on a second run").isEqualTo(first);

    s3.stop();
    s3 = new S3Server(dir.resolve("s3-free"));
    s3.createBucket(BUCKET);
    Cli.Result free = convertStdin(input, "--max-buffer-bytes", "4MiB", "--s3-part-size", "5MiB");
    assertThat(free.exit()).as(free.err()).isZero();
    assertThat(filesAndRows(download())).as("one file per key when the cap does not bind").hasSize(12);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
