package dev.json2parquet.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.json2parquet.generate.LogGenerator;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.RecordType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A row group's column chunks encoded on helper threads ({@link BatchEncoder.Helpers}) give the
 * file that the calling thread alone writes, byte for byte; DuckDB reads it. The batch is real log
 * records, cut into row groups of {@link ParallelColumns#MIN_ROWS} rows or more, with a small
 * dictionary limit so that some columns learn to skip their dictionary in one row group and must
 * stay PLAIN in the next, whichever thread encodes them.
 */
@Timeout(60)
class ParallelColumnsTest {
  private static final RecordType TYPE = RecordType.log();
  private static final int GROUP_ROWS = ParallelColumns.MIN_ROWS + 1_000;
  /** Two appends of three row groups each, as a rolling file gets two batches. */
  private static final int RECORDS = 6 * GROUP_ROWS;
  private static ColumnBatch batch;
  private static WriterSettings settings;

  @TempDir
  Path dir;
  private ExecutorService pool;

  @BeforeAll
  static void records() throws Exception {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    new LogGenerator(new LogGenerator.Options(RECORDS, 12, 50, 0, Instant.parse("2024-11-24T00:00:00Z"))).write(lines);
    batch = new ColumnBatch(TYPE.schema());
    JsonRecordReader reader = new JsonRecordReader(TYPE);
    String[] all = lines.toString(StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < all.length; i++) {
      String line = all[i];
      if (i >= GROUP_ROWS && i < 2 * GROUP_ROWS) {
        // the second row group's cloud_provider outgrows the dictionary; the others' fit in it
        line = line.replace("\"cloud_provider\":\"", "\"cloud_provider\":\"" + i + "-");
      }
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      reader.append(b, 0, b.length, batch);
    }
    assertThat(batch.records()).isEqualTo(RECORDS);
    // three row groups per append of half the batch; dictionaries of at most 16 KiB
    long rowGroupBytes = batch.usedBytes() / RECORDS * GROUP_ROWS + 1;
    settings = new WriterSettings(Compression.SNAPPY, rowGroupBytes, WriterSettings.DEFAULT_PAGE_BYTES, 16 << 10);
  }

  @AfterEach
  void stopPool() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  @Test
  void append_withAHelperThatTakesEveryColumn_writesTheSequentialBytes() throws Exception {
    byte[] sequential = write(new BatchEncoder(TYPE.schema(), settings), null);
    BatchEncoder other = new BatchEncoder(TYPE.schema(), settings);
    AtomicInteger offers = new AtomicInteger();
    // the helper runs before the caller takes a column: every chunk is encoded by another encoder on another thread
    BatchEncoder.Helpers helper = (max, task) -> {
      offers.incrementAndGet();
      Thread t = new Thread(() -> task.accept(other));
      t.start();
      join(t);
      return 1;
    };

    byte[] parallel = write(new BatchEncoder(TYPE.schema(), settings), helper);

    assertThat(offers.get()).isEqualTo(6);
    assertSameFile(parallel, sequential);
  }

  @Test
  void append_withHelpersOnlyForSomeRowGroups_carriesWhatEachColumnLearnedAcross() throws Exception {
    byte[] sequential = write(new BatchEncoder(TYPE.schema(), settings), null);
    BatchEncoder other = new BatchEncoder(TYPE.schema(), settings);
    AtomicInteger offers = new AtomicInteger();
    // row groups 1, 3, 5 on the caller alone; 2, 4, 6 by the helper
    BatchEncoder.Helpers everyOther = (max, task) -> {
      if (offers.incrementAndGet() % 2 == 1) {
        return 0;
      }
      Thread t = new Thread(() -> task.accept(other));
      t.start();
      join(t);
      return 1;
    };

    byte[] parallel = write(new BatchEncoder(TYPE.schema(), settings), everyOther);

    // cloud_provider learns to skip its dictionary in row group 2 (the helper's) and keeps skipping it
    assertThat(cloudProviderDictionaries(sequential)).containsExactly(true, false, false, false, false, false);
    assertSameFile(parallel, sequential);
  }

  @Test
  void append_onAPoolOfThreads_writesTheSequentialBytes_andHoldsAtMostTwiceEachColumnsLargestChunk() throws Exception {
    byte[] sequential = write(new BatchEncoder(TYPE.schema(), settings), null);
    pool = Executors.newFixedThreadPool(3);
    ThreadLocal<BatchEncoder> encoders = ThreadLocal.withInitial(() -> new BatchEncoder(TYPE.schema(), settings));
    BatchEncoder.Helpers helpers = (max, task) -> {
      int n = Math.min(max, 3);
      for (int i = 0; i < n; i++) {
        pool.execute(() -> task.accept(encoders.get()));
      }
      return n;
    };
    BatchEncoder caller = new BatchEncoder(TYPE.schema(), settings);

    byte[] parallel = write(caller, helpers);

    assertSameFile(parallel, sequential);
    Path file = dir.resolve("bound.parquet");
    Files.write(file, parallel);
    long bound = 0;
    for (long largest : largestChunkPerColumn(file)) {
      bound += Math.max(1 << 16, 2 * largest);
    }
    assertThat(caller.parallelBytes()).isPositive().isLessThanOrEqualTo(bound);
  }

  @Test
  void append_whenAHelperFails_throwsAfterEveryColumnIsDone() throws Exception {
    // an encoder of another schema has fewer columns: the helper fails on the columns it lacks
    BatchEncoder wrong = new BatchEncoder(new dev.json2parquet.record.RecordSchema("small",
        List.of(dev.json2parquet.record.Field.primitive("a", dev.json2parquet.record.FieldType.STRING, false))), settings);
    AtomicInteger returned = new AtomicInteger();
    BatchEncoder.Helpers failing = (max, task) -> {
      Thread t = new Thread(() -> {
        task.accept(wrong);
        returned.incrementAndGet();
      });
      t.start();
      join(t);
      return 1;
    };
    BatchEncoder caller = new BatchEncoder(TYPE.schema(), settings);
    BatchEncoder.Open file = caller.open(new ByteArrayOutputStream());

    assertThatThrownBy(() -> caller.append(file, batch, 0, RECORDS / 2, failing))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(returned.get()).as("the helper's task returned, its failure handed over").isEqualTo(1);
  }

  private static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The batch as one file of two appends (half the batch each), as a rolling file gets two batches. */
  private static byte[] write(BatchEncoder encoder, BatchEncoder.Helpers helpers) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BatchEncoder.Open file = encoder.open(out);
    encoder.append(file, batch, 0, RECORDS / 2, helpers);
    encoder.append(file, batch, RECORDS / 2, RECORDS / 2, helpers);
    encoder.finish(file, Map.of("k", "v"));
    return out.toByteArray();
  }

  /** Same bytes; DuckDB reads six row groups and every value of the one as of the other. */
  private void assertSameFile(byte[] actual, byte[] expected) throws Exception {
    Path a = dir.resolve("actual.parquet");
    Path e = dir.resolve("expected.parquet");
    Files.write(a, actual);
    Files.write(e, expected);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement s = db.createStatement()) {
      assertThat(one(s, "SELECT count(*) FROM read_parquet('" + a + "')")).isEqualTo(RECORDS);
      assertThat(one(s, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + a + "')")).isEqualTo(6);
      assertThat(one(s, "SELECT count(*) FROM (SELECT * FROM read_parquet('" + a + "') EXCEPT ALL"
          + " SELECT * FROM read_parquet('" + e + "'))")).isZero();
    }
    assertThat(java.util.Arrays.mismatch(actual, expected)).as("first byte that differs").isEqualTo(-1);
  }

  /** Per row group: whether cloud_provider's chunk has a dictionary page. */
  private List<Boolean> cloudProviderDictionaries(byte[] bytes) throws Exception {
    Path f = dir.resolve("plain.parquet");
    Files.write(f, bytes);
    List<Boolean> out = new ArrayList<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT dictionary_page_offset IS NOT NULL FROM parquet_metadata('" + f
            + "') WHERE path_in_schema = 'cloud_provider' ORDER BY row_group_id")) {
      while (r.next()) {
        out.add(r.getBoolean(1));
      }
    }
    return out;
  }

  private static List<Long> largestChunkPerColumn(Path file) throws Exception {
    List<Long> out = new ArrayList<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT max(total_compressed_size) FROM parquet_metadata('" + file
            + "') GROUP BY column_id ORDER BY column_id")) {
      while (r.next()) {
        out.add(r.getLong(1));
      }
    }
    return out;
  }

  private static long one(Statement s, String sql) throws Exception {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
