package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Role credentials: {@code s3_role_name} + {@code s3_account} make the SDK's STS provider call
 * AssumeRole (on {@link StsStandIn}) with {@code arn:aws:iam::<account>:role/<role>}, and every S3
 * request is signed with the role's key id and carries its session token, as seen by a
 * {@link RecordingHop} in front of S3Proxy (which rejects session tokens, so the hop drops the header
 * and S3Proxy runs without authentication). Credentials that expire within the SDK's stale time (1
 * minute) are fetched again before use, which is the refresh.
 */
@Timeout(60)
class S3RoleTest {
  @TempDir
  Path dir;

  @Test
  void roleNameAndAccount_assumeTheRole_uploadsSignedWithItsKeys_refreshedBeforeExpiry() throws Exception {
    try (StsStandIn sts = new StsStandIn(Duration.ofSeconds(30), Clock.systemUTC());
        S3Server s3 = new S3Server(dir.resolve("s3"), "any", "any", S3Server.freePort(), AuthenticationType.NONE);
        RecordingHop hop = new RecordingHop(s3.endpoint())) {
      s3.createBucket("role-bucket");

      Cli.Result r = Cli.run(RecoveryTest.lines(0, 1200), Map.of(), "convert", "-q", "-o", "s3://role-bucket/p",
          "--s3-endpoint", hop.endpoint(), "--s3-region", "us-east-1",
          "--s3-access-key-id", "base-key", "--s3-secret-access-key", "base-secret",
          "--s3-role-name", "writer", "--s3-account", "123456789012", "--s3-sts-endpoint", sts.endpoint(),
          "--dlq", dir.resolve("dlq").toString(), "--recovery", dir.resolve("recovery").toString());

      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(sts.roleArns).hasSizeGreaterThanOrEqualTo(2).containsOnly("arn:aws:iam::123456789012:role/writer");
      assertThat(hop.seen).hasSizeGreaterThan(1)
          .allMatch(s -> s.matches(StsStandIn.KEY_ID + " session-token-\\d+"), "signed with the role's key and token");
      Path to = dir.resolve("download");
      s3.download("role-bucket", to);
      assertThat(DuckDb.messageIds(to)).containsExactlyInAnyOrderElementsOf(RecoveryTest.ids(0, 1200));
    }
  }
}
