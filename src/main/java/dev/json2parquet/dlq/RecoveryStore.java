package dev.json2parquet.dlq;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/**
 * Holds encoded Parquet files that could not be committed to the sink, each with a manifest of
 * what is needed to commit it later ({@code json2parquet recover}). Implementations are
 * thread-safe (several flusher threads hold files at once) and tolerate another process working on
 * the same store: an entry that vanished was recovered or discarded by someone else.
 */
public interface RecoveryStore {

  /**
   * One stored file's manifest.
   *
   * @param id the store's name for the entry (null in what is passed to {@link #hold})
   * @param path the relative path the file was meant for, and is committed to by {@code recover}
   * @param partition the raw values of the partition template (an element may be null)
   * @param key the raw values of the key template (an element may be null)
   * @param records the records in the file
   * @param attempts commits tried so far (the flusher's, then every {@code recover}'s)
   * @param autoAttempts of those, the ones {@code convert} made with {@code try_auto_recover}
   * @param lastError why the last attempt failed
   * @param time when the file was stored (set by {@link #hold})
   * @param runId the run that wrote it
   * @param resume null when the stored bytes are the whole file; else the sink's token for the first
   *     bytes it keeps itself ({@code Sink.Kept#resumeToken}: an S3 multipart upload and its parts),
   *     and the stored bytes are the rest of the file, which {@code recover} adds before completing it
   */
  record Entry(String id, String path, List<String> partition, List<String> key, long records, int attempts,
      int autoAttempts, String lastError, Instant time, String runId, String resume) {

    /** An entry whose stored bytes are the whole file. */
    public Entry(String id, String path, List<String> partition, List<String> key, long records, int attempts,
        int autoAttempts, String lastError, Instant time, String runId) {
      this(id, path, partition, key, records, attempts, autoAttempts, lastError, time, runId, null);
    }

    /** This entry after one more failed attempt. */
    public Entry failedAgain(String error, boolean automatic) {
      return new Entry(id, path, partition, key, records, attempts + 1, autoAttempts + (automatic ? 1 : 0), error,
          time, runId, resume);
    }
  }

  /** Writes a stored file's bytes. */
  @FunctionalInterface
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Where the store is, for messages (a directory or a URL). */
  String location();

  /**
   * Stores a file: its bytes from {@code body}, then its manifest. On return both are durable (for
   * the file store: written to temporary names, fsynced, renamed, directory fsynced), so the
   * records count as in recovery. Storing the same path of the same run again replaces the entry.
   *
   * @return the stored entry, with its id and time
   * @throws IOException when either cannot be written; then nothing of it is in the store
   */
  Entry hold(Entry manifest, Body body) throws IOException;

  /**
   * Every complete entry (manifest present), oldest first. Manifests that cannot be parsed are
   * left out and logged.
   *
   * @throws IOException when the store cannot be listed; an absent store is empty
   */
  List<Entry> list() throws IOException;

  /** The stored file's bytes. */
  InputStream open(Entry entry) throws IOException;

  /** Durably replaces the entry's manifest (e.g. after {@link Entry#failedAgain}). */
  void update(Entry entry) throws IOException;

  /** Durably removes the entry: its manifest first, then its file. Removing an absent entry does nothing. */
  void remove(Entry entry) throws IOException;

  /**
   * Removes every stored file of run {@code runId} (used when a crashed run is rolled back and its
   * inputs are converted again, so that nothing is doubled), including files of that run whose
   * manifest was never written.
   *
   * @return the number of records the removed entries held
   * @throws IOException when the store cannot be read or changed
   */
  long discardRun(String runId) throws IOException;
}
