package dev.json2parquet.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.json2parquet.source.Input;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store's replay protocol around crashes: a replay interrupted before its output was
 * committed is undone, one interrupted after is finished; either way each line ends in one place.
 */
class FileDeadLetterStoreTest {
  @TempDir
  Path dir;

  Path dlqDir;
  FileDeadLetterStore store;
  List<String> undone = new ArrayList<>();

  void writeDeadLetters(String... lines) throws IOException {
    dlqDir = dir.resolve("_dlq");
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(dlqDir, "R0",
        Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC))) {
      for (int i = 0; i < lines.length; i++) {
        byte[] b = lines[i].getBytes(StandardCharsets.UTF_8);
        q.reject("bad " + i, "in.jsonl", i + 1, b, 0, b.length, b.length);
      }
    }
    store = new FileDeadLetterStore(dlqDir);
  }

  /** Reads a replay's input as the converter would, and writes what a conversion run R1 writes. */
  List<String> convert(DeadLetterStore.Replay replay) throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream in = replay.input().opener().open()) {
      for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!l.isEmpty()) {
          lines.add(l);
        }
      }
    }
    Files.writeString(dir.resolve("k-R1-000001.parquet"), "committed");
    Files.writeString(dlqDir.resolve("dlq-R1.jsonl"), "{\"error\":\"again\",\"source\":\"in.jsonl\",\"line\":2,\"raw\":\"b\"}\n");
    return lines;
  }

  List<String> raws() throws IOException {
    List<String> raws = new ArrayList<>();
    store.scan(DeadLetterFilter.ALL, d -> raws.add(new String(d.raw(), StandardCharsets.UTF_8)));
    return raws;
  }

  DeadLetterStore.RunUndo undo() {
    return runId -> {
      undone.add(runId);
      Files.deleteIfExists(dir.resolve("k-" + runId + "-000001.parquet"));
    };
  }

  @Test
  void recoverInterrupted_beforeCommit_undoesTheRunAndKeepsEveryDeadLetter() throws Exception {
    writeDeadLetters("a", "b", "c");
    DeadLetterStore.Replay replay = store.replay(new DeadLetterFilter(null, "bad", null), "R1");
    assertThat(convert(replay)).containsExactly("a", "b", "c");
    // crash here: the process dies before commit()

    List<String> done = new FileDeadLetterStore(dlqDir).recoverInterrupted(undo());

    assertThat(done).singleElement().asString().contains("undid the interrupted replay R1");
    assertThat(undone).containsExactly("R1");
    assertThat(dir.resolve("k-R1-000001.parquet")).doesNotExist();
    assertThat(dlqDir.resolve("dlq-R1.jsonl")).doesNotExist();
    assertThat(raws()).containsExactly("a", "b", "c");
    assertThat(hiddenFiles()).isEmpty();
  }

  @Test
  void recoverInterrupted_afterCommitBeforeRemoval_finishesTheRemoval() throws Exception {
    writeDeadLetters("a", "b", "c");
    DeadLetterStore.Replay replay = store.replay(new DeadLetterFilter(null, "bad", null), "R1");
    convert(replay);
    // crash right after the marker was switched to "converted", before any envelope was removed
    Path marker = dlqDir.resolve(".replay-R1.json");
    Files.writeString(marker, Files.readString(marker).replace("\"converting\"", "\"converted\""));

    List<String> done = new FileDeadLetterStore(dlqDir).recoverInterrupted(undo());

    assertThat(done).singleElement().asString().contains("finished the interrupted replay R1");
    assertThat(undone).isEmpty();
    assertThat(dir.resolve("k-R1-000001.parquet")).exists();
    assertThat(raws()).containsExactly("b"); // only the one the replay dead-lettered again, in its own file
    assertThat(hiddenFiles()).isEmpty();
    // and again: nothing left to do, nothing removed twice
    assertThat(store.recoverInterrupted(undo())).isEmpty();
    assertThat(raws()).containsExactly("b");
  }

  @Test
  void commit_removesOnlyTheReplayedEnvelopes_notThoseOutsideTheFilter() throws Exception {
    writeDeadLetters("a", "b", "c");
    DeadLetterStore.Replay replay = store.replay(new DeadLetterFilter(null, "bad 1", null), "R1");
    assertThat(convert(replay)).containsExactly("b");

    replay.commit();

    assertThat(raws()).containsExactly("a", "c", "b");
    assertThat(hiddenFiles()).isEmpty();
  }

  @Test
  void lock_heldByAnotherVerb_refusesASecond() throws Exception {
    writeDeadLetters("a");
    try (DeadLetterStore.Lock held = store.lock()) {
      assertThatThrownBy(() -> new FileDeadLetterStore(dlqDir).lock()).isInstanceOf(IOException.class)
          .hasMessageStartingWith("Cannot lock " + dlqDir.resolve(".lock"));
    }
    new FileDeadLetterStore(dlqDir).lock().close();
  }

  @Test
  void replayInput_mapsEachLineToItsEnvelopesSourceAndLine() throws Exception {
    writeDeadLetters("a", "b");
    DeadLetterStore.Replay replay = store.replay(DeadLetterFilter.ALL, "R1");
    Input input = replay.input();
    try (InputStream in = input.opener().open()) {
      byte[] buf = new byte[2];
      assertThat(in.read(buf, 0, 2)).isEqualTo(2); // the leading blank line and "a"
      assertThat(input.origins().of(2)).isEqualTo(new Input.Origin("in.jsonl", 1));
      assertThat(in.read(buf, 0, 2)).isEqualTo(2); // "\nb"
      assertThat(in.read(buf, 0, 2)).isEqualTo(1); // "\n"
      assertThat(input.origins().of(3)).isEqualTo(new Input.Origin("in.jsonl", 2));
      assertThat(in.read(buf, 0, 2)).isEqualTo(-1);
    }
    replay.abort();
  }

  private List<String> hiddenFiles() throws IOException {
    try (Stream<Path> s = Files.list(dlqDir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && !n.equals(".lock")).toList();
    }
  }
}
