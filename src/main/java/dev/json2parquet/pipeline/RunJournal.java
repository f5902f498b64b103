package dev.json2parquet.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run's journal, {@code OUT/_runs/<run id>.json}: a sequence of JSON objects, one per line
 * (jq reads it as it is), appended and forced to disk as the run goes:
 * <ul>
 *   <li>{@code start}: the run, its pid, DLQ file, and each input (absolute path, size, modification
 *       time, SHA-256 of its first and last {@link #BLOCK} bytes, and the position it is read from);</li>
 *   <li>{@code file}: one per Parquet file, written <em>before</em> the file is renamed into place
 *       (write-ahead), so a crash can never leave a committed file that the journal does not list;</li>
 *   <li>{@code end}: state {@code finished} or {@code interrupted}, the counts, and per input the
 *       position up to which every record is committed;</li>
 *   <li>{@code superseded}: appended by a later run that resumed or rolled this one back.</li>
 * </ul>
 * A run without an {@code end} line is {@code running}: alive while it holds its lock, crashed
 * otherwise. A torn last line (a crash in the middle of an append) is ignored.
 *
 * <p>File records use group commit: each {@link #file} appends its line, then forces the journal
 * unless another thread's force already covered it, so committers waiting on the disk share one
 * fsync. Thread-safe.
 */
final class RunJournal implements AutoCloseable {
  /** How much of each end of an input is hashed to recognise it. */
  static final int BLOCK = 64 * 1024;
  private static final JsonFactory JSON = new JsonFactory();

  private final FileChannel channel;
  private final Object forceLock = new Object();
  /** Lines appended; guarded by {@code this}. */
  private long appended;
  /** Whether the journal ends in a fragment of a failed append that could not be cut off; guarded by {@code this}. */
  private boolean torn;
  /** Lines known to be on disk; guarded by {@code forceLock}. */
  private long forced;

  /** Over an open channel that appends (tests inject failing writes through it). */
  RunJournal(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Opens {@code file} for appending (created when absent). A journal that ends without a line break
   * ends in a torn append (its process died in the middle of one, or a full disk cut it short): the
   * first line appended here starts with a line break, so that it is not read as part of that tear.
   */
  static RunJournal append(Path file) throws IOException {
    boolean torn = endsTorn(file);
    RunJournal journal = new RunJournal(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND));
    journal.torn = torn;
    return journal;
  }

  /** Whether {@code file} exists and its last byte is not a line break. */
  private static boolean endsTorn(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer last = ByteBuffer.allocate(1);
      return size > 0 && ch.read(last, size - 1) == 1 && last.get(0) != '\n';
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
  }

  /** Appends one event and forces it to disk before returning. */
  void event(Map<String, ?> event) throws IOException {
    long seq = write(json(event));
    force(seq);
  }

  /** Records a file about to be committed; returns once the record is on disk (write-ahead). */
  void file(String path, long records) throws IOException {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("event", "file");
    e.put("path", path);
    e.put("records", records);
    event(e);
  }

  /*
   * A failed append must not leave a fragment that the next append completes. On a full disk a write
   * can be short (the bytes up to the last page that could be allocated reach the file) before it
   * fails; when space comes back (a failed file's temporary file removed), the next line would be
   * appended to that fragment, and the one physical line that results parses as nothing (or as the
   * fragment alone): a `file` line lost so, for a file that was then committed, is a file the rollback
   * of this run does not remove, and its records are written twice by the run that redoes it. So a
   * failed append is cut off again (truncating needs no space); when even that fails, the next append
   * starts with a line break, so the fragment stays a torn line of its own, which read() skips.
   */
  private synchronized long write(byte[] line) throws IOException {
    long start = channel.size(); // the channel appends: this line begins at the current end
    ByteBuffer b = torn ? ByteBuffer.allocate(line.length + 1).put((byte) '\n').put(line).flip() : ByteBuffer.wrap(line);
    try {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    } catch (IOException e) {
      try {
        channel.truncate(start);
      } catch (IOException | RuntimeException t) {
        torn = true;
        e.addSuppressed(t);
      }
      throw e;
    }
    torn = false;
    return ++appended;
  }

  private void force(long seq) throws IOException {
    synchronized (forceLock) {
      if (forced >= seq) {
        return;
      }
      long upTo;
      synchronized (this) {
        upTo = appended;
      }
      channel.force(false);
      forced = upTo;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Appends one event to another run's journal, forced to disk. */
  static void appendTo(Path file, Map<String, ?> event) throws IOException {
    try (RunJournal j = append(file)) {
      j.event(event);
    }
  }

  // ---- JSON: written with jackson-core's generator, read into maps, lists, strings, longs and booleans

  static byte[] json(Map<String, ?> event) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, event);
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(e.getKey().toString());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> l) {
      g.writeStartArray();
      for (Object o : l) {
        write(g, o);
      }
      g.writeEndArray();
    } else if (v instanceof Number n) {
      g.writeNumber(n.longValue());
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else {
      g.writeString(v.toString());
    }
  }

  /** The events of a journal, in order; a line that does not parse (a torn last append) is skipped. */
  static List<Map<String, Object>> read(Path file) throws IOException {
    List<Map<String, Object>> events = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      try (JsonParser p = JSON.createParser(line)) {
        if (p.nextToken() == JsonToken.START_OBJECT && value(p) instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, Object> event = (Map<String, Object>) m;
          events.add(event);
        }
      } catch (IOException e) {
        // a torn line: the append it belonged to never completed
      }
    }
    return events;
  }

  private static Object value(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          m.put(name, value(p));
        }
        return m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(value(p));
        }
        return l;
      }
      case VALUE_NUMBER_INT -> {
        return p.getLongValue();
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return p.getBooleanValue();
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> {
        return p.getText();
      }
    }
  }

  // ---- inputs

  /**
   * What identifies an input file's content: size and the SHA-256 of its first and last
   * {@link #BLOCK} bytes (hex). Two files are taken to be the same input when all three agree,
   * wherever they are; the path and modification time are kept for messages.
   */
  record Identity(String path, long size, long modified, String head, String tail) {
    static Identity of(Path file) {
      try {
        Path abs = file.toAbsolutePath().normalize();
        long size = Files.size(abs);
        long modified = Files.getLastModifiedTime(abs).toMillis();
        try (FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ)) {
          String head = hash(ch, 0, (int) Math.min(BLOCK, size));
          String tail = hash(ch, Math.max(0, size - BLOCK), (int) Math.min(BLOCK, size));
          return new Identity(abs.toString(), size, modified, head, tail);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    static String hash(FileChannel ch, long from, int len) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(len);
      while (b.hasRemaining() && ch.read(b, from + b.position()) >= 0) {
        // read until the block is full
      }
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(b.array(), 0, b.position());
        return HexFormat.of().formatHex(sha.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("Cannot hash: no SHA-256", e);
      }
    }

    boolean sameContent(Identity o) {
      return o != null && size == o.size && head.equals(o.head) && tail.equals(o.tail);
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", path);
      m.put("size", size);
      m.put("modified", java.time.Instant.ofEpochMilli(modified).toString());
      m.put("head_sha256", head);
      m.put("tail_sha256", tail);
      return m;
    }

    static Identity fromMap(Map<?, ?> m) {
      if (m.get("path") == null) {
        return null;
      }
      long modified = 0;
      try {
        modified = java.time.Instant.parse(String.valueOf(m.get("modified"))).toEpochMilli();
      } catch (RuntimeException e) {
        // kept for messages only
      }
      return new Identity((String) m.get("path"), ((Number) m.get("size")).longValue(), modified,
          (String) m.get("head_sha256"), (String) m.get("tail_sha256"));
    }
  }

  /** Skips {@code n} bytes of {@code in}; fails when the input is shorter (it changed). */
  static void skip(InputStream in, long n, String name) throws IOException {
    try {
      in.skipNBytes(n);
    } catch (java.io.EOFException e) {
      throw new IOException("Cannot continue " + name + " at byte " + n + ": it is shorter now");
    }
  }
}
