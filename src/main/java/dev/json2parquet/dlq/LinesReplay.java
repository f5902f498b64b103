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

  /**
   * Writes the fields every replay marker starts with, in both stores: {@code run_id}, {@code state}
   * and the filter ({@code source}, {@code error}, {@code since}, each null when not set).
   */
  static void writeMarkerFields(com.fasterxml.jackson.core.JsonGenerator g, String runId, String state,
      DeadLetterFilter filter) throws java.io.IOException {
    g.writeStringField("run_id", runId);
    g.writeStringField("state", state);
    g.writeStringField("source", filter.source());
    g.writeStringField("error", filter.error());
    g.writeStringField("since", filter.since() == null ? null : filter.since().toString());
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
