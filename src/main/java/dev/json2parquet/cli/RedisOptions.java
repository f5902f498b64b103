package dev.json2parquet.cli;

import dev.json2parquet.config.ConfigLoader;
import picocli.CommandLine.Option;

/**
 * The Redis buffer's settings as flags, one per config key (the flag is the key with dashes, and
 * {@code --buffer} for {@code buffer_type}). Shared as a picocli mixin by every command that uses
 * Redis ({@code convert}, {@code flush}, {@code recover}, {@code dlq}, {@code serve}), so that
 * they all reach the same Redis with the same flags.
 */
final class RedisOptions {
  @Option(names = {"--buffer", "--buffer-type"}, paramLabel = "TYPE",
      description = "Where records wait to be written: memory or redis (buffer_type; default memory).")
  String bufferType;

  @Option(names = "--redis-host", paramLabel = "ADDRESS",
      description = "host:port, redis://[user:password@]host:port/db, rediss://... for TLS, or a comma-separated"
          + " list for a Redis Cluster (redis_host; default localhost:6379).")
  String host;

  @Option(names = "--redis-username", paramLabel = "USER", description = "ACL user name (redis_username; default the default user).")
  String username;

  @Option(names = "--redis-password", paramLabel = "PASSWORD", description = "Password (redis_password).")
  String password;

  @Option(names = "--redis-db", paramLabel = "N", description = "Logical database (redis_db; default 0).")
  String db;

  @Option(names = "--redis-timeout", paramLabel = "SECONDS", description = "Connect and command timeout (redis_timeout; default 5).")
  String timeout;

  @Option(names = "--redis-tls", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
      description = "Connect with TLS (redis_tls; default false; rediss:// implies it).")
  Boolean tls; // Boolean: picocli then takes the next argument only when it is true or false

  @Option(names = "--redis-data-prefix", paramLabel = "PREFIX", description = "Prefix of the keys holding records (redis_data_prefix; default data).")
  String dataPrefix;

  @Option(names = "--redis-keys", paramLabel = "KEY", description = "Key of the set of keys that hold records (redis_keys; default keys).")
  String keys;

  @Option(names = "--redis-lock-prefix", paramLabel = "PREFIX", description = "Prefix of the per-key flush locks (redis_lock_prefix; default lock).")
  String lockPrefix;

  @Option(names = "--redis-dlq-prefix", paramLabel = "PREFIX", description = "Prefix of the dead-letter keys (redis_dlq_prefix; default dlq).")
  String dlqPrefix;

  @Option(names = "--redis-recovery-key", paramLabel = "KEY", description = "Key of the recovery store (redis_recovery_key; default recovery).")
  String recoveryKey;

  @Option(names = "--redis-lock-ttl", paramLabel = "SECONDS",
      description = "Life of a flush lock without renewal (redis_lock_ttl; default 1.5 x flush_interval).")
  String lockTtl;

  @Option(names = "--redis-lock-instance-name", paramLabel = "NAME",
      description = "This instance's name, held in its locks (redis_lock_instance_name; default the host name).")
  String instanceName;

  @Option(names = "--redis-max-deliveries", paramLabel = "N",
      description = "Dead-letter a batch delivered to more than N flushers that all ended before writing it"
          + " (redis_max_deliveries; default 5; 0: never).")
  String maxDeliveries;

  @Option(names = "--redis-skip-flush", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
      description = "Only receive into Redis; a separate `flush` writes (redis_skip_flush; default false).")
  Boolean skipFlush; // Boolean: picocli then takes the next argument only when it is true or false

  /** Adds these flags to {@code loader} (flags take precedence over environment and file). */
  ConfigLoader apply(ConfigLoader loader) {
    return loader
        .flag("buffer_type", bufferType, "--buffer")
        .flag("redis_host", host, "--redis-host")
        .flag("redis_username", username, "--redis-username")
        .flag("redis_password", password, "--redis-password")
        .flag("redis_db", db, "--redis-db")
        .flag("redis_timeout", timeout, "--redis-timeout")
        .flag("redis_tls", str(tls), "--redis-tls")
        .flag("redis_data_prefix", dataPrefix, "--redis-data-prefix")
        .flag("redis_keys", keys, "--redis-keys")
        .flag("redis_lock_prefix", lockPrefix, "--redis-lock-prefix")
        .flag("redis_dlq_prefix", dlqPrefix, "--redis-dlq-prefix")
        .flag("redis_recovery_key", recoveryKey, "--redis-recovery-key")
        .flag("redis_lock_ttl", lockTtl, "--redis-lock-ttl")
        .flag("redis_lock_instance_name", instanceName, "--redis-lock-instance-name")
        .flag("redis_skip_flush", str(skipFlush), "--redis-skip-flush")
        .flag("redis_max_deliveries", maxDeliveries, "--redis-max-deliveries");
  }

  private static String str(Boolean b) {
    return b == null ? null : b.toString();
  }
}
