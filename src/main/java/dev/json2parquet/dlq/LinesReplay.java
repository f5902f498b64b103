package dev.json2parquet.dlq;

import dev.json2parquet.source.Input;
import java.util.List;

/**
 * What the file and the Redis dead-letter stores' replays share: the input is one
 * {@link ReplayLines} stream over the matched envelopes, and the counts are that stream's. The
 * stores add {@link #commit} and {@link #abort}. Not thread safe, like the stream.
 */
abstract class LinesReplay implements DeadLetterStore.Replay {
  final DeadLetterFilter filter;
  final String runId;
  final ReplayLines stream;

  LinesReplay(DeadLetterFilter filter, String runId, ReplayLines stream) {
    this.filter = filter;
    this.runId = runId;
    this.stream = stream;
  }

  @Override
  public Input input() {
    return new Input("dlq replay", -1, false, null, () -> stream, stream);
  }

  @Override
  public long replayed() {
    return stream.replayed;
  }

  @Override
  public long notReplayable() {
    return stream.notReplayable;
  }

  @Override
  public List<String> notReplayableExamples() {
    return stream.examples;
  }
}
