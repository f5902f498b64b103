package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigLoader;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The S3 sink's multipart path against S3Proxy: parts go up while the file is still being written,
 * the object stays invisible until commit, and an abort mid-way leaves no parts behind.
 */
@Timeout(60)
class S3UploadTest {
  static final String BUCKET = "uploads";
  static final int MIB = 1 << 20;

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

  private Config config() {
    return config("15");
  }

  /**
   * With {@code budget} seconds of retries per file (s3_retry_budget): long enough that a part does not
   * time out on a loaded machine, short enough that a stopped server fails a part quickly.
   */
  private Config config(String budget) {
    return new ConfigLoader().flag("writer_type", "s3", "test").flag("s3_bucket_name", BUCKET, "test")
        .flag("s3_prefix", "p", "test").flag("s3_endpoint", s3.endpoint(), "test").flag("s3_region", "us-east-1", "test")
        .flag("s3_access_key_id", S3Server.ACCESS, "test").flag("s3_secret_access_key", S3Server.SECRET, "test")
        .flag("s3_part_size", "5MiB", "test").flag("s3_retry_budget", budget, "test")
        .build(); // s3_checksum: the default, CRC32C
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * The bytes the server stores for the bucket: S3Proxy's filesystem backend keeps each uploaded part
   * as a file in the bucket's directory until the upload is completed or aborted.
   */
  private long storedBytes() throws Exception {
    try (Stream<Path> s = Files.walk(dir.resolve("s3").resolve(BUCKET))) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** Writes 12 MiB and waits until the server holds its two full parts, before any commit. */
  private void writeTwoParts(Sink.Pending file, S3Client c, byte[] data) throws Exception {
    file.stream().write(data);
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> storedBytes() >= 10L * MIB);
    assertThatThrownBy(() -> c.headObject(b -> b.bucket(BUCKET).key("p/a/b.parquet")))
        .isInstanceOfAny(NoSuchKeyException.class, S3Exception.class);
  }

  @Test
  void multipart_partsUploadBeforeCommit_objectAppearsOnlyOnCommit_withTheSameBytes() throws Exception {
    byte[] data = random(12 * MIB + 123, 1);
    try (Sink sink = Sinks.open(config()); S3Client c = s3.client()) {
      Sink.Pending file = sink.create("a/b.parquet");
      writeTwoParts(file, c, data);

      file.commit();

      assertThat(c.getObjectAsBytes(b -> b.bucket(BUCKET).key("p/a/b.parquet")).asByteArray()).isEqualTo(data);
      var head = c.headObject(b -> b.bucket(BUCKET).key("p/a/b.parquet").checksumMode(ChecksumMode.ENABLED));
      // sent with every part and kept by the server: the CRC32C of the parts' CRC32Cs, "-" and the part count
      java.io.ByteArrayOutputStream parts = new java.io.ByteArrayOutputStream();
      for (int at = 0; at < data.length; at += 5 * MIB) {
        parts.write(java.util.Base64.getDecoder().decode(
            S3SinkTest.crc32c(java.util.Arrays.copyOfRange(data, at, Math.min(data.length, at + 5 * MIB)))));
      }
      assertThat(head.checksumCRC32C()).isEqualTo(S3SinkTest.crc32c(parts.toByteArray()) + "-3");
      assertThat(storedBytes()).as("the object alone, no parts left").isEqualTo(data.length);
    }
  }

  @Test
  void removeRun_deletesTheObjectsOfThatRunOnly() throws Exception {
    try (Sink sink = Sinks.open(config()); S3Client c = s3.client()) {
      for (String path : new String[] {"x/k-20261130T000000Z-aaaa-000001.parquet", "y/k-20261130T000000Z-aaaa-000002.parquet",
          "x/k-20261130T000000Z-bbbb-000001.parquet"}) {
        Sink.Pending file = sink.create(path);
        file.stream().write(random(100, 3));
        file.commit();
      }

      assertThat(sink.removeRun("20261130T000000Z-aaaa")).isEqualTo(2);

      assertThat(c.listObjectsV2(b -> b.bucket(BUCKET)).contents()).map(o -> o.key())
          .filteredOn(k -> k.endsWith(".parquet")).containsExactly("p/x/k-20261130T000000Z-bbbb-000001.parquet");
    }
  }

  @Test
  void abortMidway_leavesNoUploadNoPartsAndNoObject() throws Exception {
    try (Sink sink = Sinks.open(config()); S3Client c = s3.client()) {
      Sink.Pending file = sink.create("a/b.parquet");
      writeTwoParts(file, c, random(12 * MIB, 2));
      assertThat(c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).map(u -> u.key()).containsExactly("p/a/b.parquet");

      file.abort();

      assertThat(c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("uploads in progress").isEmpty();
      assertThat(storedBytes()).as("no parts left").isZero();
      assertThat(c.listObjectsV2(b -> b.bucket(BUCKET)).contents()).noneMatch(o -> o.key().endsWith(".parquet"));
    }
  }

  /**
   * A rolling file half-uploaded when the server goes away: its uploaded parts stay in the open
   * multipart upload, only the rest is kept locally; after the server restarts on the same directory
   * (S3Proxy's filesystem backend keeps the upload and its parts), continuing the upload from the
   * token gives the exact bytes, and no upload stays open.
   */
  @Test
  void keep_afterPartFailure_leavesUploadedPartsInTheUpload_andResumeFromTokenCompletesTheSameBytes() throws Exception {
    byte[] data = random(17 * MIB + 321, 4);
    int first = 12 * MIB;
    try (Sink sink = Sinks.open(config("8")); S3Client c = s3.client()) {
      Sink.Pending file = sink.create("a/b.parquet");
      writeTwoParts(file, c, java.util.Arrays.copyOf(data, first));
      file.pause();
      s3.stop();
      // part 3 fails once its budget (8 s) is spent; the failure comes out at the next pause, not mid-write
      file.stream().write(data, first, data.length - first);
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
        try {
          file.pause();
          return false;
        } catch (java.io.IOException e) {
          return true;
        }
      });

      Sink.Kept kept = file.keep(data.length);

      assertThat(kept.length()).isEqualTo(data.length);
      String token = kept.resumeToken();
      assertThat(token).as("parts 1 and 2 stay in the upload").isNotNull().contains(" 1,5242880,", " 2,5242880,");
      java.io.ByteArrayOutputStream local = new java.io.ByteArrayOutputStream();
      kept.copyLocal(local);
      assertThat(local.toByteArray()).as("only the bytes not uploaded are local")
          .isEqualTo(java.util.Arrays.copyOfRange(data, 10 * MIB, data.length));
      kept.discard(false);

      s3.start();
      assertThat(c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("the upload survived the restart")
          .map(u -> u.key()).containsExactly("p/a/b.parquet");
      Sink.Pending resumed = sink.resume(token, "a/b.parquet");
      resumed.stream().write(local.toByteArray());
      resumed.commit();

      assertThat(c.getObjectAsBytes(b -> b.bucket(BUCKET).key("p/a/b.parquet")).asByteArray()).isEqualTo(data);
      assertThat(c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("uploads in progress").isEmpty();
    }
  }

  /** A failed completion keeps the last part's bytes (held in memory until the upload completes). */
  @Test
  void keep_afterFailedCompletion_keepsTheLastPartLocally_andResumeCompletes() throws Exception {
    byte[] data = random(7 * MIB + 5, 5);
    try (Sink sink = Sinks.open(config("8")); S3Client c = s3.client()) {
      Sink.Pending file = sink.create("a/c.parquet");
      file.stream().write(data);
      file.pause();
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> storedBytes() >= 5L * MIB);
      s3.stop();
      file.stream().write(new byte[] {1, 2, 3}); // a "footer" after the kept length
      assertThatThrownBy(file::commit).isInstanceOf(java.io.IOException.class);

      Sink.Kept kept = file.keep(data.length);
      java.io.ByteArrayOutputStream local = new java.io.ByteArrayOutputStream();
      kept.copyLocal(local);
      String token = kept.resumeToken();
      kept.discard(false);
      s3.start();

      assertThat(local.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(data, 5 * MIB, data.length));
      Sink.Pending resumed = sink.resume(token, "a/c.parquet");
      resumed.stream().write(local.toByteArray());
      resumed.commit();
      assertThat(c.getObjectAsBytes(b -> b.bucket(BUCKET).key("p/a/c.parquet")).asByteArray()).isEqualTo(data);
      assertThat(c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }
  }

  /** The kept upload was aborted meanwhile (a lifecycle rule): continuing it says so, naming what is lost. */
  @Test
  void resume_ofAnUploadThatIsGone_failsSayingTheRecordsCannotBeRecovered() throws Exception {
    byte[] data = random(12 * MIB, 6);
    try (Sink sink = Sinks.open(config()); S3Client c = s3.client()) {
      Sink.Pending file = sink.create("a/d.parquet");
      writeTwoParts(file, c, data);
      Sink.Kept kept = file.keep(data.length);
      String token = kept.resumeToken();
      kept.discard(false);
      String uploadId = java.net.URLDecoder.decode(token.split(" ")[3], java.nio.charset.StandardCharsets.UTF_8);
      c.abortMultipartUpload(b -> b.bucket(BUCKET).key("p/a/d.parquet").uploadId(uploadId));

      Sink.Pending resumed = sink.resume(token, "a/d.parquet");
      resumed.stream().write(random(6 * MIB, 7));

      assertThatThrownBy(resumed::commit).hasMessageContaining("its multipart upload " + uploadId + " is gone")
          .hasMessageContaining("the first " + 10 * MIB + " bytes of the file").hasMessageContaining("cannot be recovered");
      resumed.abort();
    }
  }
}
