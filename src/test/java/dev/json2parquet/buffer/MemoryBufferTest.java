package dev.json2parquet.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.LeafColumn;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryBufferTest {

  private static final long INTERVAL = 1_000_000_000L;
  private static final long LARGE = 1L << 30;

  private final RecordType type = RecordType.log();
  private final JsonRecordReader reader = new JsonRecordReader(type);
  private final AtomicLong now = new AtomicLong();
  private final Ticker ticker = now::get;
  /** What the consumer saw, copied before any release (a released batch may be cleared and reused). */
  private final List<Handed> handed = Collections.synchronizedList(new ArrayList<>());
  private MemoryBuffer buffer;
  /** When true, the consumer releases each batch as soon as it gets it, like a flusher that keeps up. */
  private boolean releasePromptly;
  private Thread appender;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    if (buffer != null) {
      buffer.close();
    }
    if (appender != null) {
      appender.join(5_000);
    }
  }

  private record Handed(Batch batch, String key, Batch.Reason reason, long bytes, int records, List<String> messages) {}

  private MemoryBuffer buffer(int maxRecords, long maxBytes) {
    buffer = new MemoryBuffer(type.schema(), maxRecords, maxBytes, INTERVAL, ticker, batch -> {
      handed.add(new Handed(batch, batch.key().key().get(0), batch.reason(), batch.bytes(),
          batch.records().records(), messages(batch.records())));
      if (releasePromptly) {
        buffer.release(batch);
      }
    });
    return buffer;
  }

  private ColumnBatch read(String json, ColumnBatch into) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    try {
      reader.read(b, 0, b.length, into);
    } catch (RecordException e) {
      throw new AssertionError(e);
    }
    return into;
  }

  private ColumnBatch record(String message) {
    return read("{\"message\":\"" + message + "\",\"level\":\"INFO\",\"business_capability\":\"cap\"}",
        new ColumnBatch(type.schema()));
  }

  private interface Appends { void run() throws InterruptedException; }

  /** Runs {@code body} on the appender thread; the flag turns true when it returns normally. */
  private AtomicBoolean inBackground(Appends body) {
    AtomicBoolean done = new AtomicBoolean();
    appender = new Thread(() -> {
      try {
        body.run();
        done.set(true);
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "appender");
    appender.start();
    return done;
  }

  private static ConditionFactory waitUpTo5s() {
    return await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
  }

  private static BucketKey key(String name) {
    return new BucketKey(List.of("p-" + name), List.of(name));
  }

  /** What the buffer accounts for a key holding exactly these records. */
  private long bucketBytes(ColumnBatch... records) {
    ColumnBatch mirror = new ColumnBatch(type.schema());
    for (ColumnBatch r : records) {
      mirror.append(r);
    }
    return mirror.allocatedBytes();
  }

  private List<String> messages(ColumnBatch batch) {
    LeafColumn c = batch.column(type.schema().field("message").leafIndex());
    List<String> out = new ArrayList<>();
    for (int v = 0; v < c.entries(); v++) {
      out.add(new String(c.data(), c.start(v), c.end(v) - c.start(v), StandardCharsets.UTF_8));
    }
    return out;
  }

  private List<String> handedKeys() {
    return handed.stream().map(Handed::key).toList();
  }

  @Test
  void append_whenKeyReachesBufferSize_handsOverThatKeyWithReasonSize() throws InterruptedException {
    MemoryBuffer buf = buffer(3, LARGE);

    buf.append(key("a"), record("a1"));
    buf.append(key("b"), record("b1"));
    buf.append(key("a"), record("a2"));
    buf.append(key("b"), record("b2"));
    assertThat(handed).isEmpty();

    buf.append(key("a"), record("a3"));

    assertThat(handed).hasSize(1);
    Handed a = handed.get(0);
    assertThat(a.batch().key()).isEqualTo(key("a"));
    assertThat(a.reason()).isEqualTo(Batch.Reason.SIZE);
    assertThat(a.records()).isEqualTo(3);
    assertThat(a.messages()).containsExactly("a1", "a2", "a3");
    assertThat(buf.keys()).isEqualTo(1);

    buf.append(key("b"), record("b3"));

    assertThat(handed).hasSize(2);
    assertThat(handed.get(1).reason()).isEqualTo(Batch.Reason.SIZE);
    assertThat(handed.get(1).messages()).containsExactly("b1", "b2", "b3");
    assertThat(buf.keys()).isZero();
  }

  @Test
  void append_reusingTheSameRecordBatch_copiesItsValues() throws InterruptedException {
    MemoryBuffer buf = buffer(2, LARGE);
    ColumnBatch scratch = new ColumnBatch(type.schema());

    buf.append(key("a"), read("{\"message\":\"one\"}", scratch));
    buf.append(key("a"), read("{\"message\":\"two\"}", scratch));

    assertThat(handed.get(0).messages()).containsExactly("one", "two");
  }

  @Test
  void append_afterAReleasedBatch_neverMixesItsRecordsIntoANewKey() throws InterruptedException {
    releasePromptly = true;
    MemoryBuffer buf = buffer(2, LARGE);

    for (String k : List.of("a", "b", "c", "d", "e", "f")) {
      buf.append(key(k), record(k + "1"));
      buf.append(key(k), record(k + "2"));
    }

    assertThat(handedKeys()).containsExactly("a", "b", "c", "d", "e", "f");
    for (Handed h : handed) {
      assertThat(h.messages()).containsExactly(h.key() + "1", h.key() + "2");
    }
  }

  @Test
  void flushAll_handsOverEveryKeyWithReasonShutdown_andKeepsCountingUntilReleased() throws InterruptedException {
    MemoryBuffer buf = buffer(100, LARGE);
    buf.append(key("a"), record("a1"));
    buf.append(key("b"), record("b1"));
    buf.append(key("a"), record("a2"));
    long held = buf.heldBytes();

    assertThat(buf.flushAll()).isEqualTo(2);

    assertThat(handed).extracting(Handed::reason).containsOnly(Batch.Reason.SHUTDOWN);
    assertThat(handed).extracting(Handed::key, Handed::messages).containsExactlyInAnyOrder(
        tuple("a", List.of("a1", "a2")), tuple("b", List.of("b1")));
    assertThat(buf.keys()).isZero();
    assertThat(buf.heldBytes()).isEqualTo(held);
    assertThat(handed.stream().mapToLong(Handed::bytes).sum()).isEqualTo(held);
    assertThat(buf.flushAll()).isZero();

    handed.forEach(h -> buf.release(h.batch()));
    buf.close();

    assertThat(buf.heldBytes()).isZero();
  }

  @Test
  void flushExpired_handsOverOnlyKeysWhoseOldestRecordReachedTheInterval() throws InterruptedException {
    MemoryBuffer buf = buffer(100, LARGE);
    buf.append(key("a"), record("a1"));
    now.set(INTERVAL * 6 / 10);
    buf.append(key("b"), record("b1"));
    buf.append(key("a"), record("a2"));

    now.set(INTERVAL - 1);
    assertThat(buf.flushExpired()).isZero();

    now.set(INTERVAL);
    assertThat(buf.flushExpired()).isEqualTo(1);
    assertThat(handedKeys()).containsExactly("a");
    assertThat(handed.get(0).reason()).isEqualTo(Batch.Reason.INTERVAL);
    assertThat(handed.get(0).messages()).containsExactly("a1", "a2");

    now.set(INTERVAL * 16 / 10 - 1);
    assertThat(buf.flushExpired()).isZero();

    now.set(INTERVAL * 16 / 10);
    assertThat(buf.flushExpired()).isEqualTo(1);
    assertThat(handedKeys()).containsExactly("a", "b");
    assertThat(handed.get(1).reason()).isEqualTo(Batch.Reason.INTERVAL);
    assertThat(buf.keys()).isZero();
  }

  @Test
  void flushExpired_afterAKeyWasHandedOver_measuresFromItsNextFirstRecord() throws InterruptedException {
    MemoryBuffer buf = buffer(100, LARGE);
    buf.append(key("a"), record("a1"));
    now.set(INTERVAL);
    buf.flushExpired();

    now.set(INTERVAL * 15 / 10);
    buf.append(key("a"), record("a2"));
    now.set(INTERVAL * 2);
    assertThat(buf.flushExpired()).isZero();

    now.set(INTERVAL * 25 / 10);
    assertThat(buf.flushExpired()).isEqualTo(1);
    assertThat(handed.get(1).messages()).containsExactly("a2");
  }

  @Test
  void nanosUntilNextExpiry_followsTheOldestHeldKey() throws InterruptedException {
    MemoryBuffer buf = buffer(100, LARGE);
    assertThat(buf.nanosUntilNextExpiry()).isEqualTo(INTERVAL);

    now.set(100);
    buf.append(key("a"), record("a1"));
    now.set(INTERVAL / 2);
    buf.append(key("b"), record("b1"));
    assertThat(buf.nanosUntilNextExpiry()).isEqualTo(INTERVAL / 2 + 100);

    now.set(INTERVAL + 500);
    assertThat(buf.nanosUntilNextExpiry()).isZero();

    buf.flushExpired();
    assertThat(buf.nanosUntilNextExpiry()).isEqualTo(INTERVAL / 2 - 500);
  }

  @Test
  void append_whenTheKeysUseHalfTheBudget_handsOverTheLargestKeysFirstUntilAQuarterIsLeft()
      throws InterruptedException {
    releasePromptly = true;
    long overhead = new ColumnBatch(type.schema()).allocatedBytes();
    List<ColumnBatch> records = new ArrayList<>();
    long[] used = new long[10];
    long firstNine = 0;
    for (int i = 0; i < 10; i++) {
      records.add(record("m".repeat((i + 1) * 2_000)));
      used[i] = records.get(i).usedBytes() + overhead;
      firstNine += i < 9 ? used[i] : 0;
    }
    // half the budget lies between what the first nine keys use and what all ten use
    long budget = 2 * (firstNine + used[9] / 2);
    MemoryBuffer buf = buffer(1_000, budget);
    for (int i = 0; i < 9; i++) {
      buf.append(key("k" + i), records.get(i));
    }
    assertThat(handed).isEmpty();

    buf.append(key("k9"), records.get(9));

    List<String> expected = new ArrayList<>();
    long left = firstNine + used[9];
    for (int i = 9; left > budget / 4; i--) {
      expected.add("k" + i);
      left -= used[i];
    }
    assertThat(handedKeys()).containsExactlyElementsOf(expected);
    assertThat(handed).extracting(Handed::reason).containsOnly(Batch.Reason.BYTES);
    assertThat(buf.keys()).isEqualTo(10 - expected.size());
    assertThat(buf.heldBytes()).isLessThanOrEqualTo(budget);
  }

  @Test
  void append_whenOneKeyGrowsToAShareOfTheBudget_handsItOverWithReasonBytesBeforeTheBudgetIsFull()
      throws InterruptedException {
    releasePromptly = true; // so that a missing per-key rule shows as a failure, not a blocked append
    long budget = 4L << 20;
    MemoryBuffer buf = buffer(1_000_000, budget);
    ColumnBatch rec = record("x".repeat(1_000));
    int appended = 0;

    while (handed.isEmpty() && appended < 5_000) {
      buf.append(key("a"), rec);
      appended++;
      buf.append(key("small"), record("s"));
    }

    assertThat(handed).hasSize(1);
    Handed a = handed.get(0);
    assertThat(a.key()).isEqualTo("a");
    assertThat(a.reason()).isEqualTo(Batch.Reason.BYTES);
    assertThat(a.records()).isEqualTo(appended);
    // handed over at about a quarter of the budget, long before the whole budget forces evictions
    assertThat(a.bytes()).isBetween(budget / 8, budget / 2);
    assertThat(buf.keys()).isEqualTo(1);
  }

  @Test
  void append_withManyKeysAndPromptReleases_neverHoldsMoreThanBudgetPlusOneRecord() throws InterruptedException {
    releasePromptly = true;
    long budget = 120_000;
    MemoryBuffer buf = buffer(1_000, budget);
    long oneRecord = 0;

    for (int i = 0; i < 500; i++) {
      ColumnBatch rec = record("v".repeat(100 + (i * 37) % 900));
      oneRecord = Math.max(oneRecord, bucketBytes(rec));
      buf.append(key("k" + (i % 60)), rec);
      assertThat(buf.heldBytes()).as("after append %d", i).isLessThanOrEqualTo(budget + oneRecord);
    }

    assertThat(handed).isNotEmpty();
    assertThat(handed).extracting(Handed::reason).containsOnly(Batch.Reason.BYTES);
  }

  @Test
  void append_withTenThousandDistinctKeys_staysWithinTheBudget() throws InterruptedException {
    releasePromptly = true;
    long budget = 4L << 20;
    MemoryBuffer buf = buffer(1_000_000, budget);
    ColumnBatch rec = record("hello");
    long oneRecord = bucketBytes(rec);
    long maxHeld = 0;

    for (int i = 0; i < 10_000; i++) {
      buf.append(key("key-" + i), rec);
      maxHeld = Math.max(maxHeld, buf.heldBytes());
    }

    assertThat(maxHeld).isLessThanOrEqualTo(budget + oneRecord);
    assertThat(buf.keys()).isLessThan((int) (budget / oneRecord) + 1);
    assertThat(handed).isNotEmpty();
    assertThat(handed.size() + buf.keys()).isEqualTo(10_000);
  }

  @Test
  void append_whileInFlightBatchesKeepTheBufferOverBudget_blocksUntilRelease() {
    long budget = 150_000;
    buffer(1_000, budget);
    // each record is over a sixth of the budget: handed over at once, and held until released
    ColumnBatch big = record("m".repeat(60_000));
    AtomicBoolean done = inBackground(() -> {
      for (int i = 0; i < 3; i++) {
        buffer.append(key("k" + i), big);
      }
    });

    waitUpTo5s()
        .until(() -> appender.getState() == Thread.State.WAITING && handed.size() == 3);
    assertThat(done).isFalse();
    assertThat(buffer.heldBytes()).isGreaterThan(budget);

    buffer.release(handed.get(0).batch());

    waitUpTo5s().untilTrue(done);
    assertThat(failure.get()).isNull();
    assertThat(buffer.heldBytes()).isLessThanOrEqualTo(budget);
  }

  @Test
  void close_wakesAnAppendBlockedOnTheBudget() {
    buffer(1, 10_000);
    ColumnBatch big = record("z".repeat(20_000));
    AtomicBoolean done = inBackground(() -> buffer.append(key("a"), big));

    waitUpTo5s().until(() -> appender.getState() == Thread.State.WAITING);
    assertThat(done).isFalse();

    buffer.close();

    waitUpTo5s().untilTrue(done);
    assertThat(failure.get()).isNull();
    assertThatThrownBy(() -> buffer.append(key("a"), record("late")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot append: buffer is closed");
  }

  @Test
  void append_runLongerThanBufferSize_splitsIntoFullBatchesInOrder() throws Exception {
    releasePromptly = true;
    buffer(4, LARGE);
    ColumnBatch staged = new ColumnBatch(type.schema());
    for (int i = 0; i < 10; i++) {
      byte[] b = ("{\"message\":\"m" + i + "\"}").getBytes(StandardCharsets.UTF_8);
      reader.append(b, 0, b.length, staged);
    }

    ColumnBatch.Cursor at = staged.cursor();
    buffer.append(key("a"), staged, at, 7);
    buffer.append(key("a"), staged, at, 3);
    buffer.flushAll();

    assertThat(handed).extracting(Handed::records, Handed::reason).containsExactly(
        tuple(4, Batch.Reason.SIZE), tuple(4, Batch.Reason.SIZE), tuple(2, Batch.Reason.SHUTDOWN));
    assertThat(handed).flatExtracting(Handed::messages)
        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
  }

  @Test
  void append_interleavedKeysWithShortAndLongRuns_handsOverEachKeysRecordsInInputOrder() throws Exception {
    releasePromptly = true;
    buffer(1_000, LARGE);
    ColumnBatch staged = new ColumnBatch(type.schema());
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // runs of one record across 7 keys (kept packed), then a run of 40 of one key (copied into its columns)
      String k = i >= 100 && i < 140 ? "k3" : "k" + (i % 7);
      keys.add(k);
      byte[] b = ("{\"message\":\"" + k + "-" + i + "\",\"tags\":[\"t" + (i % 3) + "\"]}").getBytes(StandardCharsets.UTF_8);
      reader.append(b, 0, b.length, staged);
    }
    ColumnBatch.Cursor at = staged.cursor();
    for (int i = 0; i < 300; ) {
      int j = i + 1;
      while (j < 300 && keys.get(j).equals(keys.get(i))) {
        j++;
      }
      buffer.append(key(keys.get(i)), staged, at, j - i);
      i = j;
    }
    buffer.flushAll();

    assertThat(handed).hasSize(7);
    for (Handed h : handed) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        if (keys.get(i).equals(h.key())) {
          expected.add(h.key() + "-" + i);
        }
      }
      assertThat(h.messages()).as(h.key()).containsExactlyElementsOf(expected);
    }
  }
}
