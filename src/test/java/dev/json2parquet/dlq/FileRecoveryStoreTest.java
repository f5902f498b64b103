package dev.json2parquet.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRecoveryStoreTest {
  private static final Instant NOW = Instant.parse("2026-11-30T21:00:00Z");

  @TempDir
  Path dir;

  private RecoveryStore store;

  @BeforeEach
  void open() {
    store = RecoveryStores.at(dir.resolve("store"), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static RecoveryStore.Entry manifest(String runId, String path, long records) {
    return new RecoveryStore.Entry(null, path, Arrays.asList("p", null), List.of("k\"ey", "東"), records, 3, 0,
        "java.io.IOException: disk full", null, runId);
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(store.location()))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void hold_thenList_returnsTheManifestAsStoredAndTheBytes() throws Exception {
    RecoveryStore.Entry held = store.hold(manifest("run-1", "a/b.parquet", 5), out -> out.write("PAR1".getBytes()));

    List<RecoveryStore.Entry> listed = store.list();

    assertThat(listed).containsExactly(held);
    RecoveryStore.Entry e = listed.get(0);
    assertThat(e.partition()).containsExactly("p", null);
    assertThat(e.key()).containsExactly("k\"ey", "東");
    assertThat(e.time()).isEqualTo(NOW);
    assertThat(e.lastError()).isEqualTo("java.io.IOException: disk full");
    try (InputStream in = store.open(e)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("PAR1");
    }
    assertThat(files()).containsExactly(e.id() + ".json", e.id() + ".parquet.held");
  }

  @Test
  void hold_whenTheBodyFails_leavesNothing() throws Exception {
    assertThatThrownBy(() -> store.hold(manifest("run-1", "a.parquet", 1), out -> {
      out.write(1);
      throw new IOException("encoder broke");
    })).hasMessage("encoder broke");

    assertThat(store.list()).isEmpty();
    assertThat(files()).isEmpty();
  }

  @Test
  void update_countsTheAttempt_andRemoveDeletesBothFiles() throws Exception {
    RecoveryStore.Entry e = store.hold(manifest("run-1", "a.parquet", 1), out -> out.write(1));

    store.update(e.failedAgain("still broken", true));

    RecoveryStore.Entry again = store.list().get(0);
    assertThat(again.attempts()).isEqualTo(4);
    assertThat(again.autoAttempts()).isEqualTo(1);
    assertThat(again.lastError()).isEqualTo("still broken");
    store.remove(again);
    store.remove(again);
    assertThat(files()).isEmpty();
  }

  @Test
  void discardRun_removesThatRunsEntriesAndOrphansOnly() throws Exception {
    store.hold(manifest("run-1", "a.parquet", 5), out -> out.write(1));
    store.hold(manifest("run-1", "b.parquet", 7), out -> out.write(1));
    RecoveryStore.Entry other = store.hold(manifest("run-2", "a.parquet", 11), out -> out.write(1));
    // a crash between the data file and the manifest
    Files.write(Path.of(store.location(), FileRecoveryStore.id("run-1", "c.parquet") + ".parquet.held"), new byte[1]);

    long discarded = store.discardRun("run-1");

    assertThat(discarded).isEqualTo(12);
    assertThat(store.list()).containsExactly(other);
    assertThat(files()).containsExactly(other.id() + ".json", other.id() + ".parquet.held");
  }

  @Test
  void list_ofAStoreNeverWritten_isEmptyAndCreatesNothing() throws Exception {
    assertThat(store.list()).isEmpty();
    assertThat(store.discardRun("x")).isZero();
    assertThat(Path.of(store.location())).doesNotExist();
  }
}
