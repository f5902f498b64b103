package dev.json2parquet.pipeline;

import dev.json2parquet.config.ConfigException;
import dev.json2parquet.source.LineReader.Position;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runs of one output directory, {@code OUT/_runs}: each run's journal ({@link RunJournal}) and
 * its lock, {@code <run id>.lock}, which holds the owner's pid and is locked ({@link FileChannel#tryLock})
 * for as long as the run lives; the OS frees the lock when the process dies, however it dies. A run
 * whose journal has no end and whose lock is free crashed. {@link #plan} decides, from the journals,
 * where each input of a new run starts, in the manner of an exactly-once file sink (Flink's
 * two-phase commit, Kafka Connect's S3 sink offsets): finished inputs are refused, inputs of an
 * interrupted run continue where every record is committed, and a crashed run is rolled back and
 * its inputs converted again from where it started them.
 */
final class Runs {
  /** Run ids whose lock this JVM holds: a second channel on a locked file must not be closed (that frees the lock). */
  private static final Set<String> LOCKED_HERE = ConcurrentHashMap.newKeySet();

  private final Path out;
  private final Path dir;

  Runs(Path out) {
    this.out = out.toAbsolutePath().normalize();
    this.dir = this.out.resolve("_runs");
  }

  Path journalFile(String runId) {
    return dir.resolve(runId + ".json");
  }

  Path lockFile(String runId) {
    return dir.resolve(runId + ".lock");
  }

  /** This run's lock; closing it frees and removes the lock file. */
  final class Lock implements AutoCloseable {
    private final String runId;
    private final FileChannel channel;
    private final FileLock lock;

    private Lock(String runId, FileChannel channel, FileLock lock) {
      this.runId = runId;
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() throws IOException {
      try {
        Files.deleteIfExists(lockFile(runId));
        lock.release();
        channel.close();
      } finally {
        LOCKED_HERE.remove(runId);
      }
    }
  }

  /** Creates {@code OUT/_runs} and takes the lock of run {@code runId}, writing this process's pid in it. */
  Lock lock(String runId) throws IOException {
    Files.createDirectories(dir);
    FileChannel ch = FileChannel.open(lockFile(runId), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l = ch.tryLock();
    if (l == null) {
      ch.close();
      throw new IOException("Cannot lock " + lockFile(runId) + ": another process holds it");
    }
    LOCKED_HERE.add(runId);
    ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
    ch.force(true);
    return new Lock(runId, ch, l);
  }

  /** Whether run {@code runId} is alive: its lock file exists and some process holds its lock. */
  boolean alive(String runId) {
    if (LOCKED_HERE.contains(runId)) {
      return true;
    }
    try (FileChannel ch = FileChannel.open(lockFile(runId), StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return true; // cannot tell: treat as alive, touch nothing of it
    }
  }

  /** What an earlier run's journal says. */
  record Past(String runId, Path journal, String time, long pid, String state, String supersededBy, boolean alive,
      List<RunJournal.Identity> inputs, List<Position> from, List<Position> next, List<Boolean> done,
      List<String> files, long records, String dlqFile, String recoveryDir) {

    boolean readStdin() {
      return inputs.contains(null);
    }

    /** The index of the input of this run with the same content as {@code id}, or -1. */
    int indexOf(RunJournal.Identity id) {
      for (int i = 0; i < inputs.size(); i++) {
        if (id != null && id.sameContent(inputs.get(i))) {
          return i;
        }
      }
      return -1;
    }
  }

  /**
   * The runs that stopped without finishing (killed, crashed, a second signal) and have not been
   * rolled back yet, except those that read stdin (which are kept, not rolled back): the next run
   * over their inputs removes what they wrote and discards what they hold in the recovery store.
   */
  java.util.Set<String> toRollBack() throws IOException {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (Past p : past(null)) {
      if (p.state().equals("running") && !p.alive() && p.supersededBy() == null && !p.readStdin()
          && !p.inputs().isEmpty()) {
        ids.add(p.runId());
      }
    }
    return ids;
  }

  /**
   * The {@code serve} runs (no inputs) that stopped without finishing (killed, a second signal) and
   * have not been superseded: what they committed holds acknowledged records and stays; the next run
   * into the same output removes their {@code .inprogress} files and their lock file.
   */
  List<Past> deadServeRuns(String ownId) throws IOException {
    List<Past> dead = new ArrayList<>();
    for (Past p : past(ownId)) {
      if (p.state().equals("running") && !p.alive() && p.supersededBy() == null && p.inputs().isEmpty()) {
        dead.add(p);
      }
    }
    return dead;
  }

  /** The journals of every other run, oldest first (run ids sort by start time). */
  List<Past> past(String ownId) throws IOException {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
        s.forEach(files::add);
      }
    }
    files.sort(null);
    List<Past> all = new ArrayList<>();
    for (Path f : files) {
      String id = f.getFileName().toString().replaceFirst("\\.json$", "");
      if (!id.equals(ownId)) {
        Past p = parse(id, f);
        if (p != null) {
          all.add(p);
        }
      }
    }
    return all;
  }

  private Past parse(String id, Path file) throws IOException {
    Map<String, Object> start = null;
    Map<String, Object> end = null;
    String supersededBy = null;
    List<String> written = new ArrayList<>();
    long inFiles = 0;
    for (Map<String, Object> e : RunJournal.read(file)) {
      switch (String.valueOf(e.get("event"))) {
        case "start" -> start = e;
        case "file" -> {
          written.add((String) e.get("path"));
          inFiles += num(e.get("records"));
        }
        case "end" -> end = e;
        case "superseded" -> supersededBy = (String) e.get("by");
        default -> { }
      }
    }
    if (start == null) {
      return null; // the run died before its first line reached the disk: it wrote nothing
    }
    List<RunJournal.Identity> inputs = new ArrayList<>();
    List<Position> from = new ArrayList<>();
    for (Object o : (List<?>) start.get("inputs")) {
      Map<?, ?> m = (Map<?, ?>) o;
      inputs.add(RunJournal.Identity.fromMap(m));
      from.add(new Position(num(m.get("from_offset")), Math.max(1, num(m.get("from_line")))));
    }
    List<Position> next = new ArrayList<>(from);
    List<Boolean> done = new ArrayList<>();
    inputs.forEach(i -> done.add(false));
    String state = "running";
    long records = inFiles; // a crashed run: the records of the files it listed (at most: committed or about to be)
    if (end != null) {
      state = String.valueOf(end.get("state"));
      records = num(end.get("records_total"));
      List<?> ends = (List<?>) end.get("inputs");
      for (int i = 0; i < ends.size() && i < inputs.size(); i++) {
        Map<?, ?> m = (Map<?, ?>) ends.get(i);
        next.set(i, new Position(num(m.get("next_offset")), num(m.get("next_line"))));
        done.set(i, Boolean.TRUE.equals(m.get("done")));
      }
    }
    return new Past(id, file, String.valueOf(start.get("time")), num(start.get("pid")), state, supersededBy,
        alive(id), inputs, from, next, done, written, records, (String) start.get("dlq"),
        (String) start.get("recovery"));
  }

  private static long num(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }

  /**
   * Where a new run starts each input, and what it does first to earlier runs: crashed runs to roll
   * back, interrupted runs it continues, crashed stdin runs whose files are kept (stdin cannot be
   * read again), and crashed runs that share no input with it (left for a run over their inputs).
   */
  record Plan(List<Position> start, List<Past> rollBack, List<Past> resume, List<Past> keep, List<Past> pending) {
    /** An input every record of which an interrupted run already committed. */
    static final Position DONE = new Position(-1, -1);
  }

  /**
   * Decides where each input starts. {@code inputs} holds null for stdin.
   *
   * @throws ConfigException when an input is being converted by a live run, was converted by a
   *     finished run (unless {@code force}), or a crashed run's inputs are not all in this command
   */
  /**
   * The input of {@code p} that {@code id} is a grown version of (same path, smaller then, and the
   * same first block when that block was whole then), or null: a log file appended to since.
   */
  static RunJournal.Identity grownFrom(Past p, RunJournal.Identity id) {
    if (id == null || p.indexOf(id) >= 0) {
      return null;
    }
    for (RunJournal.Identity before : p.inputs()) {
      if (before != null && before.path().equals(id.path()) && before.size() < id.size()
          && (before.size() < RunJournal.BLOCK || before.head().equals(id.head()))) {
        return before;
      }
    }
    return null;
  }

  Plan plan(List<RunJournal.Identity> inputs, List<Past> past, boolean force) {
    List<Position> start = new ArrayList<>();
    inputs.forEach(i -> start.add(Position.START));
    List<Past> rollBack = new ArrayList<>();
    List<Past> resume = new ArrayList<>();
    List<Past> keep = new ArrayList<>();
    List<Past> pending = new ArrayList<>();
    for (Past p : past) {
      if (p.supersededBy() != null) {
        continue;
      }
      for (RunJournal.Identity id : inputs) {
        int k = p.indexOf(id);
        if (k < 0) {
          continue;
        }
        if (p.alive()) {
          throw new ConfigException("Cannot convert " + id.path() + ": run " + p.runId() + " (pid " + p.pid()
              + ") is converting it into " + out + " now");
        }
        if (p.state().equals("finished") && !force) {
          throw new ConfigException("Cannot convert " + id.path() + ": run " + p.runId() + " converted it into "
              + out + " at " + p.time() + " (" + p.records() + " records); pass --force to convert it again");
        }
      }
      for (RunJournal.Identity id : inputs) {
        RunJournal.Identity before = grownFrom(p, id);
        if (before != null && !p.alive() && !force) {
          throw new ConfigException("Cannot convert " + id.path() + ": run " + p.runId() + " (" + p.state() + ", "
              + p.time() + ") read it into " + out + " when it had " + before.size() + " bytes, and it has grown"
              + " since (now " + id.size() + " bytes): converting it again would write those records twice;"
              + " convert only what was appended (tail -c +" + (before.size() + 1) + " " + id.path()
              + " | json2parquet convert ...), or pass --force to convert all of it");
        }
      }
    }
    for (Past p : past) {
      if (p.supersededBy() != null || p.alive()) {
        continue;
      }
      switch (p.state()) {
        case "interrupted" -> {
          boolean matched = false;
          for (int i = 0; i < inputs.size(); i++) {
            int k = p.indexOf(inputs.get(i));
            if (k >= 0) {
              matched = true;
              if (!force) {
                start.set(i, p.done().get(k) ? Plan.DONE : p.next().get(k));
              }
            }
          }
          // a signal stops a run inside one input at most (the ones before are done, the ones after
          // untouched); it is superseded only once that input is continued, or its progress would be lost
          boolean partialCovered = true;
          for (int k = 0; k < p.inputs().size(); k++) {
            if (!p.done().get(k) && !p.next().get(k).equals(p.from().get(k)) && p.inputs().get(k) != null) {
              RunJournal.Identity partial = p.inputs().get(k);
              partialCovered = inputs.stream().anyMatch(i -> i != null && i.sameContent(partial));
            }
          }
          if (matched && partialCovered) {
            resume.add(p);
          }
        }
        case "running" -> {
          if (p.inputs().isEmpty()) {
            continue; // a serve run: its files hold acknowledged records, which no input can give again
          }
          if (p.readStdin()) {
            keep.add(p);
            continue;
          }
          List<String> missing = new ArrayList<>();
          int[] at = new int[p.inputs().size()];
          for (int k = 0; k < p.inputs().size(); k++) {
            at[k] = -1;
            for (int i = 0; i < inputs.size(); i++) {
              if (inputs.get(i) != null && inputs.get(i).sameContent(p.inputs().get(k))) {
                at[k] = i;
              }
            }
            if (at[k] < 0) {
              missing.add(p.inputs().get(k).path());
            }
          }
          if (missing.size() == p.inputs().size()) {
            pending.add(p); // nothing in common with this command: left for a run over its inputs
            continue;
          }
          if (!missing.isEmpty()) {
            throw new ConfigException("Cannot roll back run " + p.runId() + ", which stopped without finishing"
                + " (killed or crashed) after committing " + p.files().size() + " files: its inputs are converted"
                + " again from the start, so this command must include " + String.join(", ", missing));
          }
          for (int k = 0; k < at.length; k++) {
            start.set(at[k], force ? Position.START : p.from().get(k));
          }
          rollBack.add(p);
        }
        default -> { }
      }
    }
    return new Plan(start, rollBack, resume, keep, pending);
  }

  /** Marks {@code p}'s journal as superseded by run {@code by} and removes its lock file. */
  void supersede(Past p, String by, String action, String time) throws IOException {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("event", "superseded");
    e.put("by", by);
    e.put("action", action);
    e.put("time", time);
    RunJournal.appendTo(p.journal(), e);
    Files.deleteIfExists(lockFile(p.runId()));
  }

  /**
   * Removes the files a crashed run committed (paths relative to the sink's root, local or S3) and
   * its DLQ file.
   *
   * @return the number of files removed
   */
  long removeCommitted(Past p, dev.json2parquet.sink.Sink sink) throws IOException {
    long n = 0;
    for (String f : p.files()) {
      if (sink.delete(f)) {
        n++;
      }
    }
    if (p.dlqFile() != null) {
      Files.deleteIfExists(Path.of(p.dlqFile()));
    }
    return n;
  }
}
