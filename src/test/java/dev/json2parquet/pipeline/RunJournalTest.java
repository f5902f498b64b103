package dev.json2parquet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The run journal on a full disk: an append that fails after part of its line reached the file
 * (a short write, then ENOSPC, as tmpfs and ext4 do when the line crosses into a page that cannot be
 * allocated) must not swallow the next line once there is room again. That next line may be the
 * {@code file} line of a file that is then committed: lost, the rollback of the crashed run leaves
 * the file in place and the re-run writes its records a second time (DiskFullTest's 20,017 rows).
 */
class RunJournalTest {
  private static final String RUN = "20261201T045700Z-d15c";

  @TempDir
  Path out;

  /**
   * @param room bytes of the failing line that reach the file before the disk is full
   *     (-1: all but its line break)
   * @param truncateFails whether cutting the fragment off fails too
   */
  @ParameterizedTest(name = "room {0}, truncate fails: {1}")
  @CsvSource({"1, false", "20, false", "-1, false", "1, true", "20, true", "-1, true"})
  void fileLineAfterATornAppend_isListedForTheRollback(int room, boolean truncateFails) throws Exception {
    Runs runs = new Runs(out);
    Path file = runs.journalFile(RUN);
    Files.createDirectories(file.getParent());
    FullDisk disk = new FullDisk(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND));
    disk.truncateFails = truncateFails;
    byte[] failing = RunJournal.json(Map.of("event", "file", "path", "a.parquet", "records", 5));
    try (RunJournal journal = new RunJournal(disk)) {
      Map<String, Object> start = new LinkedHashMap<>();
      start.put("event", "start");
      start.put("run", RUN);
      start.put("time", "2026-12-01T04:57:00Z");
      start.put("pid", 1L);
      start.put("inputs", List.of());
      journal.event(start);
      long before = Files.size(file);

      int tear = room < 0 ? failing.length - 1 : room;
      disk.room = tear;
      assertThatThrownBy(() -> journal.file("a.parquet", 5)).isInstanceOf(IOException.class)
          .hasMessageContaining("No space left on device");
      assertThat(Files.size(file)).isEqualTo(truncateFails ? before + tear : before);

      disk.room = Integer.MAX_VALUE; // a failed file's temporary file was removed: room again
      journal.file("b.parquet", 17);
    }

    List<Runs.Past> past = runs.past("another run");
    assertThat(past).hasSize(1);
    assertThat(past.get(0).state()).isEqualTo("running"); // no end: crashed, rolled back by the next run
    assertThat(past.get(0).files()).as(Files.readString(file)).contains("b.parquet");
    if (!truncateFails) {
      assertThat(past.get(0).files()).containsExactly("b.parquet");
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      assertThat(line.indexOf("{\"event\"", 1)).as("one event per line: " + line).isEqualTo(-1);
    }
  }

  /**
   * A journal whose last append was torn (its process killed in the middle of one, or a full disk)
   * gets the next run's {@code superseded} line on a line of its own: glued to the tear it would be
   * lost, and the rolled-back run would be taken as crashed and rolled back again by every later run.
   */
  @ParameterizedTest(name = "tear of {0} bytes")
  @CsvSource({"1", "40", "-1"})
  void supersededAfterATornTail_isRead(int tear) throws Exception {
    Runs runs = new Runs(out);
    Path file = runs.journalFile(RUN);
    Files.createDirectories(file.getParent());
    Map<String, Object> start = new LinkedHashMap<>();
    start.put("event", "start");
    start.put("run", RUN);
    start.put("time", "2026-12-01T04:57:00Z");
    start.put("pid", 1L);
    start.put("inputs", List.of());
    byte[] line = RunJournal.json(Map.of("event", "file", "path", "a.parquet", "records", 5));
    Files.write(file, RunJournal.json(start));
    Files.write(file, java.util.Arrays.copyOf(line, tear < 0 ? line.length - 1 : tear), StandardOpenOption.APPEND);

    RunJournal.appendTo(file, Map.of("event", "superseded", "by", "20261201T050000Z-0001", "action", "rolled back"));

    List<Runs.Past> past = runs.past("another run");
    assertThat(past).hasSize(1);
    assertThat(past.get(0).supersededBy()).as(Files.readString(file)).isEqualTo("20261201T050000Z-0001");
  }

  /** A file channel whose disk holds only {@code room} more bytes: then a short write, then ENOSPC. */
  static final class FullDisk extends FileChannel {
    private final FileChannel file;
    int room = Integer.MAX_VALUE;
    boolean truncateFails;

    FullDisk(FileChannel file) {
      this.file = file;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (room <= 0 && src.hasRemaining()) {
        throw new IOException("No space left on device");
      }
      if (src.remaining() <= room) {
        int n = file.write(src);
        room -= n;
        return n;
      }
      ByteBuffer part = src.slice().limit(room);
      int n = file.write(part);
      src.position(src.position() + n);
      room -= n;
      return n;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      if (truncateFails) {
        throw new IOException("Cannot truncate: injected");
      }
      file.truncate(size);
      return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return file.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public void force(boolean metaData) throws IOException {
      file.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
