package dev.json2parquet.cli;

import dev.json2parquet.config.ConfigLoader;
import picocli.CommandLine.Option;

/**
 * The S3 sink's settings as flags, one per config key (the flag is the key with dashes). Shared by
 * {@code convert}, {@code recover} and {@code dlq replay} as a picocli mixin, so that {@code recover}
 * and a replay reach the bucket that {@code convert} wrote to with the same flags. {@code -o s3://B/P}
 * (in {@link StoreOptions}) is the short form of {@code --writer-type s3 --s3-bucket-name B --s3-prefix P}.
 */
final class S3Options {
  @Option(names = "--writer-type", paramLabel = "TYPE", description = "file (also local) or s3 (also aws-s3) (writer_type; default file).")
  String writerType;

  @Option(names = "--s3-bucket-name", paramLabel = "BUCKET", description = "S3 bucket (s3_bucket_name).")
  String bucket;

  @Option(names = "--s3-prefix", paramLabel = "PREFIX", description = "Key prefix of every object (s3_prefix; default none).")
  String prefix;

  @Option(names = "--s3-region", paramLabel = "REGION", description = "S3 region (s3_region; default: the SDK's region chain, else us-east-1).")
  String region;

  @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3-compatible endpoint, with path-style addressing (s3_endpoint).")
  String endpoint;

  @Option(names = "--s3-path-style", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
      description = "Path-style addressing without a custom endpoint (s3_path_style; default false).")
  Boolean pathStyle; // Boolean: picocli then takes the next argument only when it is true or false

  @Option(names = "--s3-access-key-id", paramLabel = "ID", description = "Static access key id (s3_access_key_id).")
  String accessKeyId;

  @Option(names = "--s3-secret-access-key", paramLabel = "KEY", description = "Static secret access key (s3_secret_access_key).")
  String secretAccessKey;

  @Option(names = "--s3-session-token", paramLabel = "TOKEN", description = "Session token of the static keys (s3_session_token).")
  String sessionToken;

  @Option(names = "--s3-role-name", paramLabel = "ROLE", description = "Role to assume, with --s3-account (s3_role_name).")
  String roleName;

  @Option(names = "--s3-account", paramLabel = "ACCOUNT", description = "Account of the role (s3_account).")
  String account;

  @Option(names = "--s3-role-arn", paramLabel = "ARN", description = "Full ARN of the role to assume (s3_role_arn).")
  String roleArn;

  @Option(names = "--s3-sts-endpoint", paramLabel = "URL", description = "STS endpoint for AssumeRole (s3_sts_endpoint).")
  String stsEndpoint;

  @Option(names = "--s3-part-size", paramLabel = "BYTES", description = "Multipart part size, 5MiB to 5GiB (s3_part_size; default 16MiB).")
  String partSize;

  @Option(names = "--s3-buffer-bytes", paramLabel = "BYTES",
      description = "Memory the part buffers of open S3 files may hold between flushes; caps open S3 files at this / part size (s3_buffer_bytes; default 512MiB).")
  String bufferBytes;

  @Option(names = "--s3-upload-concurrency", paramLabel = "N", description = "Parts uploading at once (s3_upload_concurrency; default 4).")
  String uploadConcurrency;

  @Option(names = "--s3-retry-budget", paramLabel = "SECONDS",
      description = "Time one upload attempt of a file may spend retrying (s3_retry_budget; default 15).")
  String retryBudget;

  @Option(names = "--s3-create-bucket", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
      description = "Create the bucket when it does not exist (s3_create_bucket; default false).")
  Boolean createBucket; // Boolean: picocli then takes the next argument only when it is true or false

  @Option(names = "--s3-checksum", paramLabel = "ALGORITHM",
      description = "Checksum S3 verifies on every upload: crc32c, crc32, sha1, sha256 or none (s3_checksum; default crc32c).")
  String checksum;

  /** Adds these flags to {@code loader} (flags take precedence over environment and file). */
  ConfigLoader apply(ConfigLoader loader) {
    return loader
        .flag("writer_type", writerType, "--writer-type")
        .flag("s3_bucket_name", bucket, "--s3-bucket-name")
        .flag("s3_prefix", prefix, "--s3-prefix")
        .flag("s3_region", region, "--s3-region")
        .flag("s3_endpoint", endpoint, "--s3-endpoint")
        .flag("s3_path_style", str(pathStyle), "--s3-path-style")
        .flag("s3_access_key_id", accessKeyId, "--s3-access-key-id")
        .flag("s3_secret_access_key", secretAccessKey, "--s3-secret-access-key")
        .flag("s3_session_token", sessionToken, "--s3-session-token")
        .flag("s3_role_name", roleName, "--s3-role-name")
        .flag("s3_account", account, "--s3-account")
        .flag("s3_role_arn", roleArn, "--s3-role-arn")
        .flag("s3_sts_endpoint", stsEndpoint, "--s3-sts-endpoint")
        .flag("s3_part_size", partSize, "--s3-part-size")
        .flag("s3_buffer_bytes", bufferBytes, "--s3-buffer-bytes")
        .flag("s3_upload_concurrency", uploadConcurrency, "--s3-upload-concurrency")
        .flag("s3_retry_budget", retryBudget, "--s3-retry-budget")
        .flag("s3_create_bucket", str(createBucket), "--s3-create-bucket")
        .flag("s3_checksum", checksum, "--s3-checksum");
  }

  private static String str(Boolean b) {
    return b == null ? null : b.toString();
  }
}
