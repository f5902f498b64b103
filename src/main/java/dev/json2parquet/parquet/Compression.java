package dev.json2parquet.parquet;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * The page codecs, called directly (snappy-java, zstd-jni, the JDK's deflater) rather than through
 * Hadoop's codec machinery: no Hadoop configuration, no codec pool, reused output buffers.
 */
public enum Compression {
  SNAPPY(CompressionCodecName.SNAPPY),
  GZIP(CompressionCodecName.GZIP),
  ZSTD(CompressionCodecName.ZSTD),
  NONE(CompressionCodecName.UNCOMPRESSED);

  private final CompressionCodecName codec;

  Compression(CompressionCodecName codec) {
    this.codec = codec;
  }

  public CompressionCodecName codecName() {
    return codec;
  }

  /** Parses a user's spelling: snappy, gzip, zstd, none (or uncompressed). */
  public static Compression parse(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    if (v.equals("uncompressed")) {
      return NONE;
    }
    for (Compression c : values()) {
      if (c.name().toLowerCase(Locale.ROOT).equals(v)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown compression '" + s + "'");
  }

  /** A new page compressor; each is used by one thread at a time. */
  PageCodec newCodec() {
    return switch (this) {
      case NONE -> new Uncompressed();
      case SNAPPY -> new SnappyPages();
      case GZIP -> new GzipPages();
      case ZSTD -> new ZstdPages();
    };
  }

  /**
   * Compresses a page held in a byte array into {@link #output()}, valid until the next call (the
   * file writer copies it out at once).
   */
  abstract static class PageCodec {
    byte[] out = new byte[0];

    /** Compresses {@code in[0, len)}; returns the compressed length. */
    abstract int compress(byte[] in, int len) throws IOException;

    /** The last result; for no compression, the input itself. */
    byte[] output() {
      return out;
    }

    byte[] room(int n) {
      if (out.length < n) {
        out = new byte[Math.max(n, out.length * 2)];
      }
      return out;
    }
  }

  private static final class Uncompressed extends PageCodec {
    @Override
    int compress(byte[] in, int len) {
      out = in;
      return len;
    }
  }

  private static final class SnappyPages extends PageCodec {
    @Override
    int compress(byte[] in, int len) throws IOException {
      byte[] o = room(Snappy.maxCompressedLength(len));
      return Snappy.compress(in, 0, len, o, 0);
    }
  }

  private static final class ZstdPages extends PageCodec {
    private static final int LEVEL = 3;

    @Override
    int compress(byte[] in, int len) throws IOException {
      byte[] o = room((int) Zstd.compressBound(len));
      long n = Zstd.compressByteArray(o, 0, o.length, in, 0, len, LEVEL);
      if (Zstd.isError(n)) {
        throw new IOException("Cannot compress page with zstd: " + Zstd.getErrorName(n));
      }
      return (int) n;
    }
  }

  private static final class GzipPages extends PageCodec {
    private final Exposed buffer = new Exposed();

    @Override
    int compress(byte[] in, int len) throws IOException {
      buffer.reset();
      try (GZIPOutputStream gz = new GZIPOutputStream(buffer, 64 * 1024)) {
        gz.write(in, 0, len);
      }
      out = buffer.array();
      return buffer.size();
    }
  }

  private static final class Exposed extends ByteArrayOutputStream {
    byte[] array() {
      return buf;
    }
  }
}
