package dev.json2parquet.serve;

import dev.json2parquet.pipeline.Pipeline;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The {@code /metrics} of serve, from the Prometheus Java client (its own registry, not the global
 * one, so tests can run several servers in one JVM): request counts and latencies per endpoint,
 * forward messages and acks, records accepted and rejected, flush latencies, and per key the same
 * counters as {@code /stats}, read from the pipeline at each scrape. Thread-safe.
 */
final class ServeMetrics {
  static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram requestSeconds;
  private final Counter records;
  private final Counter forward;
  private final Histogram flushSeconds;

  ServeMetrics(Pipeline pipeline) {
    requests = Counter.builder().name("json2parquet_http_requests").help("HTTP requests by endpoint and status")
        .labelNames("endpoint", "status").register(registry);
    requestSeconds = Histogram.builder().name("json2parquet_http_request_duration_seconds")
        .help("Time from a request's arrival to its answer, by endpoint").labelNames("endpoint")
        .classicOnly().register(registry);
    records = Counter.builder().name("json2parquet_records").help("Records received, by outcome and listener")
        .labelNames("outcome", "listener").register(registry);
    forward = Counter.builder().name("json2parquet_forward_messages")
        .help("Forward-protocol messages by kind (events, heartbeat, ack, duplicate, refused)")
        .labelNames("kind").register(registry);
    flushSeconds = Histogram.builder().name("json2parquet_flush_duration_seconds")
        .help("Time a requested flush (POST /flush, shutdown) took until every file was committed")
        .classicOnly().register(registry);
    GaugeWithCallback.builder().name("json2parquet_key_buffered_records")
        .help("Records of a key accepted and not yet written").labelNames("key")
        .callback(cb -> pipeline.stats().forEach((k, s) -> cb.call(s.buffered(), k))).register(registry);
    CounterWithCallback.builder().name("json2parquet_key_written_records")
        .help("Records of a key written to committed files").labelNames("key")
        .callback(cb -> pipeline.stats().forEach((k, s) -> cb.call(s.written(), k))).register(registry);
    CounterWithCallback.builder().name("json2parquet_key_files")
        .help("Files of a key committed").labelNames("key")
        .callback(cb -> pipeline.stats().forEach((k, s) -> cb.call(s.files(), k))).register(registry);
    CounterWithCallback.builder().name("json2parquet_key_recovery_records")
        .help("Records of a key held in the recovery store").labelNames("key")
        .callback(cb -> pipeline.stats().forEach((k, s) -> cb.call(s.inRecovery(), k))).register(registry);
    CounterWithCallback.builder().name("json2parquet_dead_lettered_records")
        .help("Records dead-lettered (all listeners)")
        .callback(cb -> cb.call(pipeline.deadLettered())).register(registry);
    GaugeWithCallback.builder().name("json2parquet_buffer_bytes")
        .help("Bytes the buffer holds, of max_buffer_bytes")
        .callback(cb -> cb.call(pipeline.health().heldBytes())).register(registry);
  }

  void request(String endpoint, int status, long nanos) {
    requests.labelValues(endpoint, Integer.toString(status)).inc();
    requestSeconds.labelValues(endpoint).observe(nanos / 1e9);
  }

  void records(String listener, long accepted, long rejected) {
    records.labelValues("accepted", listener).inc(accepted);
    records.labelValues("rejected", listener).inc(rejected);
  }

  void forward(String kind) {
    forward.labelValues(kind).inc();
  }

  void flushed(long nanos) {
    flushSeconds.observe(nanos / 1e9);
  }

  byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toByteArray();
  }
}
