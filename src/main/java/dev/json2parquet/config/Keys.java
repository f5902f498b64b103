package dev.json2parquet.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every configuration key, with its default. Keys of features not built yet are validated all the same. */
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
    add(Key.integer("buffer_size", 1, 100_000_000), 1_000_000L);
    add(Key.choice("buffer_type", "memory", "redis"), "memory");
    add(Key.bool("debug"), false);
    add(Key.seconds("flush_interval", 0, 7 * 86_400), 300.0);
    add(Key.string("json_schema_path"), null);
    add(Key.choice("record_type", "log", "dynamic"), "log");
    add(Key.choice("writer_compression_type", "snappy", "gzip", "zstd", "none", "uncompressed"), "snappy");
    add(Key.string("writer_file_path"), "./out");
    add(Key.bytes("writer_row_group_size", MIB, 2 * GIB), 128 * MIB);
    add(Key.bytes("writer_page_size", 1024, 256 * MIB), 2 * MIB);
    add(Key.choice("writer_type", "file", "local", "s3"), "file");
    add(Key.bytes("max_buffer_bytes", 4 * MIB, 64 * GIB), 256 * MIB);
    // partition and key default by record type (see Config)
    add(Key.string("partition"), null);
    add(Key.string("key"), null);
    add(Key.choice("unknown_fields", "drop", "extra", "dlq"), "extra");
    add(Key.integer("schema_sample", 1, 10_000_000), 10_000L);
    add(Key.string("dlq_path"), null);
    add(Key.bytes("max_line_bytes", 1024, GIB), 16 * MIB);
    add(Key.integer("threads", 1, 256), (long) Runtime.getRuntime().availableProcessors());
    add(Key.string("recovery_path"), null);
    add(Key.integer("recovery_attempts", 0, 1_000_000), 0L);
    add(Key.bool("try_auto_recover"), false);

    add(Key.string("redis_host"), "localhost");
    add(Key.integer("redis_port", 1, 65_535), 6379L);
    add(Key.string("redis_username"), null);
    add(Key.string("redis_password"), null);
    add(Key.integer("redis_db", 0, 1_000_000), 0L);
    add(Key.string("redis_key_prefix"), "json2parquet");
    add(Key.bool("redis_tls"), false);
    add(Key.seconds("redis_timeout", 0, 3_600), 5.0);

    add(Key.string("s3_bucket"), null);
    add(Key.string("s3_prefix"), "");
    add(Key.string("s3_region"), null);
    add(Key.string("s3_endpoint"), null);
    add(Key.string("s3_access_key_id"), null);
    add(Key.string("s3_secret_access_key"), null);
    add(Key.string("s3_session_token"), null);
    add(Key.string("s3_role_arn"), null);
    add(Key.bool("s3_path_style"), false);
    add(Key.bytes("s3_part_size", 5 * MIB, 5 * GIB), 16 * MIB);
  }

  static final List<String> LATER = List.of("buffer_type=redis", "writer_type=s3", "record_type=dynamic");

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
