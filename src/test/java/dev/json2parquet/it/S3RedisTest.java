package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 sink under the Redis buffer: {@code convert --buffer redis} then {@code flush} writing to
 * S3Proxy, a flusher killed (halted, as kill -9) between a batch's commit and its acknowledgement,
 * and {@code flush} run again: the batch is written again under the same object name, so every record
 * is in S3 exactly once (or a dead letter in Redis), with the values the memory buffer writes.
 */
@Timeout(120)
class S3RedisTest {
  static final String BUCKET = "redis-logs";

  @TempDir
  Path tmp;

  S3Server s3;

  @BeforeEach
  void start() throws Exception {
    s3 = new S3Server(tmp.resolve("s3"));
    s3.createBucket(BUCKET);
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
  }

  private String[] s3Args(String command, RedisServer redis, String... extra) {
    List<String> a = new ArrayList<>(List.of(command, "-o", "s3://" + BUCKET + "/logs", "--s3-endpoint", s3.endpoint(),
        "--s3-region", "us-east-1", "--s3-access-key-id", S3Server.ACCESS, "--s3-secret-access-key", S3Server.SECRET,
        "--recovery", tmp.resolve("recovery").toString(), "--redis-host", redis.address(), "--redis-lock-ttl", "0.5"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void flush_toS3_killedBetweenCommitAndAck_nextFlushWritesEachRecordOnce_sameValuesAsMemory() throws Exception {
    Path in = RedisBufferTest.generate(tmp.resolve("in.jsonl"), 10_000, 10);
    Cli.Result mem = Cli.run("convert", "-q", "-o", tmp.resolve("mem").toString(), in.toString());
    assertThat(mem.exit()).as(mem.err()).isIn(0, 3);
    try (RedisServer redis = new RedisServer(tmp.resolve("redis"))) {
      Cli.Result buffered = Cli.run(s3Args("convert", redis, "--buffer", "redis", "--redis-skip-flush", "--buffer-size",
          "700", in.toString()));
      assertThat(buffered.exit()).as(buffered.err()).isIn(0, 3);
      String[] flush = s3Args("flush", redis, "--buffer-size", "700");
      // the 3rd batch's objects are in S3, the batch not acknowledged: still pending in Redis
      try (Child c = Child.start(tmp.resolve("err1"), List.of("-Djson2parquet.test.haltBeforeAck=3"), flush)) {
        assertThat(c.waitFor()).isEqualTo(137);
      }
      Path partial = tmp.resolve("partial");
      s3.download(BUCKET, partial);
      assertThat(DuckDb.parquetFiles(partial)).as("objects of the batches written before the kill").isNotEmpty();

      RedisBufferTest.awaitLocksExpired(redis);
      Cli.Result f = Cli.run(flush);

      assertThat(f.exit()).as(f.err()).isZero();
      Path out = tmp.resolve("download");
      List<String> keys = s3.download(BUCKET, out);
      assertThat(keys).allMatch(k -> k.startsWith("logs/") && k.endsWith(".parquet"));
      RedisBufferTest.assertExactlyOnce(in, out, redis);
      assertThat(RedisBufferTest.rows(out)).isEqualTo(RedisBufferTest.rows(tmp.resolve("mem")));
      assertThat(redis.cli("scard", "keys")).as("nothing left to flush").isEqualTo("0");
      try (S3Client c = s3.client()) {
        assertThat(c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
      }
    }
  }
}
