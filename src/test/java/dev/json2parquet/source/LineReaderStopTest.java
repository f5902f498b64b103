package dev.json2parquet.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Stopping at a line boundary, the positions a re-run continues from, and a stdin read ended by a stop. */
class LineReaderStopTest {
  private static final byte[] TEXT = "a\nbb\r\n\n ccc\nd".getBytes(StandardCharsets.UTF_8);

  /** Records "line:N:text" and "cut:N:text". */
  static final class Seen implements LineReader.Handler {
    final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean stopAfterSecond = new AtomicBoolean();

    @Override
    public void line(byte[] buf, int off, int len, long lineNumber) {
      events.add("line:" + lineNumber + ":" + new String(buf, off, len, StandardCharsets.UTF_8));
    }

    @Override
    public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) {
      events.add("oversized:" + lineNumber);
    }

    @Override
    public void cut(byte[] buf, int off, int len, long totalBytes, long lineNumber) {
      events.add("cut:" + lineNumber + ":" + new String(buf, off, len, StandardCharsets.UTF_8));
    }
  }

  @Test
  void read_stoppedAfterTwoLines_positionIsAfterSecondLineBreak_resumeReadsTheRestOnce() throws Exception {
    Seen first = new Seen();
    LineReader.Ended stopped = new LineReader(1024).read(new ByteArrayInputStream(TEXT), first,
        LineReader.Position.START, () -> first.events.size() == 2);

    assertThat(first.events).containsExactly("line:1:a", "line:2:bb");
    assertThat(stopped.atEnd()).isFalse();
    assertThat(stopped.next()).isEqualTo(new LineReader.Position(6, 3));

    Seen rest = new Seen();
    InputStream in = new ByteArrayInputStream(TEXT);
    in.skipNBytes(stopped.next().offset());
    LineReader.Ended ended = new LineReader(1024).read(in, rest, stopped.next(), () -> false);

    assertThat(rest.events).containsExactly("line:4: ccc", "line:5:d");
    assertThat(ended.atEnd()).isTrue();
    assertThat(ended.next()).isEqualTo(new LineReader.Position(TEXT.length, 6));
  }

  @Test
  void stdinPump_stopWhileReaderWaits_completeLinesConverted_partialLineCut() throws Exception {
    PipedOutputStream feed = new PipedOutputStream();
    PipedInputStream pipe = new PipedInputStream(feed, 1 << 16);
    StdinPump pump = new StdinPump(pipe);
    Seen seen = new Seen();
    CompletableFuture<LineReader.Ended> reading = CompletableFuture.supplyAsync(() -> {
      try {
        return new LineReader(1024).read(pump.marking(pump), seen, LineReader.Position.START, () -> false);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    feed.write("x\ny\npart".getBytes(StandardCharsets.UTF_8));
    feed.flush();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> seen.events.size() == 2); // x and y handed over; the reader waits for the rest of "part"

    assertThat(reading).isNotDone();
    pump.stop(); // the pipe stays open: only the stop can end this read

    LineReader.Ended ended = reading.get(10, TimeUnit.SECONDS);
    assertThat(seen.events).containsExactly("line:1:x", "line:2:y", "cut:3:part");
    assertThat(ended.atEnd()).isFalse();
    assertThat(pump.cutShort()).isTrue();
    feed.close();
  }
}
