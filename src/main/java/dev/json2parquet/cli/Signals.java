package dev.json2parquet.cli;

import dev.json2parquet.pipeline.StopRequest;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT, SIGTERM and SIGHUP handlers for a run (sun.misc.Signal from jdk.unsupported: the JDK's
 * only way to turn a signal into an orderly stop rather than an exit through shutdown hooks). The
 * first signal asks the run to stop ({@link StopRequest}); a second one, while the run is still
 * committing, halts the JVM at once with the second signal's exit code: files being written stay
 * behind as hidden {@code .inprogress} files and the run's journal stays "running", so the next run
 * rolls it back. A signal the process ignores (SIGHUP under nohup) stays ignored. {@link #close}
 * puts the previous handlers back.
 */
final class Signals implements AutoCloseable {
  /**
   * Test hook (a system property naming a file): the first signal's handler creates that file once
   * the stop is requested, so a test knows the signal was taken before it lets a paused run go on.
   */
  static final String TEST_SIGNALLED = "json2parquet.test.signalled";

  private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

  private Signals() {}

  /** What a second signal did to the memory path's run (the default). */
  static final String MEMORY_HALTED = "files being written were left as .inprogress, and the next run into the same"
      + " output removes what this run wrote and converts its inputs again";
  /** What a second signal did while flushing the Redis buffer. */
  static final String REDIS_FLUSH_HALTED = "the batches being written stay in Redis, unacknowledged; their keys stay"
      + " locked until redis_lock_ttl passes, then the next flush writes them again under the same names (files being"
      + " written were left as hidden .inprogress files)";

  /** What a second signal did to serve with the Redis buffer. */
  static final String SERVE_REDIS_HALTED = "the records serve accepted are in Redis and stay there, and so do the batches"
      + " being written (their keys locked until redis_lock_ttl passes): run `json2parquet flush` with the same Redis"
      + " settings (or start serve again) to write them";

  /**
   * What a second signal did to serve with the memory buffer: {@code buffered} is the number of
   * records accepted (acknowledged) and not yet in a committed file, read when the signal comes.
   */
  static String serveMemoryHalted(long buffered) {
    return (buffered < 0 ? "the records accepted and not yet written" : buffered + " records accepted and not yet"
        + " written") + " are LOST (acknowledged, held only in memory); files committed before stay, files being"
        + " written were left as hidden .inprogress files, which the next serve into the same output removes";
  }

  static Signals install(StopRequest stop, PrintStream err) {
    return install(stop, err, MEMORY_HALTED);
  }

  /** As above; {@code halted}: what the second signal's line says was left behind. */
  static Signals install(StopRequest stop, PrintStream err, String halted) {
    return install(stop, err, () -> halted);
  }

  /** As above; {@code halted} is asked when the second signal comes (from the signal's thread). */
  static Signals install(StopRequest stop, PrintStream err, java.util.function.Supplier<String> halted) {
    Signals s = new Signals();
    s.handle("INT", ExitCodes.INTERRUPTED, stop, err, halted);
    s.handle("TERM", ExitCodes.TERMINATED, stop, err, halted);
    s.handle("HUP", ExitCodes.HANGUP, stop, err, halted);
    return s;
  }

  private void handle(String name, int exitCode, StopRequest stop, PrintStream err,
      java.util.function.Supplier<String> halted) {
    Signal signal = new Signal(name);
    try {
      SignalHandler old = Signal.handle(signal, sig -> {
        if (stop.request(name, exitCode)) {
          markSignalledForTest();
        } else {
          String what;
          try {
            what = halted.get();
          } catch (RuntimeException e) {
            what = "what was being written is left as it was";
          }
          err.println("json2parquet: second signal (SIG" + name + "): stopped at once; " + what);
          err.flush();
          Runtime.getRuntime().halt(exitCode);
        }
      });
      if (old == SignalHandler.SIG_IGN) {
        Signal.handle(signal, old); // ignored by whoever started us (nohup): keep it so
      } else {
        previous.put(signal, old);
      }
    } catch (IllegalArgumentException e) {
      // the JVM keeps this signal for itself (-Xrs): it stops the JVM as it would have anyway
    }
  }

  private static void markSignalledForTest() {
    String path = System.getProperty(TEST_SIGNALLED);
    if (path != null) {
      try {
        java.nio.file.Files.createFile(java.nio.file.Path.of(path));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("test hook " + TEST_SIGNALLED + ": " + e, e);
      }
    }
  }

  @Override
  public void close() {
    previous.forEach((signal, handler) -> {
      try {
        Signal.handle(signal, handler);
      } catch (IllegalArgumentException e) {
        // cannot happen for a signal handled before
      }
    });
  }
}
