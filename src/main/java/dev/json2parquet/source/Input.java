package dev.json2parquet.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One source of JSON lines: a file (gzip-compressed when its name ends in {@code .gz}) or a stream
 * such as stdin.
 *
 * @param name how records from it are labelled: the file name as given, or {@code stdin}
 * @param size the number of bytes it will yield, or -1 when unknown
 * @param gzip whether the opened bytes are gzip-compressed
 * @param file the file read, or null for a stream (which cannot be read again)
 * @param origins where its lines came from when they are lines of other inputs read again (a
 *     dead-letter replay), or null when each line's origin is this input and its line number
 */
public record Input(String name, long size, boolean gzip, Path file, Opener opener, Origins origins) {

  public Input(String name, long size, boolean gzip, Path file, Opener opener) {
    this(name, size, gzip, file, opener, null);
  }

  /** The original input name and line number of a line read again. */
  public record Origin(String source, long line) {}

  /**
   * Maps this input's line numbers to the lines' origins. Asked on the reading thread, only for
   * lines that are dead-lettered, in increasing order of line number, while the line is being
   * handled (before the next read from the input's stream).
   */
  @FunctionalInterface
  public interface Origins {
    /** The origin of line {@code lineNumber} of this input, or null when unknown. */
    Origin of(long lineNumber);
  }

  /** Opens the input's raw bytes. */
  @FunctionalInterface
  public interface Opener {
    InputStream open() throws IOException;
  }

  public static Input file(Path path) {
    String name = path.toString();
    long size;
    try {
      size = Files.size(path);
    } catch (IOException e) {
      size = -1;
    }
    return new Input(name, size, name.endsWith(".gz"), path, () -> Files.newInputStream(path));
  }

  public static Input stream(String name, InputStream in) {
    return new Input(name, -1, false, null, () -> in);
  }

  /**
   * Opens the decoded byte stream; gzip is inflated on a thread of its own (see {@link ReadAheadGunzip}),
   * so closing the stream matters. {@code counter} sees the raw (compressed) bytes as they are read,
   * for progress reporting, possibly from that thread.
   */
  public InputStream openDecoded(ByteCounter counter) throws IOException {
    InputStream raw = new CountingInputStream(opener.open(), counter);
    return gzip() ? new ReadAheadGunzip(new BufferedInputStream(raw, 1 << 16), name) : raw;
  }

  /** Receives counts of bytes read; called from one thread at a time, not always the same one. */
  @FunctionalInterface
  public interface ByteCounter {
    void add(long bytes);
  }
}
