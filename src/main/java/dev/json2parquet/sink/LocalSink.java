package dev.json2parquet.sink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files under a local directory. Each file is written to a hidden temporary name in its
 * target directory ({@code .NAME.inprogress}, which Parquet readers skip) and renamed into place on
 * commit, after an fsync, so a crash never leaves a partial {@code .parquet} file.
 */
public final class LocalSink implements Sink {
  private final Path root;

  public LocalSink(Path root) {
    this(root, false);
  }

  /**
   * @param privateTemps give each file being written a temporary name of its own
   *     ({@code .j2p-<process>-<random>.inprogress}, {@link #PROCESS}) instead of {@code .NAME.inprogress}: for writers in several
   *     processes that may write the same name at once (the Redis flushers), so that one never
   *     writes into the other's temporary file; the last rename wins, with a whole file either way
   */
  public LocalSink(Path root, boolean privateTemps) {
    this.root = root.toAbsolutePath().normalize();
    this.privateTemps = privateTemps;
  }

  private final boolean privateTemps;

  @Override
  public Pending create(String relativePath) throws IOException {
    Path target = root.resolve(relativePath).normalize();
    if (!target.startsWith(root)) {
      throw new IOException("Cannot create " + relativePath + ": it is outside " + root);
    }
    if (!Files.isDirectory(target.getParent())) {
      // createDirectories throws and catches an exception for a directory that exists
      Files.createDirectories(target.getParent());
    }
    Path temp = target.resolveSibling(privateTemps
        ? ".j2p-" + PROCESS + "-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()
            | Long.MIN_VALUE) + ".inprogress"
        : "." + target.getFileName() + ".inprogress");
    FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    return new LocalPending(target, temp, channel);
  }

  /**
   * This process's part of its private temporary names (16 hex digits, random per JVM), so that the
   * temporary files of a process that died can be told from those of one still writing
   * ({@link #removePrivateTemps}); the Redis flushers keep it alive in Redis while they run.
   */
  public static final String PROCESS = Long.toHexString(new java.security.SecureRandom().nextLong() | Long.MIN_VALUE);

  private static final java.util.regex.Pattern PRIVATE_TEMP =
      java.util.regex.Pattern.compile("^\\.j2p-([0-9a-f]{16})-[0-9a-f]{16}\\.inprogress$");

  /**
   * Removes the private temporary files ({@code .j2p-<process>-<random>.inprogress}) under {@code root}
   * of processes other than this one for which {@code dead} is true (asked once per process), skipping
   * top-level directories whose names start with {@code _}. Files of live processes are never touched.
   *
   * @return the number of files removed
   * @throws IOException when {@code root} cannot be searched
   */
  public static long removePrivateTemps(Path root, java.util.function.Predicate<String> dead) throws IOException {
    java.util.Map<String, Boolean> known = new java.util.HashMap<>();
    known.put(PROCESS, false);
    return removeMatching(root, PRIVATE_TEMP, process -> known.computeIfAbsent(process, dead::test));
  }

  /** {@code .<key>-<run id>-<first record>[-<offset>].parquet.inprogress}: the temporary name of a file being written. */
  private static final java.util.regex.Pattern IN_PROGRESS =
      java.util.regex.Pattern.compile("^\\..*-(\\d{8}T\\d{6}Z-[0-9a-f]{4})-\\d+(?:-\\d+)?\\.parquet\\.inprogress$");

  /**
   * Removes the temporary files ({@code .NAME.inprogress}) that runs for which {@code dead} is true
   * left under {@code root} when they were killed; the run id is read from the file name. Top-level
   * directories whose names start with {@code _} (runs, dead letters, recovery store) are not
   * searched. Files of other runs, live ones above all, are never touched.
   *
   * @return the number of files removed
   * @throws IOException when {@code root} cannot be searched
   */
  public static long removeLeftovers(Path root, java.util.function.Predicate<String> dead) throws IOException {
    return removeMatching(root, IN_PROGRESS, dead);
  }

  /** Removes the files under {@code root} whose names match {@code name} and whose group 1 {@code dead} takes. */
  private static long removeMatching(Path root, java.util.regex.Pattern name, java.util.function.Predicate<String> dead)
      throws IOException {
    Path top = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(top)) {
      return 0;
    }
    long[] removed = new long[1];
    Files.walkFileTree(top, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
        return d.getParent() != null && d.getParent().equals(top) && d.getFileName().toString().startsWith("_")
            ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
          throws IOException {
        java.util.regex.Matcher m = name.matcher(f.getFileName().toString());
        if (m.matches() && dead.test(m.group(1)) && Files.deleteIfExists(f)) {
          removed[0]++;
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) {
        return java.nio.file.FileVisitResult.CONTINUE; // removed by someone else meanwhile
      }
    });
    return removed[0];
  }

  @Override
  public boolean readsBack() {
    return true;
  }

  @Override
  public boolean delete(String relativePath) throws IOException {
    Path target = root.resolve(relativePath).normalize();
    if (!target.startsWith(root)) {
      throw new IOException("Cannot remove " + relativePath + ": it is outside " + root);
    }
    return Files.deleteIfExists(target);
  }

  @Override
  public String locate(String relativePath) {
    return root.resolve(relativePath).toString();
  }

  @Override
  public void close() {}

  private static final class LocalPending implements Pending {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean done;

    LocalPending(Path target, Path temp, FileChannel channel) {
      this.target = target;
      this.temp = temp;
      this.channel = channel;
      this.stream = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    }

    @Override
    public OutputStream stream() {
      return stream;
    }

    @Override
    public void commit() throws IOException {
      if (done) {
        return;
      }
      stream.flush();
      channel.force(true);
      channel.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      done = true;
    }

    /**
     * Opens the temporary file for reading, then discards it: the open stream keeps the bytes
     * readable (POSIX unlink semantics), while a retry creates a new file under the same name.
     */
    @Override
    public java.io.InputStream abortAndReadBack() throws IOException {
      if (done) {
        throw new IOException("Cannot read back " + temp + ": it was already committed or discarded");
      }
      try {
        stream.flush();
      } catch (IOException ignored) {
        // what reached the file is read back; the caller reads only the part it knows is complete
      }
      java.io.InputStream in;
      try {
        in = Files.newInputStream(temp);
      } finally {
        abort();
      }
      return in;
    }

    @Override
    public void abort() {
      if (done) {
        return;
      }
      done = true;
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing more to do with a channel that cannot close
      }
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // a leftover hidden temp file is harmless to readers
      }
    }
  }
}
