package dev.json2parquet.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The forward protocol's chunk ids seen recently, so that a retry of a chunk already buffered (its
 * ack was lost) is acknowledged again without buffering its records twice. Fluent Bit derives the id
 * from the payload, so a retry carries the same id. Remembers at most {@code capacity} ids (the
 * oldest are forgotten): memory is bounded whatever the clients send. Thread-safe.
 */
final class ChunkIds {
  /** What to do with a chunk. */
  enum Start {
    /** Not seen: buffer it, then call {@link #done} or {@link #failed}. */
    NEW,
    /** Already buffered: acknowledge it again, buffer nothing. */
    DONE,
    /** Being buffered on another connection now: do not acknowledge; the client retries. */
    BUSY
  }

  private final int capacity;
  private final LinkedHashMap<String, Boolean> ids;

  ChunkIds(int capacity) {
    this.capacity = capacity;
    this.ids = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > ChunkIds.this.capacity;
      }
    };
  }

  synchronized Start start(String id) {
    Boolean done = ids.get(id);
    if (done == null) {
      ids.put(id, Boolean.FALSE);
      return Start.NEW;
    }
    return done ? Start.DONE : Start.BUSY;
  }

  synchronized void done(String id) {
    ids.put(id, Boolean.TRUE);
  }

  synchronized void failed(String id) {
    ids.remove(id);
  }

  synchronized int size() {
    return ids.size();
  }
}
