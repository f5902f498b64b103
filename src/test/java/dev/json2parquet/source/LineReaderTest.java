package dev.json2parquet.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  private static final int MIB = 1 << 20;

  /** A line or an oversized line, as the handler saw it. */
  private record Event(String kind, byte[] bytes, long totalBytes, long lineNumber) {
    static Event line(String text, long number) {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      return new Event("line", b, b.length, number);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Event e && kind.equals(e.kind) && Arrays.equals(bytes, e.bytes)
          && totalBytes == e.totalBytes && lineNumber == e.lineNumber;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      String shown = bytes.length > 40 ? new String(bytes, 0, 40, StandardCharsets.UTF_8) + "..."
          : new String(bytes, StandardCharsets.UTF_8);
      return kind + "#" + lineNumber + "(" + bytes.length + "/" + totalBytes + " bytes: " + shown + ")";
    }
  }

  private static final class Recorder implements LineReader.Handler {
    final List<Event> events = new ArrayList<>();

    @Override
    public void line(byte[] buf, int off, int len, long lineNumber) {
      events.add(new Event("line", Arrays.copyOfRange(buf, off, off + len), len, lineNumber));
    }

    @Override
    public void oversized(byte[] prefix, int prefixLen, long totalBytes, long lineNumber) {
      events.add(new Event("oversized", Arrays.copyOf(prefix, prefixLen), totalBytes, lineNumber));
    }
  }

  /** Returns at most {@code chunk} bytes per read, like a pipe or a decompressor. */
  private static final class ChunkedInputStream extends InputStream {
    private final byte[] data;
    private final int chunk;
    private int pos;

    ChunkedInputStream(byte[] data, int chunk) {
      this.data = data;
      this.chunk = chunk;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, chunk), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  private static List<Event> read(InputStream in, int maxLineBytes) throws IOException {
    Recorder r = new Recorder();
    new LineReader(maxLineBytes).read(in, r);
    return r.events;
  }

  private static List<Event> read(String text) throws IOException {
    return read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 16 * MIB);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A line of {@code n} bytes that differ along its length, so a wrong offset shows. */
  private static String longLine(int n, char seed) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append((char) ('a' + (seed + i / 997) % 26));
    }
    return sb.toString();
  }

  // ---- line endings, BOM, blank lines ---------------------------------------------------------

  @Test
  void read_withLfEndings_emitsEachLineWithItsNumber() throws IOException {
    assertThat(read("{\"a\":1}\n{\"b\":2}\n"))
        .containsExactly(Event.line("{\"a\":1}", 1), Event.line("{\"b\":2}", 2));
  }

  @Test
  void read_withCrlfEndings_dropsTheCarriageReturn() throws IOException {
    assertThat(read("one\r\ntwo\r\nthree\n"))
        .containsExactly(Event.line("one", 1), Event.line("two", 2), Event.line("three", 3));
  }

  @Test
  void read_withBomAtTheStart_skipsIt_butKeepsBomBytesOnLaterLines() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] input = concat(bom, ascii("first\n"), bom, ascii("second\n"));

    List<Event> events = read(new ByteArrayInputStream(input), MIB);

    assertThat(events).containsExactly(Event.line("first", 1),
        new Event("line", concat(bom, ascii("second")), 9, 2));
  }

  @Test
  void read_withBomOnlyBeforeABlankFirstLine_skipsBoth() throws IOException {
    byte[] input = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, ascii("\nx"));

    assertThat(read(new ByteArrayInputStream(input), MIB)).containsExactly(Event.line("x", 2));
  }

  @Test
  void read_withBlankAndWhitespaceLines_skipsThemButCountsTheirNumbers() throws IOException {
    assertThat(read("a\n\n  \t \nb\r\n\r\n \r\nc\n\n"))
        .containsExactly(Event.line("a", 1), Event.line("b", 4), Event.line("c", 7));
  }

  @Test
  void read_withFinalLineWithoutNewline_emitsIt() throws IOException {
    assertThat(read("a\nlast")).containsExactly(Event.line("a", 1), Event.line("last", 2));
    assertThat(read("only\r")).containsExactly(Event.line("only", 1));
  }

  @Test
  void read_ofEmptyOrBlankInput_emitsNothing() throws IOException {
    assertThat(read("")).isEmpty();
    assertThat(read("\n\r\n  \n")).isEmpty();
  }

  // ---- buffer boundaries ---------------------------------------------------------------------------

  @Test
  void read_fromAStreamGivingSevenBytesAtATime_emitsTheSameLines() throws IOException {
    StringBuilder text = new StringBuilder("\uFEFF");
    List<Event> expected = new ArrayList<>();
    for (int i = 1; i <= 2_000; i++) {
      String line = "{\"n\":" + i + ",\"s\":\"" + "x".repeat(i % 53) + "é\"}";
      text.append(line).append(i % 3 == 0 ? "\r\n" : "\n");
      expected.add(Event.line(line, i));
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);

    assertThat(read(new ChunkedInputStream(bytes, 7), 4096)).containsExactlyElementsOf(expected);
  }

  @Test
  void read_withLinesCrossingTheOneMibBuffer_emitsThemWhole() throws IOException {
    StringBuilder text = new StringBuilder();
    List<Event> expected = new ArrayList<>();
    int n = 0;
    while (text.length() < 3 * MIB + 12_345) {
      n++;
      String line = longLine(1 + (n * 7_919) % 90_000, (char) n);
      text.append(line).append('\n');
      expected.add(Event.line(line, n));
    }

    List<Event> events = read(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.US_ASCII)), MIB);

    assertThat(events).hasSize(expected.size()).containsExactlyElementsOf(expected);
  }

  @Test
  void read_withLinesOfThreeMibUnderTheLimit_emitsThemWhole_evenInSmallChunks() throws IOException {
    String big1 = longLine(3 * MIB - 17, 'a');
    String big2 = longLine(3 * MIB + 5, 'k');
    byte[] input = ascii("start\n" + big1 + "\nmiddle\n" + big2 + "\r\nend");
    List<Event> expected = List.of(Event.line("start", 1), Event.line(big1, 2), Event.line("middle", 3),
        Event.line(big2, 4), Event.line("end", 5));

    assertThat(read(new ByteArrayInputStream(input), 4 * MIB)).containsExactlyElementsOf(expected);
    assertThat(read(new ChunkedInputStream(input, 7), 4 * MIB)).containsExactlyElementsOf(expected);
  }

  // ---- oversized lines --------------------------------------------------------------------------------

  @Test
  void read_withLinesOverTheLimit_reportsThemOversized_andKeepsReadingAfter() throws IOException {
    String inBuffer = longLine(5_000, 'c');
    String acrossBuffers = longLine(2_000_000, 'q');
    String lastTooLong = longLine(3_000, 'z');
    String exactlyMax = longLine(1_024, 'm');
    byte[] input = ascii("short1\n" + inBuffer + "\nshort2\n" + acrossBuffers + "\n" + exactlyMax + "\n"
        + exactlyMax + "x\nshort3\n" + lastTooLong);

    List<Event> events = read(new ByteArrayInputStream(input), 1_024);

    assertThat(events).containsExactly(
        Event.line("short1", 1),
        new Event("oversized", ascii(inBuffer), 5_000, 2),
        Event.line("short2", 3),
        new Event("oversized", ascii(acrossBuffers.substring(0, LineReader.OVERSIZE_PREFIX)), 2_000_000, 4),
        Event.line(exactlyMax, 5),
        new Event("oversized", ascii(exactlyMax + "x"), 1_025, 6),
        Event.line("short3", 7),
        new Event("oversized", ascii(lastTooLong), 3_000, 8));
  }

  @Test
  void read_withOversizedLinesInSmallChunks_reportsTheirFullLengthAndNumbers() throws IOException {
    String big = longLine(300_000, 'b');
    byte[] input = ascii("a\n" + big + "\nb\n" + longLine(1_024, 'e') + "\n" + big);

    List<Event> events = read(new ChunkedInputStream(input, 7), 1_024);

    assertThat(events).extracting(Event::kind, Event::totalBytes, Event::lineNumber).containsExactly(
        org.assertj.core.groups.Tuple.tuple("line", 1L, 1L),
        org.assertj.core.groups.Tuple.tuple("oversized", 300_000L, 2L),
        org.assertj.core.groups.Tuple.tuple("line", 1L, 3L),
        org.assertj.core.groups.Tuple.tuple("line", 1_024L, 4L),
        org.assertj.core.groups.Tuple.tuple("oversized", 300_000L, 5L));
    for (Event e : events) {
      if (e.kind().equals("oversized")) {
        assertThat(new String(e.bytes(), StandardCharsets.US_ASCII)).as("prefix").isEqualTo(big.substring(0, e.bytes().length));
        assertThat(e.bytes().length).isGreaterThan(1_024);
      }
    }
  }

  @Test
  void read_withOversizedLineInSmallChunks_keepsTheFullPrefix() throws IOException {
    String big = longLine(300_000, 'b');

    List<Event> events = read(new ChunkedInputStream(ascii(big + "\n"), 7), 1_024);

    assertThat(events).containsExactly(
        new Event("oversized", ascii(big.substring(0, LineReader.OVERSIZE_PREFIX)), 300_000, 1));
  }

  @Test
  void read_withMaxLengthCrlfLineSplitBeforeTheNewline_emitsIt() throws IOException {
    String line = longLine(1_024, 'r');
    byte[] input = ascii(line + "\r\nnext\n");
    InputStream splitBeforeLf = new InputStream() {
      private final ByteArrayInputStream in = new ByteArrayInputStream(input);
      private boolean first = true;

      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        int n = in.read(b, off, first ? Math.min(len, 1_025) : len);
        first = false;
        return n;
      }
    };

    assertThat(read(splitBeforeLf, 1_024)).containsExactly(Event.line(line, 1), Event.line("next", 2));
  }

  @Test
  void read_withOversizedCrlfLine_reportsLengthWithoutTheCarriageReturn() throws IOException {
    List<Event> events = read(new ByteArrayInputStream(ascii(longLine(2_000_000, 'w') + "\r\n")), 1_024);

    assertThat(events).extracting(Event::totalBytes).containsExactly(2_000_000L);
  }

  @org.junit.jupiter.api.Test
  void indexOfNewline_everyPositionAndNeighbourByte_findsTheFirst() {
    for (int len = 0; len < 80; len++) { // past two 32-byte blocks
      for (int at = -1; at < len; at++) {
        for (byte other : new byte[] {0, 9, 11, (byte) 0x8A, (byte) 0xFF, 'a'}) {
          byte[] b = new byte[len + 3];
          java.util.Arrays.fill(b, other);
          if (at >= 0) {
            b[at + 1] = '\n';
            if (at + 2 < len + 1) {
              b[at + 2] = '\n';
            }
          }
          b[0] = '\n'; // before the range: must not be found
          if (at < 0) {
            b[len + 1] = '\n'; // just past the range: must not be found either
          }
          int want = at >= 0 ? at + 1 : -1;
          org.assertj.core.api.Assertions.assertThat(LineReader.indexOfNewline(b, 1, len + 1))
              .as("len %d at %d other %d", len, at, other).isEqualTo(want);
        }
      }
    }
  }
}
