package dev.json2parquet.pipeline;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Tasks run on a fixed pool of daemon threads, their results applied on the submitting thread
 * strictly in submission order: the ordered hand-off of parsed chunks shared by convert's
 * {@link RecordRouter} and the Redis receive ({@link RedisConvert}). At most {@code threads} tasks
 * are out at once: submitting another first applies the oldest, so memory stays bounded by the
 * callers' chunk size. Not thread safe: one thread submits and applies.
 *
 * @param <R> what a task gives back to be applied
 */
final class InOrder<R> implements AutoCloseable {
  /** Applies one task's result on the submitting thread. */
  interface Apply<R> {
    void apply(R result) throws IOException;
  }

  private final ExecutorService pool;
  private final ArrayDeque<Future<R>> inFlight = new ArrayDeque<>();
  private final int threads;
  private final Apply<R> apply;

  /** @param name the threads' name prefix ({@code name-1}, {@code name-2}, ...) */
  InOrder(int threads, String name, Apply<R> apply) {
    this.threads = threads;
    this.apply = apply;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Makes room (applying the oldest result when {@code threads} tasks are out), then runs the task
   * {@code next} gives: it is asked only after the room is made, so it may take a resource that
   * applying gave back.
   *
   * @throws IOException what applying the oldest result threw
   */
  void submit(Supplier<Callable<R>> next) throws IOException {
    if (inFlight.size() >= threads) {
      applyOldest();
    }
    inFlight.add(pool.submit(next.get()));
  }

  /** Whether no task is out. */
  boolean isEmpty() {
    return inFlight.isEmpty();
  }

  /**
   * Waits for the oldest task and applies its result.
   *
   * @throws InterruptedIOException when interrupted while waiting (the tasks still out are cancelled)
   * @throws IllegalStateException when the task itself threw (a bug: tasks report bad input as results)
   */
  void applyOldest() throws IOException {
    R result;
    try {
      result = inFlight.poll().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      inFlight.forEach(x -> x.cancel(false));
      throw new InterruptedIOException("interrupted while waiting for the parsers");
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot parse lines: " + e.getCause(), e.getCause());
    }
    apply.apply(result);
  }

  /** Applies every task's result, oldest first. */
  void applyAll() throws IOException {
    while (!inFlight.isEmpty()) {
      applyOldest();
    }
  }

  /** Stops the threads; results not applied are dropped. */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
