package dev.json2parquet.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key, with its default: first the original design's keys (Data2Parquet-go),
 * which are canonical, then this project's own. Keys of features not built yet are validated all the
 * same. Read-only after class initialization.
 */
final class Keys {
  private Keys() {}

  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  static final Map<String, Key> ALL = new LinkedHashMap<>();
  static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

  private static void add(Key k, Object def) {
    ALL.put(k.name(), k);
    if (def != null) {
      DEFAULTS.put(k.name(), def);
    }
  }

  static {
    // The original design's keys (Data2Parquet-go's config.go and README), with its defaults where
    // this project had no key of its own; address and port belong to its HTTP server.
    add(Key.string("address"), null);
    add(Key.integer("port", 0, 65_535), 8080L);
    add(Key.integer("buffer_size", 1, 100_000_000), 1_000_000L);
    add(Key.choice("buffer_type", "memory", "mem=memory", "redis"), "memory");
    add(Key.bool("debug"), false);
    add(Key.seconds("flush_interval", 0, 7 * 86_400), 300.0);
    add(Key.string("json_schema_path"), null);
    add(Key.string("log_path"), null);
    add(Key.choice("record_type", "log", "dynamic"), "log");
    add(Key.integer("recovery_attempts", 0, 1_000_000), 0L);
    add(Key.bool("try_auto_recover"), false);
    add(Key.string("redis_host"), "localhost:6379");
    add(Key.string("redis_password"), null);
    add(Key.integer("redis_db", 0, 1_000_000), 0L);
    add(Key.seconds("redis_timeout", 0, 3_600), 5.0);
    add(Key.string("redis_data_prefix"), "data");
    add(Key.string("redis_keys"), "keys");
    add(Key.string("redis_lock_prefix"), "lock");
    add(Key.string("redis_dlq_prefix"), "dlq");
    add(Key.string("redis_recovery_key"), "recovery");
    // default 1.5 x flush_interval, set by ConfigLoader.build()
    add(Key.seconds("redis_lock_ttl", 0, 7 * 86_400), null);
    // default: the hostname, set by ConfigLoader.build() for the Redis buffer
    add(Key.string("redis_lock_instance_name"), null);
    add(Key.bool("redis_skip_flush"), false);
    add(Key.string("s3_bucket_name"), null);
    add(Key.string("s3_region"), null);
    add(Key.string("s3_endpoint"), null);
    add(Key.string("s3_role_name"), null);
    add(Key.string("s3_account"), null);
    add(Key.string("s3_sts_endpoint"), null);
    add(Key.choice("writer_compression_type", "snappy", "gzip", "zstd", "none", "uncompressed"), "snappy");
    add(Key.string("writer_file_path"), "./out");
    add(Key.bytes("writer_row_group_size", MIB, 2 * GIB), 128 * MIB);
    add(Key.choice("writer_type", "file", "local=file", "s3", "aws-s3=s3"), "file");

    // This project's keys
    add(Key.bytes("writer_page_size", 1024, 256 * MIB), 2 * MIB);
    add(Key.bytes("max_buffer_bytes", 4 * MIB, 64 * GIB), 256 * MIB);
    // a key's file is completed at buffer_size records or this many bytes of Parquet
    add(Key.bytes("max_file_bytes", MIB, 1024 * GIB), 512 * MIB);
    // files open for appending at once; the least recently written is completed to open another
    add(Key.integer("max_open_files", 1, 1_000_000), 256L);
    // partition and key default by record type (see Config)
    add(Key.string("partition"), null);
    add(Key.string("key"), null);
    add(Key.choice("unknown_fields", "drop", "extra", "dlq"), "extra");
    add(Key.integer("schema_sample", 1, 10_000_000), 10_000L);
    add(Key.string("dlq_path"), null);
    add(Key.bytes("max_line_bytes", 1024, GIB), 16 * MIB);
    add(Key.integer("threads", 1, 256), (long) Runtime.getRuntime().availableProcessors());
    add(Key.string("recovery_path"), null);
    add(Key.string("redis_username"), null);
    add(Key.bool("redis_tls"), false);
    // a batch delivered to more flushers than this without being written (each died or stopped while
    // writing it) goes to the Redis DLQ instead of blocking its key; 0: never
    add(Key.integer("redis_max_deliveries", 0, 1_000_000), 5L);
    add(Key.string("s3_prefix"), "");
    add(Key.string("s3_access_key_id"), null);
    add(Key.string("s3_secret_access_key"), null);
    add(Key.string("s3_session_token"), null);
    add(Key.string("s3_role_arn"), null);
    add(Key.bool("s3_path_style"), false);
    add(Key.bytes("s3_part_size", 5 * MIB, 5 * GIB), 16 * MIB);
    // the S3 sink (sink/S3Sink): parts uploading at once across the sink; the time one upload
    // attempt may spend retrying; whether a missing bucket is created instead of refused
    add(Key.integer("s3_upload_concurrency", 1, 64), 4L);
    add(Key.seconds("s3_retry_budget", 1, 3_600), 15.0);
    add(Key.bool("s3_create_bucket"), false);
    // the part buffers rolling S3 files may hold between flushes: caps them at this / s3_part_size
    add(Key.bytes("s3_buffer_bytes", 5 * MIB, 64 * GIB), 512 * MIB);
    // the checksum S3 verifies on every upload request (x-amz-checksum-*); none for servers without it
    add(Key.choice("s3_checksum", "crc32c", "crc32", "sha1", "sha256", "none"), "crc32c");
    // serve (address and port are the original design's, above): the forward-protocol port (-1: off;
    // 0, like port 0: any free port, printed at start); a file holding the bearer token of every
    // endpoint but the health checks; TLS certificate chain and private key (PEM) for both listeners;
    // the forward protocol's shared key (HELO/PING/PONG); request body limit; connection cap; how
    // long a client may send nothing mid-request or mid-connection; where a forward event's tag goes
    // (a top-level field, or map.key inside a map field; empty: dropped)
    add(Key.integer("forward_port", -1, 65_535), 24_224L);
    add(Key.string("auth_token_file"), null);
    add(Key.string("tls_cert"), null);
    add(Key.string("tls_key"), null);
    add(Key.string("forward_shared_key"), null);
    // user/password authentication of the forward handshake: a file of user:password lines (serve)
    add(Key.string("forward_users_file"), null);
    add(Key.bytes("max_body_bytes", 1024, 4 * GIB), 64 * MIB);
    add(Key.integer("max_connections", 1, 1_000_000), 1024L);
    add(Key.seconds("client_timeout", 1, 3_600), 30.0);
    // default args.tag for Log records, tag for dynamic ones (set by the serve command)
    add(Key.string("tag_field"), null);
  }

  /**
   * Other names for a key (snake_case, after {@link #snake}). {@code RedisSQLPrefix} is how the
   * original design's Fluent Bit key list spells the DLQ prefix.
   */
  static final Map<String, String> ALIASES = Map.of("redis_sql_prefix", "redis_dlq_prefix");

  /**
   * Keys this project used before it adopted the original design's names, with what to write
   * instead; they add nothing over the original names, so they are refused with this hint.
   */
  static final Map<String, String> RENAMED = Map.of(
      "s3_bucket", "s3_bucket_name",
      "redis_key_prefix", "redis_data_prefix",
      "redis_port", "redis_host (as host:port)");

  /** The key called {@code snakeName} or one of its aliases, or null. */
  static Key find(String snakeName) {
    Key k = ALL.get(snakeName);
    return k != null ? k : ALL.get(ALIASES.getOrDefault(snakeName, ""));
  }

  /** {@code s3_bucket_name} to {@code S3BucketName}, the original design's Fluent Bit spelling. */
  static String camel(String snakeName) {
    StringBuilder sb = new StringBuilder();
    for (String part : snakeName.split("_")) {
      if (!part.isEmpty()) {
        sb.append(Character.toUpperCase(part.charAt(0))).append(part, 1, part.length());
      }
    }
    return sb.toString();
  }

  /**
   * The known key (or alias) nearest to {@code snakeName} by edit distance, if it is near enough
   * to be a likely typo (at most 2 edits, or a third of the name's length), else null.
   */
  static String nearest(String snakeName) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    List<String> names = new java.util.ArrayList<>(ALL.keySet());
    names.addAll(ALIASES.keySet());
    for (String n : names) {
      int d = distance(snakeName, n);
      if (d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, snakeName.length() / 3) ? best : null;
  }

  /** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  static final List<String> LATER = List.of("writer_type=s3", "record_type=dynamic");

  /** CamelCase ({@code BufferSize}, {@code S3Bucket}) to snake_case; snake_case is returned as it is. */
  static String snake(String name) {
    if (name.indexOf('_') >= 0 || name.equals(name.toLowerCase())) {
      return name.toLowerCase();
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(name.charAt(i - 1))) {
        sb.append('_');
      } else if (Character.isUpperCase(c) && i > 0 && i + 1 < name.length()
          && Character.isLowerCase(name.charAt(i + 1)) && Character.isUpperCase(name.charAt(i - 1))) {
        sb.append('_');
      }
      sb.append(Character.toLowerCase(c));
    }
    return sb.toString();
  }
}
