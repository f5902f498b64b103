package dev.json2parquet.sink;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Opens an {@link S3Sink} from the {@code s3_*} settings: the region, the endpoint, the credentials
 * and the retry strategy, then a HeadBucket (S3 API reference, HeadBucket) so that a wrong bucket,
 * region, endpoint or credentials stop the run before it reads any input.
 *
 * <p>Credentials: {@code s3_access_key_id} + {@code s3_secret_access_key} (+ {@code s3_session_token})
 * when set, else the SDK's default chain (environment, profile, container and instance roles). With
 * a role ({@code s3_role_arn}, or {@code s3_role_name} + {@code s3_account} as
 * {@code arn:aws:iam::<account>:role/<role>}), those credentials call STS AssumeRole (at
 * {@code s3_sts_endpoint} when set) through the SDK's {@link StsAssumeRoleCredentialsProvider}, which
 * refreshes the role's credentials before they expire.
 */
final class S3Connection {
  private S3Connection() {}

  /** Attempts per request; the time budget (an API call timeout per request) ends them sooner. */
  static final int MAX_ATTEMPTS = 100;
  static final Duration BACKOFF_BASE = Duration.ofMillis(100);
  static final Duration BACKOFF_CAP = Duration.ofSeconds(5);
  /** The preflight HeadBucket's time, retries included: a wrong endpoint is told within this. */
  static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The S3 sink of {@code config}, its bucket checked (or created with {@code s3_create_bucket}).
   *
   * @throws ConfigException with one line when the bucket is missing, access is denied, the region
   *     or the endpoint is wrong, or no credentials are found
   */
  static Sink open(Config config) {
    String bucket = str(config, "s3_bucket_name");
    String endpoint = str(config, "s3_endpoint");
    Region region = region(config);
    List<AutoCloseable> resources = new ArrayList<>();
    SdkHttpClient http = UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(60)).build();
    resources.add(http);
    AwsCredentialsProvider credentials = credentials(config, region, http, resources);
    S3ClientBuilder builder = S3Client.builder().httpClient(http).region(region).credentialsProvider(credentials)
        .forcePathStyle(Boolean.TRUE.equals(config.value("s3_path_style")) || endpoint != null)
        // bodies are in memory, so the checksum goes in a header (one more pass over memory) instead of
        // an aws-chunked trailer, which several S3-compatible servers (S3Proxy among them) reject
        .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
        // s3_checksum none: not even the SDK's default CRC32, for servers that answer 501 to x-amz-checksum-*
        .requestChecksumCalculation(checksum(config) == null ? RequestChecksumCalculation.WHEN_REQUIRED
            : RequestChecksumCalculation.WHEN_SUPPORTED);
    if (endpoint != null) {
      builder.endpointOverride(URI.create(endpoint));
    }
    S3Client preflight = builder.build();
    S3Client client = builder.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.standardRetryStrategy()
        .toBuilder().maxAttempts(MAX_ATTEMPTS).circuitBreakerEnabled(false)
        .backoffStrategy(BackoffStrategy.exponentialDelay(BACKOFF_BASE, BACKOFF_CAP)).build())).build();
    AutoCloseable all = () -> {
      preflight.close();
      for (int i = resources.size() - 1; i >= 0; i--) {
        resources.get(i).close();
      }
    };
    try {
      checkBucket(preflight, bucket, region, endpoint, Boolean.TRUE.equals(config.value("s3_create_bucket")));
    } catch (RuntimeException e) {
      client.close();
      try {
        all.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    long budget = (long) ((Double) config.value("s3_retry_budget") * 1e9);
    return new S3Sink(client, bucket, str(config, "s3_prefix"), (Long) config.value("s3_part_size"),
        (int) (long) (Long) config.value("s3_upload_concurrency"), config.threads(), (Long) config.value("s3_buffer_bytes"),
        budget, checksum(config), all);
  }

  /** {@code s3_checksum}: the SDK's name for it, or null for {@code none}. */
  private static ChecksumAlgorithm checksum(Config config) {
    return switch (str(config, "s3_checksum")) {
      case "crc32c" -> ChecksumAlgorithm.CRC32_C;
      case "crc32" -> ChecksumAlgorithm.CRC32;
      case "sha1" -> ChecksumAlgorithm.SHA1;
      case "sha256" -> ChecksumAlgorithm.SHA256;
      default -> null;
    };
  }

  private static String str(Config config, String key) {
    return (String) config.value(key);
  }

  /** {@code s3_region}, else the SDK's region chain (AWS_REGION, profile), else us-east-1. */
  private static Region region(Config config) {
    String region = str(config, "s3_region");
    if (region != null) {
      return Region.of(region);
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException none) {
      return Region.US_EAST_1;
    }
  }

  /** The role's ARN: {@code s3_role_arn}, else from {@code s3_account} and {@code s3_role_name}, else null. */
  static String roleArn(Config config) {
    String arn = str(config, "s3_role_arn");
    String name = str(config, "s3_role_name");
    String account = str(config, "s3_account");
    if (arn != null) {
      return arn;
    }
    if (name == null && account == null) {
      return null;
    }
    if (name == null || account == null) {
      throw new ConfigException("Cannot assume a role: s3_role_name and s3_account go together (or give s3_role_arn)");
    }
    return "arn:aws:iam::" + account + ":role/" + name;
  }

  private static AwsCredentialsProvider credentials(Config config, Region region, SdkHttpClient http,
      List<AutoCloseable> resources) {
    String id = str(config, "s3_access_key_id");
    String secret = str(config, "s3_secret_access_key");
    String token = str(config, "s3_session_token");
    if ((id == null) != (secret == null)) {
      throw new ConfigException("Cannot use static S3 credentials: s3_access_key_id and s3_secret_access_key go together");
    }
    AwsCredentialsProvider base = id == null ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(token == null ? AwsBasicCredentials.create(id, secret)
            : AwsSessionCredentials.create(id, secret, token));
    String role = roleArn(config);
    if (role == null) {
      return base;
    }
    var sts = StsClient.builder().httpClient(http).region(region).credentialsProvider(base);
    String stsEndpoint = str(config, "s3_sts_endpoint");
    if (stsEndpoint != null) {
      sts.endpointOverride(URI.create(stsEndpoint));
    }
    StsClient stsClient = sts.build();
    resources.add(stsClient);
    StsAssumeRoleCredentialsProvider provider = StsAssumeRoleCredentialsProvider.builder().stsClient(stsClient)
        .refreshRequest(r -> r.roleArn(role).roleSessionName("json2parquet")).build();
    resources.add(provider);
    return provider;
  }

  /** HeadBucket; a missing bucket is created when {@code create}, every other problem is one clear line. */
  private static void checkBucket(S3Client s3, String bucket, Region region, String endpoint, boolean create) {
    String where = endpoint != null ? endpoint : "region " + region.id();
    try {
      s3.headBucket(b -> b.bucket(bucket).overrideConfiguration(o -> o.apiCallTimeout(PREFLIGHT_TIMEOUT)));
      return;
    } catch (S3Exception e) {
      switch (e.statusCode()) {
        case 404 -> {
          if (!create) {
            throw new ConfigException("Cannot use bucket " + bucket + ": it does not exist at " + where
                + " (create it, or set s3_create_bucket true)");
          }
        }
        case 403 -> throw new ConfigException("Cannot use bucket " + bucket + ": access denied at " + where
            + " (check the credentials: s3_access_key_id / s3_secret_access_key, the role, or the default chain)");
        case 301, 400 -> {
          String actual = e.awsErrorDetails() == null ? null : e.awsErrorDetails().sdkHttpResponse()
              .firstMatchingHeader("x-amz-bucket-region").orElse(null);
          throw new ConfigException("Cannot use bucket " + bucket + ": it is not in region " + region.id()
              + (actual != null ? " but in " + actual + " (set s3_region " + actual + ")" : " (check s3_region)")
              + " (HTTP " + e.statusCode() + ")");
        }
        default -> throw new ConfigException("Cannot use bucket " + bucket + " at " + where + ": HTTP "
            + e.statusCode() + ": " + e.getMessage());
      }
    } catch (SdkClientException e) {
      String why = e.getMessage();
      if (why != null && why.contains("credentials")) {
        throw new ConfigException("Cannot find AWS credentials for bucket " + bucket + ": set s3_access_key_id and "
            + "s3_secret_access_key, a role, or configure the default chain (" + firstLine(why) + ")");
      }
      throw new ConfigException("Cannot reach " + (endpoint != null ? "s3_endpoint " + endpoint : where)
          + " for bucket " + bucket + ": " + firstLine(why));
    } catch (SdkException e) {
      throw new ConfigException("Cannot use bucket " + bucket + " at " + where + ": " + firstLine(e.getMessage()));
    }
    try {
      s3.createBucket(b -> {
        b.bucket(bucket);
        if (!region.equals(Region.US_EAST_1) && endpoint == null) {
          b.createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.fromValue(region.id())));
        }
      });
    } catch (SdkException e) {
      throw new ConfigException("Cannot create bucket " + bucket + " at " + where + " (s3_create_bucket): "
          + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no reason given";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
