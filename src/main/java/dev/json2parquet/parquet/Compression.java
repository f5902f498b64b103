package dev.json2parquet.parquet;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
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

  /** A new compressor; each is used by one thread at a time. */
  public BytesInputCompressor newCompressor() {
    return switch (this) {
      case NONE -> new Uncompressed();
      case SNAPPY -> new SnappyPages();
      case GZIP -> new GzipPages();
      case ZSTD -> new ZstdPages();
    };
  }

  private abstract static class Reusing implements BytesInputCompressor {
    byte[] out = new byte[64 * 1024];

    byte[] room(int n) {
      if (out.length < n) {
        out = new byte[Math.max(n, out.length * 2)];
      }
      return out;
    }

    @Override
    public void release() {
      out = new byte[0];
    }
  }

  private static final class Uncompressed implements BytesInputCompressor {
    @Override
    public BytesInput compress(BytesInput bytes) {
      return bytes;
    }

    @Override
    public CompressionCodecName getCodecName() {
      return CompressionCodecName.UNCOMPRESSED;
    }

    @Override
    public void release() {}
  }

  private static final class SnappyPages extends Reusing {
    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      byte[] in = bytes.toByteArray();
      byte[] o = room(Snappy.maxCompressedLength(in.length));
      int n = Snappy.compress(in, 0, in.length, o, 0);
      return BytesInput.from(o, 0, n);
    }

    @Override
    public CompressionCodecName getCodecName() {
      return CompressionCodecName.SNAPPY;
    }
  }

  private static final class ZstdPages extends Reusing {
    private static final int LEVEL = 3;

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      byte[] in = bytes.toByteArray();
      byte[] o = room((int) Zstd.compressBound(in.length));
      long n = Zstd.compressByteArray(o, 0, o.length, in, 0, in.length, LEVEL);
      if (Zstd.isError(n)) {
        throw new IOException("Cannot compress page with zstd: " + Zstd.getErrorName(n));
      }
      return BytesInput.from(o, 0, (int) n);
    }

    @Override
    public CompressionCodecName getCodecName() {
      return CompressionCodecName.ZSTD;
    }
  }

  private static final class GzipPages extends Reusing {
    private final Exposed buffer = new Exposed();

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      buffer.reset();
      try (GZIPOutputStream gz = new GZIPOutputStream(buffer, 64 * 1024) {
        {
          def.setLevel(Deflater.DEFAULT_COMPRESSION);
        }
      }) {
        bytes.writeAllTo(gz);
      }
      return BytesInput.from(buffer.array(), 0, buffer.size());
    }

    @Override
    public CompressionCodecName getCodecName() {
      return CompressionCodecName.GZIP;
    }
  }

  private static final class Exposed extends ByteArrayOutputStream {
    byte[] array() {
      return buf;
    }
  }
}
