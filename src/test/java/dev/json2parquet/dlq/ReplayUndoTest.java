package dev.json2parquet.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayUndoTest {
  @TempDir
  Path dir;

  @Test
  void undo_removesOnlyTheRunsFiles() throws Exception {
    Path part = Files.createDirectories(dir.resolve("p=1"));
    Path mine = Files.writeString(part.resolve("k-20261130T000000Z-abcd-000001.parquet"), "x");
    Path mineInProgress = Files.writeString(part.resolve(".k-20261130T000000Z-abcd-000002.parquet.inprogress"), "x");
    Path other = Files.writeString(part.resolve("k-20261130T000000Z-abce-000001.parquet"), "x");
    Config config = new ConfigLoader().flag("writer_file_path", dir.toString(), "--out").build();

    ReplayUndo undo = new ReplayUndo(config);
    undo.undo("20261130T000000Z-abcd");

    assertThat(mine).doesNotExist();
    assertThat(mineInProgress).doesNotExist();
    assertThat(other).exists();
    assertThat(undo.removedFiles()).isEqualTo(2);
  }
}
