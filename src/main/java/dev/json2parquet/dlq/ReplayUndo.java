package dev.json2parquet.dlq;

import dev.json2parquet.config.Config;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Undoes what an interrupted or failed replay run wrote: its Parquet files (and leftover
 * in-progress files) under the output directory, found by the run id every file name carries
 * ({@code <key>-<run id>-<seq>.parquet}), or its objects in S3 ({@link Sink#removeRun}), and its files
 * in the recovery store.
 */
public final class ReplayUndo implements DeadLetterStore.RunUndo {
  private final Config config;
  private long removedFiles;

  public ReplayUndo(Config config) {
    this.config = config;
  }

  /** Files removed so far. */
  public long removedFiles() {
    return removedFiles;
  }

  @Override
  public void undo(String runId) throws IOException {
    Path out = config.outDir();
    if (Files.isDirectory(out)) {
      String mark = "-" + runId + "-";
      List<Path> files;
      try (Stream<Path> s = Files.walk(out)) {
        files = s.filter(p -> {
          String n = p.getFileName().toString();
          return n.contains(mark) && (n.endsWith(".parquet") || n.endsWith(".inprogress")) && Files.isRegularFile(p);
        }).toList();
      }
      for (Path f : files) {
        Files.deleteIfExists(f);
        removedFiles++;
      }
    }
    if (config.writerType().equals("s3")) {
      // the S3 sink's objects of the run (issue 14)
      try (Sink sink = Sinks.open(config)) {
        removedFiles += sink.removeRun(runId);
      }
    }
    RecoveryStores.open(config).discardRun(runId);
  }
}
