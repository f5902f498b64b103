package dev.json2parquet.dlq;

import dev.json2parquet.source.Input;
import java.io.IOException;
import java.util.List;

/**
 * Reads, removes and replays the dead letters of a store, for the {@code dlq} verbs; the writing
 * side is {@link DeadLetterQueue}. Chosen by {@link DeadLetterStores#open}. Not thread-safe: one
 * verb at a time per store. A store must not be changed ({@link #purge}, {@link #replay}) while a
 * conversion writes into it.
 */
public interface DeadLetterStore extends AutoCloseable {

  /** Where the store is, for messages (a directory, a Redis key). */
  String location();

  /**
   * Takes the store's lock, which every {@code dlq} verb holds while it runs, so that a replay or
   * purge never overlaps another verb (in this or another process). Released by closing it. A
   * store this user cannot change is read without a lock (changing it then fails).
   *
   * @throws IOException when the lock is held elsewhere ({@code Cannot lock ...: held by ...})
   */
  Lock lock() throws IOException;

  /** A held store lock. */
  interface Lock extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /** Receives envelopes in store order. */
  @FunctionalInterface
  interface Visitor {
    void accept(DeadLetter letter) throws IOException;
  }

  /**
   * Calls {@code visitor} with every envelope that {@code filter} matches, oldest store entry first.
   *
   * @return the number of stored entries that could not be read as envelopes (skipped; never removed)
   * @throws IOException when the store cannot be read
   */
  long scan(DeadLetterFilter filter, Visitor visitor) throws IOException;

  /**
   * Removes the envelopes {@code filter} matches; each removal is atomic per stored unit (a file is
   * rewritten to a temporary file and renamed over the old one), so a crash leaves each unit
   * either as it was or without the matched envelopes.
   *
   * @return the number removed
   */
  long purge(DeadLetterFilter filter) throws IOException;

  /**
   * Starts replaying the replayable envelopes ({@link DeadLetter#replayable()}) that {@code filter}
   * matches, as conversion run {@code runId}: durably records the replay first, so that a crash
   * at any later point can be finished or undone by {@link #recoverInterrupted}.
   */
  Replay replay(DeadLetterFilter filter, String runId) throws IOException;

  /** A replay in progress; the caller converts {@link #input()}, then calls exactly one of commit or abort. */
  interface Replay {
    /** The raw lines to convert, each mapped to its envelope's source and line; readable once. */
    Input input();

    /** Lines {@link #input()} has yielded so far. */
    long replayed();

    /** Matched envelopes that cannot be replayed (left in the store); known after the input is read. */
    long notReplayable();

    /** The first few of those, as {@code source:line: reason}. */
    List<String> notReplayableExamples();

    /**
     * Called once the conversion's output is committed and its dead-letter queue closed: durably
     * marks the replay done, then removes the replayed envelopes.
     */
    void commit() throws IOException;

    /** Called when the conversion failed and its output was undone: forgets the replay, removing nothing. */
    void abort() throws IOException;
  }

  /** Undoes what conversion run {@code runId} wrote to its output (files and recovery store entries). */
  @FunctionalInterface
  interface RunUndo {
    void undo(String runId) throws IOException;
  }

  /**
   * Finishes replays that a crash interrupted after their output was committed (removes the
   * replayed envelopes), and undoes those interrupted before (calls {@code undo} and removes the
   * run's own dead letters), so that each line is again in exactly one place.
   *
   * @return one line per replay finished or undone, for a person
   */
  List<String> recoverInterrupted(RunUndo undo) throws IOException;

  /** Releases what the store holds open (a Redis connection pool); the file store holds nothing. */
  @Override
  default void close() {
  }

}
