package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Role credentials from a real STS: moto's server mode (the path in {@code MOTO_SERVER}, which
 * {@code scripts/test} sets from {@code scripts/moto-venv}). AssumeRole is called with the role ARN
 * made of {@code s3_account} and {@code s3_role_name}, and every S3 request is signed with the key id
 * that moto issued, with its session token (seen by {@link RecordingHop}s in front of moto and of
 * S3Proxy). Skipped, saying how to install moto, when it is not installed; the refresh is shown by
 * {@link S3RoleTest}, since moto's shortest credentials (15 minutes) outlive the SDK's stale time.
 */
@Timeout(120)
class MotoStsTest {
  @TempDir
  Path dir;

  @Test
  void roleFromMoto_assumeRoleCalled_uploadsSignedWithTheIssuedKey() throws Exception {
    String moto = System.getenv("MOTO_SERVER");
    Assumptions.assumeTrue(moto != null && Files.isExecutable(Path.of(moto)),
        "moto's server is not installed: run scripts/moto-venv (needs the Python package index) and set"
            + " MOTO_SERVER to the path it prints, or run scripts/test, which does both");
    int port = S3Server.freePort();
    Process server = new ProcessBuilder(moto, "-H", "127.0.0.1", "-p", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(dir.resolve("moto.log").toFile()).start();
    try (S3Server s3 = new S3Server(dir.resolve("s3"), "any", "any", S3Server.freePort(), AuthenticationType.NONE);
        RecordingHop s3Hop = new RecordingHop(s3.endpoint());
        RecordingHop stsHop = new RecordingHop("http://127.0.0.1:" + port, MotoStsTest::expireSoon)) {
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
          .until(() -> {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
              return true;
            }
          });
      s3.createBucket("moto-bucket");

      Cli.Result r = Cli.run(RecoveryTest.lines(0, 600), Map.of(), "convert", "-q", "-o", "s3://moto-bucket/p",
          "--s3-endpoint", s3Hop.endpoint(), "--s3-region", "us-east-1",
          "--s3-access-key-id", "base-key", "--s3-secret-access-key", "base-secret",
          "--s3-role-name", "writer", "--s3-account", "123456789012", "--s3-sts-endpoint", stsHop.endpoint(),
          "--dlq", dir.resolve("dlq").toString(), "--recovery", dir.resolve("recovery").toString());

      assertThat(r.exit()).as(r.err()).isZero();
      List<String> issued = stsHop.answers.stream().map(a -> {
        Matcher m = Pattern.compile("<AccessKeyId>([^<]+)</AccessKeyId>").matcher(a);
        return m.find() ? m.group(1) : null;
      }).filter(k -> k != null).toList();
      assertThat(issued).as("AssumeRole answers: the first and at least one refresh, each a new key from moto")
          .hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
      assertThat(stsHop.answers).anyMatch(a -> a.contains("assumed-role/writer/json2parquet"));
      assertThat(stsHop.seen).allMatch(s -> s.startsWith("base-key "), "STS called with the base keys");
      assertThat(s3Hop.seen).hasSizeGreaterThan(1).allMatch(s -> issued.contains(s.split(" ")[0]) && !s.endsWith(" null"),
          "S3 signed with a key moto issued, with its session token");
      Path to = dir.resolve("download");
      s3.download("moto-bucket", to);
      assertThat(DuckDb.messageIds(to)).containsExactlyInAnyOrderElementsOf(RecoveryTest.ids(0, 600));
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  /** moto's AssumeRole answer with its {@code <Expiration>} moved to 30 seconds from now. */
  private static String expireSoon(String answer) {
    return answer.replaceAll("<Expiration>[^<]*</Expiration>",
        "<Expiration>" + java.time.Instant.now().plusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            + "</Expiration>");
  }
}
