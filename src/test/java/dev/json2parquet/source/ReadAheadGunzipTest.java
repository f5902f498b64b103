package dev.json2parquet.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gzip read-ahead stream against files written by the JDK's gzip writer: every byte comes
 * through in order, concatenated members too, bad data fails the reader instead of hanging it, and
 * closing stops the inflating thread. Each test fails after 30 s rather than hang.
 */
@Timeout(30)
class ReadAheadGunzipTest {
  @TempDir
  Path dir;

  @Test
  void read_multiMegabyteFile_returnsEveryByteInOrder() throws Exception {
    byte[] data = jsonLines(6 << 20, 1);
    Path gz = gzip("big.jsonl.gz", data);
    AtomicLong counted = new AtomicLong();

    byte[] read;
    try (InputStream in = Input.file(gz).openDecoded(counted::addAndGet)) {
      read = readInOddSizes(in);
    }

    assertThat(read).isEqualTo(data);
    assertThat(counted.get()).isEqualTo(Files.size(gz));
  }

  @Test
  void read_withSmallChunks_handsOverManyTimesWithoutLosingBytes() throws Exception {
    byte[] data = jsonLines(3 << 20, 2);
    Path gz = gzip("small-chunks.jsonl.gz", data);

    byte[] read;
    try (ReadAheadGunzip in = new ReadAheadGunzip(Files.newInputStream(gz), "small-chunks", 4096, 2)) {
      read = readInOddSizes(in);
      assertThat(in.read()).isEqualTo(-1);
    }

    assertThat(read).isEqualTo(data);
  }

  @Test
  void read_concatenatedMembers_decodesThemAll() throws Exception {
    byte[] first = jsonLines(1 << 20, 3);
    byte[] second = jsonLines(300_000, 4);
    byte[] third = "{\"last\":true}\n".getBytes(StandardCharsets.UTF_8);
    Path gz = dir.resolve("members.jsonl.gz");
    try (OutputStream out = Files.newOutputStream(gz)) {
      out.write(Files.readAllBytes(gzip("a.gz", first)));
      out.write(Files.readAllBytes(gzip("b.gz", second)));
      out.write(Files.readAllBytes(gzip("c.gz", third)));
    }

    byte[] read;
    try (InputStream in = Input.file(gz).openDecoded(n -> { })) {
      read = in.readAllBytes();
    }

    assertThat(read).isEqualTo(concat(first, second, third));
  }

  @Test
  void read_truncatedFile_throwsIOExceptionNamingTheFile() throws Exception {
    Path gz = gzip("cut.jsonl.gz", jsonLines(2 << 20, 5));
    byte[] whole = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(whole, whole.length / 2));

    try (InputStream in = Input.file(gz).openDecoded(n -> { })) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cut.jsonl.gz");
      assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("cut.jsonl.gz");
    }
  }

  @Test
  void read_truncatedFile_deliversWhatWasInflatedBeforeTheError() throws Exception {
    byte[] data = jsonLines(3 << 20, 9);
    Path gz = gzip("cut-later.jsonl.gz", data);
    byte[] whole = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(whole, whole.length / 2));
    ByteArrayOutputStream delivered = new ByteArrayOutputStream();

    try (InputStream in = Input.file(gz).openDecoded(n -> { })) {
      byte[] buf = new byte[8192];
      assertThatThrownBy(() -> {
        int n;
        while ((n = in.read(buf)) > 0) {
          delivered.write(buf, 0, n);
        }
      }).isInstanceOf(IOException.class);
    }

    byte[] got = delivered.toByteArray();
    assertThat(got.length).isGreaterThan(data.length / 3);
    assertThat(got).isEqualTo(Arrays.copyOf(data, got.length));
  }

  @Test
  void read_corruptData_throwsIOException() throws Exception {
    Path gz = gzip("corrupt.jsonl.gz", jsonLines(1 << 20, 6));
    byte[] bytes = Files.readAllBytes(gz);
    for (int i = bytes.length / 3; i < bytes.length / 3 + 64; i++) {
      bytes[i] ^= 0x5a;
    }
    Files.write(gz, bytes);

    try (InputStream in = Input.file(gz).openDecoded(n -> { })) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("corrupt.jsonl.gz");
    }
  }

  @Test
  void read_notGzipAtAll_throwsIOException() throws Exception {
    Path gz = dir.resolve("plain.jsonl.gz");
    Files.writeString(gz, "{\"a\":1}\n");

    try (InputStream in = Input.file(gz).openDecoded(n -> { })) {
      assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("plain.jsonl.gz");
    }
  }

  @Test
  void close_beforeTheEnd_stopsTheThread() throws Exception {
    Path gz = gzip("early.jsonl.gz", jsonLines(4 << 20, 7));
    ReadAheadGunzip in = new ReadAheadGunzip(Files.newInputStream(gz), "early", 8192, 2);
    byte[] some = new byte[100];
    assertThat(in.read(some)).isPositive();
    assertThat(in.inflating()).isTrue(); // it waits for the reader to hand a buffer back

    in.close();

    assertThat(in.inflating()).isFalse();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
    in.close(); // again: no effect
  }

  @Test
  void close_withoutReading_stopsTheThread() throws Exception {
    Path gz = gzip("unread.jsonl.gz", jsonLines(4 << 20, 8));
    ReadAheadGunzip in = new ReadAheadGunzip(Files.newInputStream(gz), "unread", 8192, 2);

    in.close();

    assertThat(in.inflating()).isFalse();
  }

  /** About {@code size} bytes of JSON lines with varied content, so the data compresses but not to nothing. */
  private static byte[] jsonLines(int size, long seed) {
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder(size + 200);
    for (int i = 0; sb.length() < size; i++) {
      sb.append("{\"n\":").append(i).append(",\"v\":\"").append(Long.toString(random.nextLong(), 36))
          .append("\",\"level\":\"").append(random.nextInt(4) == 0 ? "WARN" : "INFO").append("\"}\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private Path gzip(String name, byte[] data) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(data);
    }
    return file;
  }

  /** Reads to the end with a mix of single bytes and arrays of changing sizes. */
  private static byte[] readInOddSizes(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[70_001];
    int[] sizes = {1, 7, 4096, 70_001, 65_536, 13};
    for (int i = 0; ; i++) {
      int size = sizes[i % sizes.length];
      if (size == 1) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        out.write(b);
      } else {
        int n = in.read(buf, 0, size);
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
