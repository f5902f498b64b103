package dev.json2parquet.dlq;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The dead letters of a directory: every {@code dlq-*.jsonl} file {@link FileDeadLetterQueue}
 * wrote there, read in file-name order (the run ids in the names sort by start time).
 *
 * <p>Crash safety of a replay: before converting, {@code .replay-<run id>.json} records the replay
 * (its filter and the files it reads) in state {@code converting}. After the conversion has
 * committed its files and its own dead letters are synced, the marker is atomically rewritten to
 * state {@code converted}; then each read file is rewritten without the replayed envelopes (temp
 * file and rename), and the marker is deleted. A crash before {@code converted} is undone (the
 * run's output and its dead letters removed, the envelopes left); a crash after it is finished
 * (the removal re-applied: it is idempotent, since removing what matches the filter from a file
 * that already lacks it changes nothing). So no line is ever both in Parquet and in the DLQ twice.
 */
final class FileDeadLetterStore implements DeadLetterStore {
  private static final String MARKER_PREFIX = ".replay-";

  private final Path dir;

  FileDeadLetterStore(Path dir) {
    this.dir = dir;
  }

  @Override
  public String location() {
    return dir.toString();
  }

  /** The DLQ files, in name order; none when the directory does not exist. */
  List<Path> files() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith("dlq-") && n.endsWith(".jsonl") && Files.isRegularFile(p);
      }).sorted().toList();
    }
  }

  @Override
  public Lock lock() throws IOException {
    if (!Files.isDirectory(dir)) {
      return () -> { };
    }
    Path file = dir.resolve(".lock");
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (FileSystemException e) {
      if (e instanceof AccessDeniedException || "Read-only file system".equals(e.getReason())) {
        return () -> { }; // a directory this user cannot change is only read
      }
      throw e;
    }
    FileLock held;
    try {
      held = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      held = null;
    }
    if (held == null) {
      ch.close();
      throw new IOException("Cannot lock " + file + ": another dlq command is using " + dir);
    }
    FileLock l = held;
    return () -> {
      l.release();
      ch.close();
    };
  }

  /** Receives the lines of a file, as bytes without the line break; {@code line} is valid during the call. */
  private interface LineHandler {
    void line(byte[] line, int len) throws IOException;
  }

  private static void readLines(Path file, LineHandler handler) throws IOException {
    try (FileLines lines = new FileLines(file)) {
      int len;
      while ((len = lines.next()) >= 0) {
        handler.line(lines.line, len);
      }
    }
  }

  /** The envelope in {@code line}, or null when it cannot be read as one. */
  static DeadLetter parse(byte[] line, int len) {
    try {
      return DeadLetter.parse(Arrays.copyOf(line, len));
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public long scan(DeadLetterFilter filter, Visitor visitor) throws IOException {
    long[] unreadable = {0};
    for (Path f : files()) {
      readLines(f, (line, len) -> {
        if (isBlank(line, len)) {
          return;
        }
        DeadLetter d = parse(line, len);
        if (d == null) {
          unreadable[0]++;
        } else if (filter.test(d)) {
          visitor.accept(d);
        }
      });
    }
    return unreadable[0];
  }

  static boolean isBlank(byte[] line, int len) {
    for (int i = 0; i < len; i++) {
      if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  @Override
  public long purge(DeadLetterFilter filter) throws IOException {
    long removed = 0;
    for (Path f : files()) {
      removed += rewrite(f, filter);
    }
    return removed;
  }

  /**
   * Rewrites {@code file} without the envelopes {@code remove} matches: to a temporary file,
   * synced, then renamed over it (deleted instead when nothing is left). Unreadable lines are kept.
   *
   * @return the number removed
   */
  static long rewrite(Path file, Predicate<DeadLetter> remove) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    long[] counts = {0, 0}; // removed, kept
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      readLines(file, (line, len) -> {
        DeadLetter d = isBlank(line, len) ? null : parse(line, len);
        if (d != null && remove.test(d)) {
          counts[0]++;
        } else if (!isBlank(line, len)) {
          out.write(line, 0, len);
          out.write('\n');
          counts[1]++;
        }
      });
    } catch (NoSuchFileException e) {
      Files.deleteIfExists(tmp);
      return 0;
    }
    if (counts[0] == 0) {
      Files.delete(tmp);
    } else if (counts[1] == 0) {
      Files.delete(tmp);
      Files.delete(file);
      syncDir(file.getParent());
    } else {
      sync(tmp);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDir(file.getParent());
    }
    return counts[0];
  }

  static void sync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Makes a rename or delete in {@code dir} durable, where the platform allows opening a directory. */
  static void syncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // not supported on this platform (Windows): the rename is still atomic
    }
  }

  // ---- replay

  private Path marker(String runId) {
    return dir.resolve(MARKER_PREFIX + runId + ".json");
  }

  private void writeMarker(String runId, String state, DeadLetterFilter filter, List<Path> files) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(MARKER_PREFIX + runId + ".json.tmp");
    try (JsonGenerator g = FlatJson.FACTORY.createGenerator(Files.newOutputStream(tmp))) {
      g.writeStartObject();
      LinesReplay.writeMarkerFields(g, runId, state, filter);
      g.writeArrayFieldStart("files");
      for (Path f : files) {
        g.writeString(f.getFileName().toString());
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    sync(tmp);
    Files.move(tmp, marker(runId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDir(dir);
  }

  /** Removes the replayed envelopes: the replayable ones {@code filter} matches, from {@code files}. */
  private static void removeReplayed(DeadLetterFilter filter, List<Path> files) throws IOException {
    for (Path f : files) {
      rewrite(f, d -> filter.test(d) && d.replayable());
    }
  }

  @Override
  public Replay replay(DeadLetterFilter filter, String runId) throws IOException {
    List<Path> files = files();
    writeMarker(runId, "converting", filter, files);
    return new FileReplay(filter, runId, files);
  }

  @Override
  public List<String> recoverInterrupted(RunUndo undo) throws IOException {
    List<String> done = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return done;
    }
    List<Path> markers;
    try (Stream<Path> s = Files.list(dir)) {
      markers = s.filter(p -> p.getFileName().toString().startsWith(MARKER_PREFIX)
          && p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    for (Path m : markers) {
      Map<String, Object> n = FlatJson.read(Files.readAllBytes(m));
      String runId = (String) n.get("run_id");
      DeadLetterFilter filter = new DeadLetterFilter((String) n.get("source"), (String) n.get("error"),
          n.get("since") instanceof String since ? Instant.parse(since) : null);
      List<Path> files = new ArrayList<>();
      if (n.get("files") instanceof List<?> names) {
        names.forEach(f -> files.add(dir.resolve(f.toString())));
      }
      if ("converted".equals(n.get("state"))) {
        removeReplayed(filter, files);
        done.add("finished the interrupted replay " + runId + ": its output was committed; removed the replayed dead letters");
      } else {
        undo.undo(runId);
        Files.deleteIfExists(dir.resolve("dlq-" + runId + ".jsonl"));
        done.add("undid the interrupted replay " + runId + ": removed what it had written; its dead letters are as before");
      }
      Files.delete(m);
      syncDir(dir);
    }
    return done;
  }

  /** The readable envelopes of {@code files} in order; a file removed since the replay started has none. */
  private static final class FileLetters implements ReplayLines.Letters {
    private final List<Path> files;
    private int nextFile;
    private FileLines lines;

    FileLetters(List<Path> files) {
      this.files = files;
    }

    @Override
    public DeadLetter next() throws IOException {
      while (true) {
        if (lines == null) {
          if (nextFile == files.size()) {
            return null;
          }
          try {
            lines = new FileLines(files.get(nextFile++));
          } catch (NoSuchFileException e) {
            continue;
          }
        }
        int len = lines.next();
        if (len < 0) {
          lines.close();
          lines = null;
          continue;
        }
        DeadLetter d = isBlank(lines.line, len) ? null : parse(lines.line, len);
        if (d != null) {
          return d;
        }
      }
    }

    @Override
    public void close() throws IOException {
      if (lines != null) {
        lines.close();
        lines = null;
      }
    }
  }

  private final class FileReplay extends LinesReplay {
    private final List<Path> files;

    FileReplay(DeadLetterFilter filter, String runId, List<Path> files) {
      super(filter, runId, new ReplayLines(filter, new FileLetters(files)));
      this.files = files;
    }

    @Override
    public void commit() throws IOException {
      Path own = dir.resolve("dlq-" + runId + ".jsonl");
      if (Files.exists(own)) {
        sync(own);
      }
      writeMarker(runId, "converted", filter, files);
      removeReplayed(filter, files);
      Files.delete(marker(runId));
      syncDir(dir);
    }

    @Override
    public void abort() throws IOException {
      Files.deleteIfExists(dir.resolve("dlq-" + runId + ".jsonl"));
      Files.deleteIfExists(marker(runId));
      syncDir(dir);
    }
  }
}
