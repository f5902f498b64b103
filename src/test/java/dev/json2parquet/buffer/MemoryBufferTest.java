package dev.json2parquet.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
  private final List<Batch> handed = Collections.synchronizedList(new ArrayList<>());
  private MemoryBuffer buffer;
  /** When true, the consumer releases each batch as soon as it gets it, like a flusher that keeps up. */
  private boolean releasePromptly;
  private Thread appender;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (buffer != null) {
      buffer.close();
    }
    if (appender != null) {
      appender.join(5_000);
    }
  }

  private MemoryBuffer buffer(int maxRecords, long maxBytes) {
    buffer = new MemoryBuffer(type.schema(), maxRecords, maxBytes, INTERVAL, ticker, batch -> {
      handed.add(batch);
      if (releasePromptly) {
        buffer.release(batch);
      }
    });
    return buffer;
  }

  private ColumnBatch record(String message) {
    byte[] json = ("{\"message\":\"" + message + "\",\"level\":\"INFO\",\"business_capability\":\"cap\"}")
        .getBytes(StandardCharsets.UTF_8);
    ColumnBatch batch = new ColumnBatch(type.schema());
    try {
      reader.read(json, 0, json.length, batch);
    } catch (RecordException e) {
      throw new AssertionError(e);
    }
    return batch;
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
    return handed.stream().map(b -> b.key().key().get(0)).toList();
  }

  // ---- buffer_size ---------------------------------------------------------------------------

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
    Batch a = handed.get(0);
    assertThat(a.key()).isEqualTo(key("a"));
    assertThat(a.reason()).isEqualTo(Batch.Reason.SIZE);
    assertThat(a.records().records()).isEqualTo(3);
    assertThat(messages(a.records())).containsExactly("a1", "a2", "a3");
    assertThat(buf.keys()).isEqualTo(1);

    buf.append(key("b"), record("b3"));

    assertThat(handed).hasSize(2);
    assertThat(handed.get(1).reason()).isEqualTo(Batch.Reason.SIZE);
    assertThat(messages(handed.get(1).records())).containsExactly("b1", "b2", "b3");
    assertThat(buf.keys()).isZero();
  }

  @Test
  void append_reusingTheSameRecordBatch_copiesItsValues() throws InterruptedException {
    MemoryBuffer buf = buffer(2, LARGE);
    ColumnBatch scratch = new ColumnBatch(type.schema());
    byte[] first = "{\"message\":\"one\"}".getBytes(StandardCharsets.UTF_8);
    byte[] second = "{\"message\":\"two\"}".getBytes(StandardCharsets.UTF_8);

    try {
      reader.read(first, 0, first.length, scratch);
      buf.append(key("a"), scratch);
      reader.read(second, 0, second.length, scratch);
      buf.append(key("a"), scratch);
    } catch (RecordException e) {
      throw new AssertionError(e);
    }

    assertThat(messages(handed.get(0).records())).containsExactly("one", "two");
  }

  @Test
  void flushAll_handsOverEveryKeyWithReasonShutdown_andKeepsCountingUntilReleased() throws InterruptedException {
    MemoryBuffer buf = buffer(100, LARGE);
    buf.append(key("a"), record("a1"));
    buf.append(key("b"), record("b1"));
    buf.append(key("a"), record("a2"));
    long held = buf.heldBytes();

    assertThat(buf.flushAll()).isEqualTo(2);

    assertThat(handed).extracting(Batch::reason).containsOnly(Batch.Reason.SHUTDOWN);
    assertThat(handed).extracting(b -> b.records().records()).containsExactlyInAnyOrder(2, 1);
    assertThat(buf.keys()).isZero();
    assertThat(buf.heldBytes()).isEqualTo(held);
    assertThat(handed.stream().mapToLong(Batch::bytes).sum()).isEqualTo(held);

    handed.forEach(buf::release);

    assertThat(buf.heldBytes()).isZero();
    assertThat(buf.flushAll()).isZero();
  }

  // ---- flush_interval ---------------------------------------------------------------------------

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
    assertThat(messages(handed.get(0).records())).containsExactly("a1", "a2");

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
    assertThat(messages(handed.get(1).records())).containsExactly("a2");
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

  // ---- byte budget ------------------------------------------------------------------------------

  @Test
  void append_overTheBudget_handsOverTheLargestKeysFirstWithReasonBytes() throws InterruptedException {
    releasePromptly = true;
    long budget = 150_000;
    MemoryBuffer buf = buffer(1_000, budget);
    List<ColumnBatch> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(record("m".repeat((i + 1) * 2_000)));
    }
    for (int i = 0; i < 9; i++) {
      buf.append(key("k" + i), records.get(i));
    }
    assertThat(handed).isEmpty();

    buf.append(key("k9"), records.get(9));

    assertThat(handedKeys()).containsExactly("k9", "k8", "k7", "k6");
    assertThat(handed).extracting(Batch::reason).containsOnly(Batch.Reason.BYTES);
    for (Batch b : handed) {
      int i = Integer.parseInt(b.key().key().get(0).substring(1));
      assertThat(b.bytes()).isEqualTo(bucketBytes(records.get(i)));
    }
    assertThat(buf.keys()).isEqualTo(6);
    assertThat(buf.heldBytes()).isLessThanOrEqualTo(budget / 2);
  }

  @Test
  void append_whenOneKeyReachesAQuarterOfTheBudget_handsItOverWithReasonBytes() throws InterruptedException {
    long budget = 400_000;
    MemoryBuffer buf = buffer(1_000_000, budget);
    ColumnBatch rec = record("x".repeat(10_000));
    List<ColumnBatch> appended = new ArrayList<>();

    while (handed.isEmpty() && appended.size() < 100) {
      buf.append(key("a"), rec);
      appended.add(rec);
      buf.append(key("small"), record("s"));
    }

    assertThat(handed).hasSize(1);
    Batch b = handed.get(0);
    assertThat(b.key()).isEqualTo(key("a"));
    assertThat(b.reason()).isEqualTo(Batch.Reason.BYTES);
    assertThat(b.records().records()).isEqualTo(appended.size());
    assertThat(b.bytes()).isGreaterThanOrEqualTo(budget / 4);
    List<ColumnBatch> oneFewer = appended.subList(0, appended.size() - 1);
    assertThat(bucketBytes(oneFewer.toArray(new ColumnBatch[0]))).isLessThan(budget / 4);
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
    assertThat(handed).extracting(Batch::reason).containsOnly(Batch.Reason.BYTES);
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
    List<ColumnBatch> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(record("m".repeat((i + 1) * 2_000)));
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    appender = new Thread(() -> {
      try {
        for (int i = 0; i < 10; i++) {
          buffer.append(key("k" + i), records.get(i));
        }
        done.set(true);
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "appender");
    appender.start();

    waitUpTo5s()
        .until(() -> appender.getState() == Thread.State.WAITING && handed.size() == 4);
    assertThat(done).isFalse();
    assertThat(buffer.heldBytes()).isGreaterThan(budget);

    buffer.release(handed.get(0));

    waitUpTo5s().untilTrue(done);
    assertThat(failure.get()).isNull();
    assertThat(buffer.heldBytes()).isLessThanOrEqualTo(budget);
  }

  @Test
  void close_wakesAnAppendBlockedOnTheBudget() {
    buffer(1, 10_000);
    AtomicBoolean done = new AtomicBoolean();
    appender = new Thread(() -> {
      try {
        buffer.append(key("a"), record("z".repeat(20_000)));
        done.set(true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "appender");
    appender.start();

    waitUpTo5s().until(() -> appender.getState() == Thread.State.WAITING);
    assertThat(done).isFalse();

    buffer.close();

    waitUpTo5s().untilTrue(done);
    assertThatThrownBy(() -> buffer.append(key("a"), record("late")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot append: buffer is closed");
  }

  @Test
  void constructor_withNonPositiveLimits_isRejected() {
    assertThatThrownBy(() -> new MemoryBuffer(type.schema(), 0, 1, 1, ticker, b -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot create buffer: limits must be positive");
  }
}
