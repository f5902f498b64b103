package dev.json2parquet.buffer;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.record.RecordSchema;
import java.util.function.Consumer;

/**
 * Chooses the buffer from the configuration ({@code buffer_type}), the one place that names an
 * implementation: {@code convert} and {@code serve} open their pipeline through it.
 *
 * <p><b>The acceptance contract</b> every buffer keeps, which {@code serve} builds its answers on:
 * a record counts as <em>accepted</em> once {@link Buffer#append} has returned for it. From then on
 * the buffer owns it: it is handed to the flusher (by size, bytes, interval, {@link Buffer#flushAll}
 * or {@link Buffer#flush}) and written, held in the recovery store, or counted as lost, exactly once.
 * An HTTP 200/201 or a forward-protocol ack is sent only after that return. For the memory buffer
 * "holds" means this process's memory (a kill -9 loses what is buffered; SIGTERM flushes it). The
 * Redis buffer is not a {@link Buffer} (it stores the original line bytes, not columns, and its
 * flushing is {@code RedisFlush}'s): {@code serve} reaches it through {@code pipeline.RedisIntake},
 * whose {@code accept} returns only once Redis acknowledged the records, which keeps the same
 * contract with every ack durable; {@code convert} through {@code RedisConvert}.
 * {@code append} may block while the buffer is over its byte budget; callers that must not wait
 * long check {@link Buffer#heldBytes} against the budget first ({@code serve} answers 429).
 */
public final class Buffers {
  private Buffers() {}

  /**
   * The buffer {@code config} asks for.
   *
   * @param schema the records' columns
   * @param ticker the clock flush_interval is measured on
   * @param flusher receives each batch the buffer hands over, on the thread that triggered it
   * @throws ConfigException for a buffer type this build does not have
   */
  public static Buffer open(Config config, RecordSchema schema, Ticker ticker, Consumer<Batch> flusher) {
    return switch (config.bufferType()) {
      case "memory" -> new MemoryBuffer(schema, config.bufferSize(), config.maxBufferBytes(),
          Math.max(1, (long) (config.flushIntervalSeconds() * 1e9)), ticker, flusher);
      case "redis" -> throw new ConfigException("Cannot open buffer_type = \"redis\" as an in-process buffer: the Redis"
          + " buffer runs through RedisConvert (convert) and RedisIntake (serve)");
      default -> throw new ConfigException("Cannot use buffer_type = \"" + config.bufferType()
          + "\": this build has no such buffer");
    };
  }
}
