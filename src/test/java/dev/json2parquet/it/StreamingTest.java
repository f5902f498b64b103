package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stdin as a live stream: the flush interval writes files while the input is still open. */
class StreamingTest {
  @TempDir
  Path dir;

  @Test
  void convert_openStdin_flushIntervalWritesKeyBeforeInputEnds() throws Exception {
    PipedOutputStream feed = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(feed, 1 << 16);
    Path out = dir.resolve("out");
    CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.runWithStdin(stdin, Map.of(),
        "convert", "-o", out.toString(), "--flush-interval", "0.3", "--key", "", "--partition", ""));

    feed.write(ConvertCliTest.line(1, "c", "2024-11-24T00:00:00Z").getBytes(StandardCharsets.UTF_8));
    feed.write(ConvertCliTest.line(2, "c", "2024-11-24T00:00:01Z").getBytes(StandardCharsets.UTF_8));
    feed.flush();

    // the input stays open: only the interval can have written this file
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(out) && DuckDb.parquetFiles(out).size() == 1);
    assertThat(run).isNotDone();
    feed.write(ConvertCliTest.line(3, "c", "2024-11-24T00:00:02Z").getBytes(StandardCharsets.UTF_8));
    feed.close();

    Cli.Result result = run.get();
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.err()).contains("3 records read, 3 written to 2 files");
    try (DuckDb duck = new DuckDb()) {
      assertThat(duck.rows(DuckDb.parquetFiles(out).get(0))).hasSize(2);
    }
  }
}
