package dev.json2parquet.flush;

import dev.json2parquet.buffer.Batch;
import dev.json2parquet.buffer.BucketKey;
import dev.json2parquet.dlq.RecoveryStore;
import dev.json2parquet.parquet.BatchEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * One key's open file and the batches queued for it: the rolling writer of {@link Flusher}. Its
 * steps (append a batch, complete the file) run one at a time, in the order they were queued, on
 * whichever encoder thread is free; a step that fails pauses the queue until its retry. When the
 * file it appends to reaches its record or byte limit, it is sealed (footer written, commit handed to
 * a committer thread) and the next file of the key starts with the following record, named after it.
 */
final class RollingFile {
  private final Flusher owner;
  private final BucketKey key;
  private final long maxRecords;
  private final long maxBytes;
  /** When the oldest record queued here was buffered; set by the flusher under its own lock. */
  long oldest = Long.MAX_VALUE;

  /** Guarded by {@code this}. */
  private final ArrayDeque<Step> queue = new ArrayDeque<>();
  private boolean running;

  /** The file being appended to, or null; touched only by the step running now. */
  private Written current;
  /** Failed attempts of the step at the head of the queue. */
  private int attempts;

  /** A batch to append (null: only complete the file), from record {@code from} on. */
  private static final class Step {
    final Batch batch;
    final boolean complete;
    int from;

    Step(Batch batch, boolean complete) {
      this.batch = batch;
      this.complete = complete;
    }
  }

  RollingFile(Flusher owner, BucketKey key, long maxRecords, long maxBytes) {
    this.owner = owner;
    this.key = key;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  /** Queues {@code batch}, then completes the file if {@code complete}. */
  void enqueue(Batch batch, boolean complete) {
    add(new Step(batch, complete));
  }

  /** Queues the completion of the file (after the batches queued before). */
  void complete() {
    add(new Step(null, true));
  }

  private void add(Step step) {
    synchronized (this) {
      queue.add(step);
      if (running) {
        return;
      }
      running = true;
    }
    owner.execute(this::drain);
  }

  /** Runs the queued steps until the queue is empty or a step waits for its retry. */
  private void drain() {
    while (true) {
      Step step;
      synchronized (this) {
        step = queue.peek();
        if (step == null) {
          running = false;
          return;
        }
      }
      if (!run(step)) {
        return; // a retry calls drain again
      }
      synchronized (this) {
        queue.poll();
      }
    }
  }

  /** Runs one step; false when it failed and a retry is scheduled. */
  private boolean run(Step step) {
    Batch batch = step.batch;
    if (batch != null) {
      int records = batch.records().records();
      while (step.from < records) {
        int take = 0;
        try {
          if (current == null) {
            current = new Written(owner.layout.file(key, batch.firstRecord(), step.from), batch);
          }
          current.ensureOpen();
          take = (int) Math.min(records - step.from, maxRecords - current.records);
          long length = owner.encoder().append(current.file, batch.records(), step.from, take, owner.helpers);
          current.records += take;
          step.from += take;
          take = 0;
          // a failure the sink learned of meanwhile (an S3 part upload) breaks the file here, after
          // whole row groups: kept with them, nothing of this batch appended twice
          current.pending.pause();
          current.appended();
          attempts = 0;
          if (current.records >= maxRecords || length >= maxBytes
              || current.file.rowGroups() >= Flusher.MAX_ROW_GROUPS) {
            seal();
          }
        } catch (Exception | OutOfMemoryError e) {
          if (!failed(e, step, take)) {
            return false;
          }
        }
      }
      attempts = 0;
      if (!owner.sink.readsBack() && step.complete && current != null && current.first == batch
          && current.records == batch.records().records()) {
        // a sink that cannot read back: the file is this batch alone, kept until the file is committed
        // or given up, so that a failed footer or commit is written again from it rather than lost
        current.retained = true;
      } else {
        owner.released(batch);
      }
    }
    if (step.complete && current != null) {
      seal();
    }
    return true;
  }

  /**
   * After a failed append: schedules a retry (returns false), or after the last attempt puts the
   * file with the records being appended into the recovery store and moves past them (returns true).
   */
  private boolean failed(Throwable e, Step step, int take) {
    if (current == null) {
      current = new Written(owner.layout.file(key, step.batch.firstRecord(), step.from), step.batch);
    }
    Written w = current;
    w.broken(e);
    Flusher.Log.LOG.debug("Cannot write {} (attempt {} of {})", owner.sink.locate(w.path), attempts + 1,
        Flusher.RETRIES + 1, e);
    if (attempts++ < Flusher.RETRIES) {
      owner.retryLater(this::drain, attempts - 1);
      return false;
    }
    attempts = 0;
    int n = take > 0 ? take : (int) Math.min(step.batch.records().records() - step.from, maxRecords - w.records);
    int from = step.from;
    w.giveUp(e.toString(), n, out -> {
      BatchEncoder encoder = owner.encoder();
      BatchEncoder.Open file = w.resumeOn(out, encoder);
      encoder.append(file, step.batch.records(), from, n);
      encoder.finish(file, owner.metadata);
    });
    step.from += n;
    current = null;
    owner.finished();
    return true;
  }

  /** Writes the current file's footer here and commits it on a committer thread. */
  private void seal() {
    Written w = current;
    current = null;
    w.finishAndCommit();
  }

  /**
   * One file: its sink file, its footer metadata, and after a failure its complete row groups in a
   * local temporary file until a retry has written them again.
   */
  private final class Written {
    final String path;
    final Batch first;
    long records;
    BatchEncoder.Open file;
    dev.json2parquet.sink.Sink.Pending pending;
    /** The complete row groups, kept after a failure (locally, or partly in the sink); null when there are none. */
    dev.json2parquet.sink.Sink.Kept kept;
    /** Failed attempts to write the footer and commit. */
    int sealAttempts;
    /** Whether {@link #first} is held (not yet released) because it alone makes this file. */
    boolean retained;
    /** Whether the next open re-encodes the file from {@link #first} (a sink that cannot read back). */
    boolean rebuild;

    /** Counts as unfinished work of the flusher until committed or given up. */
    Written(String path, Batch first) {
      this.path = path;
      this.first = first;
      owner.started();
    }

    /** Opens the sink file (again, after a failure: with the kept row groups). */
    void ensureOpen() throws IOException {
      if (pending != null) {
        return;
      }
      if (!rebuild && file != null && file.rows() > 0) {
        if (kept == null) {
          // broken() starts a file over when it keeps nothing, so this is a bug
          throw new IllegalStateException("Cannot resume " + path + ": nothing of it was kept");
        }
        pending = kept.resume(owner.sink, path);
        file.resume(pending.stream());
        return;
      }
      pending = owner.sink.create(path);
      if (rebuild) {
        file = rebuilt(pending.stream(), owner.encoder());
      } else {
        file = owner.encoder().open(pending.stream());
      }
    }

    /** The file encoded again from {@link #first}, which alone makes it, into {@code out}. */
    private BatchEncoder.Open rebuilt(OutputStream out, BatchEncoder encoder) throws IOException {
      BatchEncoder.Open f = encoder.open(out);
      encoder.append(f, first.records(), 0, (int) records);
      rebuild = false;
      return f;
    }

    /** Releases {@link #first} once the file is committed or given up, when it was held for a rebuild. */
    void release() {
      if (retained) {
        retained = false;
        owner.released(first);
      }
    }

    BatchEncoder.Open resumeOn(OutputStream out, BatchEncoder encoder) throws IOException {
      if (rebuild) {
        return rebuilt(out, encoder);
      }
      if (file == null || file.rows() == 0) {
        return encoder.open(out);
      }
      copyKept(out);
      file.resume(out);
      return file;
    }

    /** The kept bytes this process holds locally (all of them, or those not in the sink). */
    private void copyKept(OutputStream out) throws IOException {
      kept.copyLocal(out);
    }

    /** A step succeeded after a failure: the kept bytes are in the sink file again. */
    void appended() {
      dropKept();
    }

    /**
     * The sink file is unusable: keeps its complete row groups (read back from the sink) for the
     * retry; when they cannot be read back, counts their records as lost and starts the file over.
     */
    void broken(Throwable cause) {
      dev.json2parquet.sink.Sink.Pending p = pending;
      pending = null;
      if (p == null) {
        return;
      }
      if (file == null || file.rows() == 0 || kept != null && kept.length() == file.length()) {
        p.abort(); // nothing was added to what is kept (a retry that failed again)
        return;
      }
      // a resumed file that got row groups before failing (an S3 part failure comes out only after
      // them) is kept anew, with them; the older kept bytes are part of it (the same S3 upload)
      dev.json2parquet.sink.Sink.Kept older = kept;
      kept = null;
      String error = null;
      // keep discards the file whether or not it can keep its bytes
      try {
        kept = p.keep(file.length());
        if (kept == null && retained) {
          rebuild = true; // encoded again from the batch on the next open
          return;
        }
        if (kept == null) {
          error = owner.sink.getClass().getSimpleName() + " cannot read back what it wrote";
        }
      } catch (IOException e) {
        error = e.toString();
      }
      if (older != null) {
        older.discard(kept == null);
      }
      if (kept == null) {
        long rows = file.rows();
        owner.lost(key, rows, "Cannot write " + rows + " records of key " + key.key() + " in partition "
            + key.partition() + " (in " + owner.sink.locate(path) + "): " + cause + "; nor read them back to "
            + "retry: " + error + "; these records are lost");
        records -= rows;
        file = null;
      }
    }

    void dropKept() {
      dropKept(false);
    }

    /** With {@code abandon}, also what the sink keeps of the file (its records are counted as lost). */
    void dropKept(boolean abandon) {
      if (kept != null) {
        kept.discard(abandon);
        kept = null;
      }
    }

    /**
     * Hands the file to the recovery store: the kept row groups plus what {@code rest} writes,
     * {@code extra} records more than the file holds; or counts them as lost.
     */
    void giveUp(String error, long extra, RecoveryStore.Body body) {
      long total = records + extra;
      RecoveryStore store = owner.recovery;
      String what = total + " records of key " + key.key() + " in partition " + key.partition() + " (for "
          + owner.sink.locate(path) + ")";
      try {
        if (store == null) {
          owner.lost(key, total, "Cannot write " + what + ": " + error);
          return;
        }
        RecoveryStore.Entry manifest = new RecoveryStore.Entry(null, path, key.partition(), key.key(), total,
            Flusher.RETRIES + 1, 0, error, null, owner.layout.runId(), kept == null ? null : kept.resumeToken());
        try {
          store.hold(manifest, body);
        } catch (Exception | OutOfMemoryError e) {
          owner.lost(key, total, "Cannot write " + what + ": " + error + "; nor keep them in the recovery store "
              + store.location() + ": " + e + "; these records are lost");
          dropKept(true);
          return;
        }
        owner.stats.inRecovery.add(total);
        owner.stats.recoveryFiles.increment();
        owner.listener.held(key, total, error);
        if (owner.warnedRecovery.compareAndSet(false, true)) {
          Flusher.Log.LOG.warn("Cannot write {} after {} attempts: {}; kept it in the recovery store {} (further"
              + " such files are counted in the summary)", owner.sink.locate(path), Flusher.RETRIES + 1, error,
              store.location());
        }
      } finally {
        dropKept();
        release();
      }
    }

    /** On an encoder thread: (re)opens if needed, writes the footer, hands the commit to a committer. */
    void finishAndCommit() {
      long size;
      try {
        ensureOpen();
        size = owner.encoder().finish(file, owner.metadata);
      } catch (Exception | OutOfMemoryError e) {
        sealFailed(e);
        return;
      }
      owner.commitLater(() -> commit(size));
    }

    private void commit(long size) {
      try {
        owner.beforeCommit(path, records);
        pending.commit();
      } catch (Exception | OutOfMemoryError e) {
        sealFailed(e);
        return;
      }
      dropKept();
      owner.stats.records.add(records);
      owner.stats.files.increment();
      owner.stats.bytes.add(size);
      if (size < FlushStats.SMALL_FILE_BYTES) {
        owner.stats.smallFiles.increment();
      }
      owner.listener.committed(key, path, records, size);
      if (owner.debug) {
        Flusher.Log.LOG.debug("wrote {} records to {} ({})", records, path, first.reason());
      }
      release();
      owner.finished();
    }

    private void sealFailed(Throwable e) {
      broken(e);
      if (file == null && !rebuild) {
        release();
        owner.finished(); // its records could not be read back and are counted as lost
        return;
      }
      Flusher.Log.LOG.debug("Cannot write {} (attempt {} of {})", owner.sink.locate(path), sealAttempts + 1,
          Flusher.RETRIES + 1, e);
      if (sealAttempts++ < Flusher.RETRIES) {
        owner.retryLater(this::finishAndCommit, sealAttempts - 1);
        return;
      }
      try {
        giveUp(e.toString(), 0, out -> owner.encoder().finish(resumeOn(out, owner.encoder()), owner.metadata));
      } finally {
        owner.finished();
      }
    }
  }
}
