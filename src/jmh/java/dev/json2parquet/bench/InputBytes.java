package dev.json2parquet.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JSON bytes a benchmark has consumed. JMH reports the field as a rate next to the primary score,
 * labelled {@code inputBytes} in the benchmark's unit (ops/s): read it as input bytes per second,
 * the MB/s figure of BENCHMARKS.md times a million.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class InputBytes {
  public long inputBytes;

  @Setup(Level.Iteration)
  public void reset() {
    inputBytes = 0;
  }
}
