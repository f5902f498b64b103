package dev.json2parquet.dlq;

import dev.json2parquet.config.Config;
import dev.json2parquet.sink.Sink;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;

/**
 * Commits the files held in a recovery store to their intended paths: {@code json2parquet recover},
 * and {@code convert} with {@code try_auto_recover}.
 *
 * <p>Exactly once: a file is committed to the path it was meant for (the file sink renames over
 * an existing file, an object store replaces the key), and removed from the store only after the
 * commit returned. A crash between the two leaves the entry; the next run commits the same bytes to
 * the same name again, which replaces the file instead of adding a second one. Not thread-safe: one
 * recovery at a time per store.
 */
public final class Recovery {
  /**
   * Test hook: the system property {@value} = N makes the JVM halt right after the N-th commit,
   * before the entry is removed (the window a crash can hit). Unset in every normal run.
   */
  public static final String TEST_HALT_AFTER_COMMITS = "json2parquet.test.haltAfterCommits";

  /**
   * What a recovery did.
   *
   * @param committed files committed and removed from the store
   * @param failed files whose commit failed again (they stay, with one more attempt counted)
   * @param waiting files not tried because they used up {@code recovery_attempts} automatic attempts
   */
  public record Result(int committed, long committedRecords, int failed, long failedRecords, int waiting,
      long waitingRecords) {
    /** Whether nothing is left in the store that was there at the start. */
    public boolean ok() {
      return failed == 0 && waiting == 0;
    }
  }

  private final RecoveryStore store;
  private final Sink sink;
  private final PrintStream out;
  private final PrintStream err;
  /** Runs whose held files are left alone (see {@link #skipRuns}). */
  private java.util.Set<String> rolledBackLater = java.util.Set.of();

  /** Reports each committed file on {@code out}, each problem on {@code err}. */
  public Recovery(RecoveryStore store, Sink sink, PrintStream out, PrintStream err) {
    this.store = store;
    this.sink = sink;
    this.out = out;
    this.err = err;
  }

  /** The command that recovers what {@code config}'s runs hold, for messages. */
  public static String command(Config config) {
    String cmd = "json2parquet recover -o " + (config.writerType().equals("s3") ? s3Url(config) : config.outDir());
    if (!config.recoveryDir().toAbsolutePath().normalize()
        .equals(config.outDir().resolve("_recovery").toAbsolutePath().normalize())) {
      cmd += " --recovery " + config.recoveryDir();
    }
    return cmd;
  }

  /** {@code s3://BUCKET/PREFIX}: the S3 sink's output as {@code -o} takes it. */
  private static String s3Url(Config config) {
    String prefix = (String) config.value("s3_prefix");
    return "s3://" + config.value("s3_bucket_name") + (prefix == null || prefix.isEmpty() ? "" : "/" + prefix);
  }

  /**
   * Leaves alone the files of these runs: runs that stopped without finishing, whose next run
   * discards what they hold (committing it would double its records). Returns this.
   */
  public Recovery skipRuns(java.util.Set<String> runIds) {
    this.rolledBackLater = java.util.Set.copyOf(runIds);
    return this;
  }

  /**
   * Tries every stored file once, oldest first.
   *
   * @param automatic whether {@code convert} runs this ({@code try_auto_recover}); counted separately
   * @param autoLimit with {@code automatic}: files that already had this many automatic attempts
   *     are left for a person; 0 = no limit
   * @throws IOException when the store cannot be listed
   */
  public Result run(boolean automatic, int autoLimit) throws IOException {
    int haltAfter = Integer.getInteger(TEST_HALT_AFTER_COMMITS, -1);
    int committed = 0;
    int failed = 0;
    int waiting = 0;
    long committedRecords = 0;
    long failedRecords = 0;
    long waitingRecords = 0;
    for (RecoveryStore.Entry e : store.list()) {
      String target = sink.locate(e.path());
      if (e.runId() != null && rolledBackLater.contains(e.runId())) {
        waiting++;
        waitingRecords += e.records();
        err.println("json2parquet: " + target + " (" + e.records() + " records) is not recovered: it belongs to run "
            + e.runId() + ", which stopped without finishing (killed or crashed); converting that run's inputs again"
            + " rolls it back, discards this file and writes its records anew");
        continue;
      }
      if (automatic && autoLimit > 0 && e.autoAttempts() >= autoLimit) {
        waiting++;
        waitingRecords += e.records();
        err.println("json2parquet: " + target + " (" + e.records() + " records) waits for `json2parquet recover`: "
            + "its " + autoLimit + " automatic attempts (recovery_attempts) are used up; last error: " + e.lastError());
        continue;
      }
      String error;
      try {
        commit(e);
        committed++;
        committedRecords += e.records();
        if (committed == haltAfter) {
          Runtime.getRuntime().halt(137);
        }
      } catch (NoSuchFileException gone) {
        continue; // recovered or discarded meanwhile by another process
      } catch (IOException | RuntimeException ex) {
        error = ex.toString();
        failed++;
        failedRecords += e.records();
        RecoveryStore.Entry again = e.failedAgain(error, automatic);
        String kept;
        try {
          store.update(again);
          kept = "it stays in the recovery store (attempt " + again.attempts() + ")";
        } catch (IOException update) {
          kept = "it stays in the recovery store; Cannot count the attempt: " + update;
        }
        err.println("json2parquet: Cannot recover " + target + " (" + e.records() + " records of key " + e.key()
            + " in partition " + e.partition() + "): " + error + "; " + kept);
        continue;
      }
      try {
        store.remove(e);
      } catch (IOException ex) {
        // committed: a later run commits it again to the same name, which replaces it
        err.println("json2parquet: Cannot remove " + e.id() + " from the recovery store " + store.location() + ": " + ex
            + "; " + target + " is committed, and recovering it again replaces it");
      }
      out.println("recovered " + target + " (" + e.records() + " records)");
    }
    return new Result(committed, committedRecords, failed, failedRecords, waiting, waitingRecords);
  }

  private void commit(RecoveryStore.Entry e) throws IOException {
    try (InputStream in = store.open(e)) {
      // a file half-uploaded to S3 continues its multipart upload; the store holds the rest of it
      Sink.Pending file = e.resume() == null ? sink.create(e.path()) : sink.resume(e.resume(), e.path());
      try {
        in.transferTo(file.stream());
        file.commit();
      } finally {
        file.abort(); // a no-op after commit
      }
    }
  }

  /** {@code N files (R records) recovered, ...}: the one-line summary. */
  public String summary(Result r) {
    StringBuilder s = new StringBuilder("json2parquet: ").append(r.committed()).append(" files (")
        .append(r.committedRecords()).append(" records) recovered from ").append(store.location());
    if (r.failed() > 0) {
      s.append("; ").append(r.failed()).append(" files (").append(r.failedRecords())
          .append(" records) still failing, still in recovery");
    }
    if (r.waiting() > 0) {
      s.append("; ").append(r.waiting()).append(" files (").append(r.waitingRecords())
          .append(" records) wait for `json2parquet recover`");
    }
    return s.toString();
  }
}
