package dev.json2parquet.serve;

import dev.json2parquet.buffer.Ticker;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answers of recent HTTP requests that carried an {@code Idempotency-Key} header (memory
 * buffer), so that a client retrying a request whose answer it lost gets the first answer again
 * instead of buffering the records twice. A request is identified by its endpoint, its key and a
 * SHA-256 of its body (so the same key with another body is another request). At most
 * {@code capacity} answers are kept, each for at most {@code ttlNanos} (the oldest are forgotten
 * first): memory is bounded whatever the clients send, and an answer body over
 * {@link #MAX_BODY_BYTES} is kept as its counts only. Thread-safe.
 */
final class IdempotencyKeys {
  /** Answer bodies larger than this are replayed without their error list. */
  static final int MAX_BODY_BYTES = 16 * 1024;

  /** A remembered answer: status and body; {@code body} null while the first request is being handled. */
  record Answer(int status, byte[] body) { }

  private record Entry(long at, Answer answer) { }

  private final int capacity;
  private final long ttlNanos;
  private final Ticker ticker;
  private final LinkedHashMap<String, Entry> entries;

  IdempotencyKeys(int capacity, long ttlNanos, Ticker ticker) {
    this.capacity = capacity;
    this.ttlNanos = ttlNanos;
    this.ticker = ticker;
    this.entries = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > IdempotencyKeys.this.capacity;
      }
    };
  }

  /** Pending: the first request with this identity is being handled now. */
  static final Answer BUSY = new Answer(0, null);

  /**
   * Null when {@code id} is new (handle it, then call {@link #done} or {@link #failed}); the first
   * answer when it was handled within the ttl; {@link #BUSY} while it is being handled.
   */
  synchronized Answer start(String id) {
    long now = ticker.read();
    Entry e = entries.get(id);
    if (e != null && now - e.at <= ttlNanos) {
      return e.answer == null ? BUSY : e.answer;
    }
    entries.remove(id); // re-inserted as the newest
    entries.put(id, new Entry(now, null));
    return null;
  }

  synchronized void done(String id, int status, byte[] body) {
    entries.put(id, new Entry(ticker.read(), new Answer(status, body)));
  }

  synchronized void failed(String id) {
    entries.remove(id);
  }

  synchronized int size() {
    return entries.size();
  }
}
