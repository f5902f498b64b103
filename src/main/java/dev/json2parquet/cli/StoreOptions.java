package dev.json2parquet.cli;

import dev.json2parquet.config.ConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a run's data lives: the config file, the output directory, the dead-letter queue and the
 * recovery store. Shared by {@code convert}, {@code recover} and {@code dlq} as a picocli mixin, so
 * that every command finds the same stores from the same flags.
 */
final class StoreOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "JSON config file with snake_case or CamelCase keys.")
  Path config;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR",
      description = "Output directory (writer_file_path; default ./out), or s3://BUCKET[/PREFIX] for the S3 sink.")
  String out;

  @Option(names = "--dlq", paramLabel = "DIR", description = "Dead-letter directory (dlq_path; default OUT/_dlq).")
  String dlq;

  @Option(names = "--recovery", paramLabel = "DIR",
      description = "Recovery store for files that could not be written (recovery_path; default OUT/_recovery).")
  String recovery;

  /**
   * Stops with exit 2 when neither {@code dir} nor the output directory exists: a mistyped path,
   * which would otherwise read as an empty store. (A run that wrote no dead letters or held no
   * file leaves no such directory, so only both missing is an error.)
   *
   * @throws dev.json2parquet.config.ConfigException naming the paths
   */
  static void checkExists(dev.json2parquet.config.Config cfg, Path dir, String what) {
    if (!java.nio.file.Files.isDirectory(dir) && !java.nio.file.Files.isDirectory(cfg.outDir())) {
      throw new dev.json2parquet.config.ConfigException("Cannot read the " + what + " " + dir
          + ": no such directory (nor the output directory " + cfg.outDir() + "); check -o, --dlq or --recovery");
    }
  }

  /**
   * A loader with, in order of precedence, these flags, then {@code JSON2PARQUET_*} variables from
   * {@code ctx}, then the config file; callers add their own flags before {@code build()}.
   *
   * @throws dev.json2parquet.config.ConfigException for an unreadable config file or a bad value
   */
  ConfigLoader loader(Context ctx) {
    ConfigLoader loader = new ConfigLoader();
    if (config != null) {
      loader.file(config);
    }
    return loader.environment(ctx.env())
        .flag("writer_file_path", out, "--out")
        .flag("dlq_path", dlq, "--dlq")
        .flag("recovery_path", recovery, "--recovery");
  }
}
