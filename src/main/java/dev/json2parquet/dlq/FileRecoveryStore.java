package dev.json2parquet.dlq;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.json2parquet.record.PathLimits;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The recovery store in a local directory. Each entry is two files named by its id
 * ({@code <run id>-<16 hex digits of the SHA-256 of its path>}): {@code ID.parquet.held}, the
 * Parquet bytes (not {@code .parquet}, so that {@code OUT/**}{@code /*.parquet} globs do not read
 * records that are not committed), and {@code ID.json}, the manifest: one JSON line with
 * {@code path, partition, key, records, attempts, auto_attempts, last_error, time, run_id}, and {@code resume}
 * when the file's first bytes are kept in the sink (an S3 multipart upload; then the held bytes are the rest). An entry
 * exists once its manifest does; both are written to hidden temporary names, fsynced and renamed,
 * and the directory is fsynced before {@link #hold} returns.
 */
final class FileRecoveryStore implements RecoveryStore {
  private static final JsonFactory JSON = new JsonFactory();
  static final String DATA = ".parquet.held";
  static final String MANIFEST = ".json";

  private final Path dir;
  private final Clock clock;

  FileRecoveryStore(Path dir, Clock clock) {
    this.dir = dir.toAbsolutePath().normalize();
    this.clock = clock;
  }

  @Override
  public String location() {
    return dir.toString();
  }

  static String id(String runId, String path) {
    return runId.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + PathLimits.hash(path).substring(0, 16);
  }

  @Override
  public Entry hold(Entry manifest, Body body) throws IOException {
    Entry e = new Entry(id(manifest.runId(), manifest.path()), manifest.path(), manifest.partition(), manifest.key(),
        manifest.records(), manifest.attempts(), manifest.autoAttempts(), manifest.lastError(), clock.instant(),
        manifest.runId(), manifest.resume());
    Files.createDirectories(dir);
    writeDurably(dir.resolve(e.id() + DATA), body);
    writeDurably(dir.resolve(e.id() + MANIFEST), out -> writeManifest(e, out));
    syncDirectory();
    return e;
  }

  @Override
  public List<Entry> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") || !name.endsWith(MANIFEST)) {
          continue;
        }
        try {
          entries.add(readManifest(name.substring(0, name.length() - MANIFEST.length()), Files.readAllBytes(p)));
        } catch (NoSuchFileException gone) {
          // recovered or discarded meanwhile by another process
        } catch (IOException | RuntimeException bad) {
          LoggerFactory.getLogger(FileRecoveryStore.class).warn("Cannot read recovery manifest {}: {}", p, bad.toString());
        }
      }
    }
    entries.sort(Comparator.comparing(Entry::time).thenComparing(Entry::id));
    return entries;
  }

  @Override
  public InputStream open(Entry entry) throws IOException {
    return Files.newInputStream(dir.resolve(entry.id() + DATA));
  }

  @Override
  public void update(Entry entry) throws IOException {
    writeDurably(dir.resolve(entry.id() + MANIFEST), out -> writeManifest(entry, out));
    syncDirectory();
  }

  @Override
  public void remove(Entry entry) throws IOException {
    Files.deleteIfExists(dir.resolve(entry.id() + MANIFEST));
    Files.deleteIfExists(dir.resolve(entry.id() + DATA));
    syncDirectory();
  }

  @Override
  public long discardRun(String runId) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long records = 0;
    for (Entry e : list()) {
      if (e.runId().equals(runId)) {
        remove(e);
        records += e.records();
      }
    }
    // data files (and temporary files) of that run whose manifest was never written
    String prefix = id(runId, "");
    String pattern = "\\.?\\Q" + prefix.substring(0, prefix.length() - 16) + "\\E[0-9a-f]{16}\\..*";
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().matches(pattern)) {
          Files.deleteIfExists(p);
        }
      }
    }
    syncDirectory();
    return records;
  }

  /** Writes {@code target} through a hidden temporary name: written, fsynced, then renamed over it. */
  private void writeDurably(Path target, Body body) throws IOException {
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        body.writeTo(out);
        out.flush();
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void syncDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void writeManifest(Entry e, OutputStream out) throws IOException {
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
      g.writeStartObject();
      g.writeStringField("path", e.path());
      writeList(g, "partition", e.partition());
      writeList(g, "key", e.key());
      g.writeNumberField("records", e.records());
      g.writeNumberField("attempts", e.attempts());
      g.writeNumberField("auto_attempts", e.autoAttempts());
      g.writeStringField("last_error", e.lastError());
      g.writeStringField("time", e.time().toString());
      g.writeStringField("run_id", e.runId());
      if (e.resume() != null) {
        g.writeStringField("resume", e.resume());
      }
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  private static void writeList(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  static Entry readManifest(String id, byte[] json) throws IOException {
    String path = null;
    String lastError = null;
    String time = null;
    String runId = null;
    String resume = null;
    List<String> partition = List.of();
    List<String> key = List.of();
    long records = 0;
    int attempts = 0;
    int autoAttempts = 0;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "path" -> path = p.getValueAsString();
          case "partition" -> partition = readList(p, t);
          case "key" -> key = readList(p, t);
          case "records" -> records = p.getValueAsLong();
          case "attempts" -> attempts = p.getValueAsInt();
          case "auto_attempts" -> autoAttempts = p.getValueAsInt();
          case "last_error" -> lastError = p.getValueAsString();
          case "time" -> time = p.getValueAsString();
          case "run_id" -> runId = p.getValueAsString();
          case "resume" -> resume = p.getValueAsString();
          default -> p.skipChildren();
        }
      }
    }
    if (path == null || time == null || runId == null) {
      throw new IOException("path, time or run_id missing");
    }
    return new Entry(id, path, partition, key, records, attempts, autoAttempts, lastError, Instant.parse(time), runId,
        resume);
  }

  private static List<String> readList(JsonParser p, JsonToken start) throws IOException {
    if (start != JsonToken.START_ARRAY) {
      throw new IOException("expected an array at " + p.currentName());
    }
    List<String> values = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      values.add(p.currentToken() == JsonToken.VALUE_NULL ? null : p.getValueAsString());
    }
    return java.util.Collections.unmodifiableList(values);
  }
}
