package dev.json2parquet.serve;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.json2parquet.pipeline.Pipeline;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.ZlibDecoder;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP API of {@code serve} (README "serve", {@code samples/openapi.yaml}), one instance per
 * connection at the end of Netty's HTTP pipeline (codec, gzip decoding, aggregation up to
 * max_body_bytes). Health checks and cheap answers are given on the event loop; record batches,
 * single records, flushes and stats run on the server's workers, and the connection stops reading
 * until the answer is written. Statuses follow what Fluent Bit's out_http retries: 2xx only once
 * the records are held, 429 (buffer full) and 503 (sink down and recovery failing, or shutting
 * down) with Retry-After, 400 only for a payload that can never be valid.
 */
final class HttpApi extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpApi.class);
  static final AttributeKey<Boolean> BUSY = AttributeKey.valueOf("j2p.busy");
  static final AttributeKey<Boolean> MID_REQUEST = AttributeKey.valueOf("j2p.midRequest");
  /** {@link System#nanoTime} when the current request's headers arrived (at shutdown, earlier ones are served). */
  static final AttributeKey<Long> HEADERS_AT = AttributeKey.valueOf("j2p.headersAt");
  static final AttributeKey<String> BAD_ENCODING = AttributeKey.valueOf("j2p.badEncoding");
  /** The endpoint of the request being received (for answers given before aggregation). */
  static final AttributeKey<String> ENDPOINT = AttributeKey.valueOf("j2p.endpoint");
  /** Set once a request body could not be decoded: its 400 is sent once, the connection closed. */
  static final AttributeKey<Boolean> UNDECODABLE = AttributeKey.valueOf("j2p.undecodable");
  /** Errors listed in a /records answer; the counts cover every line. */
  static final int MAX_ERRORS_LISTED = 1000;
  private static final AtomicLong REQUESTS = new AtomicLong();
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

  private final Server server;

  HttpApi(Server server) {
    this.server = server;
  }

  /**
   * Before aggregation: notes whether a request is being received (for the client timeout: 408
   * mid-request, a plain close between requests, nothing while a request is being handled) and
   * whether its Content-Encoding is one the decompressor does not know (415).
   */
  static final class Tracker extends ChannelInboundHandlerAdapter {
    /** Whether {@code ch} is between a request's headers and its answer. On the event loop. */
    static boolean receiving(io.netty.channel.Channel ch) {
      return Boolean.TRUE.equals(ch.attr(MID_REQUEST).get()) || Boolean.TRUE.equals(ch.attr(BUSY).get());
    }


    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof HttpRequest r) {
        ctx.channel().attr(MID_REQUEST).set(true);
        ctx.channel().attr(HEADERS_AT).set(System.nanoTime());
        ctx.channel().attr(ENDPOINT).set(endpoint(new QueryStringDecoder(r.uri()).path()));
        String enc = r.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        String e = enc == null ? "identity" : enc.trim().toLowerCase(Locale.ROOT);
        boolean known = e.equals("identity") || e.equals("gzip") || e.equals("x-gzip") || e.equals("deflate")
            || e.equals("x-deflate");
        ctx.channel().attr(BAD_ENCODING).set(known ? null : enc);
      }
      if (msg instanceof LastHttpContent) {
        ctx.channel().attr(MID_REQUEST).set(false);
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        if (Boolean.TRUE.equals(ctx.channel().attr(BUSY).get())) {
          return; // the server is answering; the client waits
        }
        if (Boolean.TRUE.equals(ctx.channel().attr(MID_REQUEST).get())) {
          FullHttpResponse r = json(HttpResponseStatus.REQUEST_TIMEOUT, error("the request was not received within"
              + " client_timeout"));
          r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
          ctx.close();
        }
        return;
      }
      super.userEventTriggered(ctx, evt);
    }
  }

  /** Netty's aggregator with a JSON 413 for a body over max_body_bytes (after gzip decoding). */
  static final class Aggregator extends HttpObjectAggregator {
    private final long max;
    private final ServeMetrics metrics;

    Aggregator(long maxBytes, ServeMetrics metrics) {
      super((int) Math.min(Integer.MAX_VALUE, maxBytes), true);
      this.max = maxBytes;
      this.metrics = metrics;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      ctx.writeAndFlush(tooLarge(oversized)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * A request with {@code Expect: 100-continue} (curl sends it for bodies over 1 KiB) and a
     * Content-Length over the limit: Netty's own answer is a 413 without a body and without a
     * count; this one is the same JSON 413 as every other, counted, and the connection is closed.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, io.netty.channel.ChannelPipeline p) {
      Object r = super.newContinueResponse(start, maxContentLength, p);
      if (r instanceof FullHttpResponse f && f.status().code() == 413) {
        io.netty.util.ReferenceCountUtil.release(f);
        return tooLarge(start);
      }
      return r;
    }

    private FullHttpResponse tooLarge(HttpMessage request) {
      String path = request instanceof HttpRequest r ? new QueryStringDecoder(r.uri()).path() : "other";
      metrics.request(endpoint(path), 413, 0);
      FullHttpResponse r = json(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          error("the request body is larger than max_body_bytes (" + max + " bytes, after gzip decoding)"));
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      HttpUtil.setContentLength(r, r.content().readableBytes());
      return r;
    }
  }

  /** The metrics label of a request path: the endpoint, or {@code other}. */
  static String endpoint(String path) {
    return switch (path) {
      case "/records", "/record", "/record/", "/flush", "/healthcheck", "/health/live", "/health/ready", "/stats",
          "/metrics" -> path.equals("/record/") ? "/record" : path;
      default -> "other";
    };
  }

  /**
   * Netty's gzip/deflate decoding that also refuses a gzip body that ends before its stream does (a
   * truncated member). Netty's HTTP decoder reads concatenated gzip members, so it waits for a next
   * member and never says whether the last one was complete; the compressed bytes of a gzip body
   * are therefore kept (references to the received buffers, no copy; at most about
   * max_body_bytes) and, at the body's end, read once more through the JDK's
   * {@link java.util.zip.GZIPInputStream}, which throws at a truncated member (an inflate of the
   * body, paid by gzip bodies only). A body that cannot be decoded (corrupt, truncated, not
   * compressed at all) passes nothing on: the aggregator never completes the request, so none of
   * its lines is buffered, and {@link HttpApi#exceptionCaught} answers 400 and closes the
   * connection. One instance per connection; runs on its event loop.
   */
  static final class Decompressor extends HttpContentDecompressor {
    private final long maxCompressedBytes;
    private ZlibDecoder current;
    private boolean failed;
    /** The compressed bytes of the gzip body being received (null: not gzip). */
    private io.netty.buffer.CompositeByteBuf compressed;

    /** @param maxBodyBytes max_body_bytes (decoded); a gzip body's compressed bytes may exceed it by a little */
    Decompressor(long maxBodyBytes) {
      this.maxCompressedBytes = maxBodyBytes + maxBodyBytes / 64 + (64 << 10);
    }

    @Override
    protected EmbeddedChannel newContentDecoder(String contentEncoding) throws Exception {
      EmbeddedChannel ch = super.newContentDecoder(contentEncoding);
      current = ch == null ? null : ch.pipeline().get(ZlibDecoder.class);
      String e = contentEncoding.trim().toLowerCase(Locale.ROOT);
      if (current != null && (e.equals("gzip") || e.equals("x-gzip"))) {
        compressed = Unpooled.compositeBuffer(Integer.MAX_VALUE);
      }
      return ch;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
      if (msg instanceof HttpRequest) {
        current = null;
        dropCompressed();
      }
      if (failed) {
        return; // the rest of a body that could not be decoded: dropped (the connection is being closed)
      }
      try {
        if (msg instanceof io.netty.handler.codec.http.HttpContent c && compressed != null
            && c.content().isReadable()) {
          if (compressed.readableBytes() + (long) c.content().readableBytes() > maxCompressedBytes) {
            throw new DecompressionException("the compressed body is larger than max_body_bytes allows");
          }
          compressed.addComponent(true, c.content().retainedDuplicate());
        }
        if (msg instanceof LastHttpContent && compressed != null) {
          // before Netty's decoder sees the end: it passes decoded content (and the end) on itself
          checkComplete();
        }
        super.decode(ctx, msg, out);
      } catch (Exception e) {
        failed = true;
        for (Object o : out) {
          io.netty.util.ReferenceCountUtil.release(o);
        }
        out.clear();
        throw e;
      } finally {
        if (msg instanceof LastHttpContent || failed) {
          dropCompressed();
        }
      }
    }

    /** Reads the whole gzip body again with the JDK: a member cut short throws {@link java.io.EOFException}. */
    private void checkComplete() {
      try (InputStream in = new java.util.zip.GZIPInputStream(new ByteBufInputStream(compressed.duplicate()), 8192)) {
        byte[] skip = new byte[8192];
        while (in.read(skip) >= 0) {
          // discard: only whether the stream ends where a member ends matters
        }
      } catch (java.io.EOFException e) {
        throw new DecompressionException("the gzip stream is truncated (the body ended inside a gzip member)", e);
      } catch (IOException e) {
        throw new DecompressionException(e.getMessage(), e);
      }
    }

    private void dropCompressed() {
      if (compressed != null) {
        compressed.release();
        compressed = null;
      }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
      dropCompressed();
      super.handlerRemoved(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      dropCompressed();
      super.channelInactive(ctx);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    long t0 = System.nanoTime();
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    String endpoint = endpoint(path);
    boolean keepAlive = HttpUtil.isKeepAlive(req) && !server.stopping;
    if (!req.decoderResult().isSuccess()) {
      answer(ctx, endpoint, t0, json(HttpResponseStatus.BAD_REQUEST, error("bad HTTP request: "
          + req.decoderResult().cause().getMessage())), false);
      return;
    }
    HttpMethod m = req.method();
    // health checks: no token, answered on the event loop
    switch (path) {
      case "/healthcheck" -> {
        answer(ctx, endpoint, t0, json(HttpResponseStatus.OK, body(g -> g.writeStringField("status", "ok"))), keepAlive);
        return;
      }
      case "/health/live" -> {
        answer(ctx, endpoint, t0, json(HttpResponseStatus.OK, body(g -> g.writeStringField("status", "live"))), keepAlive);
        return;
      }
      case "/health/ready" -> {
        Pipeline.Health h = server.pipeline.health();
        String why = server.stopping ? "shutting down" : h.bufferFailing() != null ? "the buffer is failing: "
            + h.bufferFailing() : h.sinkFailing() != null ? "the sink is failing: "
            + h.sinkFailing() : h.bufferFull() ? "the buffer is full (max_buffer_bytes)" : null;
        answer(ctx, endpoint, t0, json(why == null ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
            body(g -> {
              g.writeBooleanField("ready", why == null);
              if (why != null) {
                g.writeStringField("reason", why);
              }
            })), keepAlive);
        return;
      }
      default -> { }
    }
    if (endpoint.equals("other")) {
      answer(ctx, endpoint, t0, json(HttpResponseStatus.NOT_FOUND, error("no such endpoint: " + path)), keepAlive);
      return;
    }
    String denied = denied(req);
    if (denied != null) {
      FullHttpResponse r = json(HttpResponseStatus.UNAUTHORIZED, error(denied));
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      answer(ctx, endpoint, t0, r, keepAlive);
      return;
    }
    boolean post = endpoint.equals("/records") || endpoint.equals("/record") || endpoint.equals("/flush");
    if (post != m.equals(HttpMethod.POST) || !post && !m.equals(HttpMethod.GET)) {
      FullHttpResponse r = json(HttpResponseStatus.METHOD_NOT_ALLOWED, error(m + " is not allowed on " + path));
      r.headers().set(HttpHeaderNames.ALLOW, post ? "POST" : "GET");
      answer(ctx, endpoint, t0, r, keepAlive);
      return;
    }
    if (endpoint.equals("/metrics")) {
      work(ctx, req, endpoint, t0, keepAlive, () -> {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(server.metrics.scrape()));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, ServeMetrics.CONTENT_TYPE);
        return r;
      });
      return;
    }
    if (endpoint.equals("/stats")) {
      work(ctx, req, endpoint, t0, keepAlive, () -> json(HttpResponseStatus.OK, Stats.render(server)));
      return;
    }
    if (endpoint.equals("/flush")) {
      List<String> keys = uri.parameters().get("key");
      String key = keys == null || keys.isEmpty() ? null : keys.get(0);
      work(ctx, req, endpoint, t0, keepAlive, () -> {
        long f0 = System.nanoTime();
        int n = server.pipeline.flush(key, 5, TimeUnit.MINUTES);
        server.metrics.flushed(System.nanoTime() - f0);
        return json(HttpResponseStatus.OK, body(g -> {
          g.writeNumberField("flushed_keys", n);
          if (key != null) {
            g.writeStringField("key", key);
            if (n == 0) {
              g.writeStringField("message", "the key " + key + " holds no buffered records (as /stats names keys);"
                  + " nothing was flushed");
            }
          }
        }));
      });
      return;
    }
    // /records and /record
    String bad = ctx.channel().attr(BAD_ENCODING).get();
    if (bad != null) {
      answer(ctx, endpoint, t0, json(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, error("Content-Encoding " + bad
          + " is not supported; send gzip or none")), keepAlive);
      return;
    }
    String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    String mime = ct == null ? "" : ct.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    boolean lines = mime.equals("application/x-ndjson") || mime.equals("application/jsonl")
        || mime.equals("application/json-lines") || mime.equals("application/x-jsonlines");
    boolean array = mime.equals("application/json");
    if (endpoint.equals("/record") ? !array && !mime.isEmpty() : !lines && !array) {
      answer(ctx, endpoint, t0, json(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, error("Content-Type "
          + (ct == null ? "(none)" : ct) + " is not accepted on " + path + "; send "
          + (endpoint.equals("/record") ? "application/json" : "application/x-ndjson or application/json"))), keepAlive);
      return;
    }
    FullHttpResponse refused = refusal(ctx);
    if (refused != null) {
      answer(ctx, endpoint, t0, refused, keepAlive);
      return;
    }
    String key = req.headers().get(IDEMPOTENCY_KEY);
    if (key != null && (key.isBlank() || key.length() > 255)) {
      answer(ctx, endpoint, t0, json(HttpResponseStatus.BAD_REQUEST, error("Idempotency-Key must hold 1 to 255"
          + " characters")), keepAlive);
      return;
    }
    String source = "http:" + ctx.channel().remoteAddress() + "#" + REQUESTS.incrementAndGet();
    if (endpoint.equals("/record")) {
      work(ctx, req, endpoint, t0, keepAlive, () -> once(req, endpoint, key, chunk -> single(req, source, chunk)));
    } else {
      work(ctx, req, endpoint, t0, keepAlive, () -> once(req, endpoint, key, chunk -> batch(req, source, lines, chunk)));
    }
  }

  @FunctionalInterface
  interface Handled {
    /** Handles the request; {@code chunk} (null: none) makes Redis take its records at most once. */
    FullHttpResponse run(String chunk) throws Exception;
  }

  /**
   * Handles a request at most once per {@code Idempotency-Key} (null: no key, handled as it comes).
   * The request's identity is its endpoint, key and the SHA-256 of its body. Memory buffer: the
   * first final answer (200, 201, 400) is remembered ({@link IdempotencyKeys}) and replayed, with
   * {@code Idempotent-Replayed: true}, to a retry; a retry while the first is still being handled
   * gets 409 with Retry-After; an answer that asks for a retry (429, 503, 500) is not remembered.
   * Redis buffer: the identity is the chunk id of the request's records, so Redis takes them at
   * most once within its marker window, across restarts and instances too, and a retry is answered
   * as the first was.
   */
  private FullHttpResponse once(FullHttpRequest req, String endpoint, String key, Handled h) throws Exception {
    if (key == null) {
      return h.run(null);
    }
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(req.content().nioBuffer());
    byte[] body = md.digest();
    md.update((endpoint + "\n" + key.strip() + "\n").getBytes(StandardCharsets.UTF_8));
    String id = "http:" + java.util.HexFormat.of().formatHex(md.digest(body));
    if (server.pipeline.redisBuffered()) {
      return h.run(id);
    }
    IdempotencyKeys.Answer first = server.requests.start(id);
    if (first == IdempotencyKeys.BUSY) {
      return retry(HttpResponseStatus.CONFLICT, "a request with this Idempotency-Key and body is being handled", 1);
    }
    if (first != null) {
      FullHttpResponse r = json(HttpResponseStatus.valueOf(first.status()), first.body());
      r.headers().set(IDEMPOTENT_REPLAYED, "true");
      return r;
    }
    FullHttpResponse r;
    try {
      r = h.run(null);
    } catch (Exception | Error e) {
      server.requests.failed(id);
      throw e;
    }
    int code = r.status().code();
    if (code == 200 || code == 201 || code == 400) {
      byte[] answer = io.netty.buffer.ByteBufUtil.getBytes(r.content());
      server.requests.done(id, code, answer.length <= IdempotencyKeys.MAX_BODY_BYTES ? answer : countsOnly(answer));
    } else {
      server.requests.failed(id);
    }
    return r;
  }

  /** A /records answer without its error list (kept so that remembered answers stay small). */
  private static byte[] countsOnly(byte[] answer) throws IOException {
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(answer);
    tree.putArray("errors");
    tree.put("errors_omitted", true);
    return (tree.toString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * 503 while stopping (for a request whose headers arrived after the stop began; earlier ones are
   * served) or while the sink fails and the recovery store too; 429 while the buffer is full.
   */
  private FullHttpResponse refusal(ChannelHandlerContext ctx) {
    Long headersAt = ctx.channel().attr(HEADERS_AT).get();
    if (server.stopping && (headersAt == null || headersAt - server.stoppedAt >= 0)) {
      return retry(HttpResponseStatus.SERVICE_UNAVAILABLE, "the server is shutting down", 5);
    }
    Pipeline.Health h = server.pipeline.health();
    if (h.bufferFailing() != null) {
      return retry(HttpResponseStatus.SERVICE_UNAVAILABLE, "the buffer cannot take records: " + h.bufferFailing(), 5);
    }
    if (h.sinkFailing() != null && h.recoveryFailing() != null) {
      return retry(HttpResponseStatus.SERVICE_UNAVAILABLE, "the sink is failing and the recovery store cannot hold"
          + " files: " + h.recoveryFailing(), 30);
    }
    if (h.bufferFull()) {
      return retry(HttpResponseStatus.TOO_MANY_REQUESTS, "the buffer holds max_buffer_bytes (" + h.budgetBytes()
          + " bytes); retry after the next flush", 1);
    }
    return null;
  }

  private static FullHttpResponse retry(HttpResponseStatus status, String why, int seconds) {
    FullHttpResponse r = json(status, error(why));
    r.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
    return r;
  }

  private FullHttpResponse single(FullHttpRequest req, String source, String chunk) throws IOException {
    byte[] b = new byte[req.content().readableBytes()];
    req.content().readBytes(b);
    byte[] r = server.dates.rewrite(b, 0, b.length);
    Pipeline.Result result = server.pipeline.accept(List.of(r == null ? b : r), source, chunk);
    server.metrics.records("http", result.accepted(), result.rejected().size());
    if (result.accepted() == 1) {
      return json(HttpResponseStatus.CREATED, body(g -> g.writeNumberField("accepted", 1)));
    }
    String why = result.rejected().isEmpty() ? "empty body" : result.rejected().get(0).error();
    return json(HttpResponseStatus.BAD_REQUEST, error(why));
  }

  private FullHttpResponse batch(FullHttpRequest req, String source, boolean lines, String chunk) throws IOException {
    Pipeline.Result result;
    if (lines) {
      try (InputStream in = new ByteBufInputStream(req.content())) {
        result = server.pipeline.accept(in, source, server.dates, chunk);
      }
    } else {
      List<byte[]> records = new ArrayList<>();
      byte[] body = new byte[req.content().readableBytes()];
      req.content().readBytes(body);
      try (JsonParser p = JSON.createParser(body)) {
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_OBJECT) {
          records.add(slice(p, body));
        } else if (t == JsonToken.START_ARRAY) {
          while (p.nextToken() != JsonToken.END_ARRAY) {
            records.add(slice(p, body));
          }
        } else {
          return json(HttpResponseStatus.BAD_REQUEST, error("the body must be a JSON array of records or one record"));
        }
        if (p.nextToken() != null) {
          return json(HttpResponseStatus.BAD_REQUEST, error("the body holds more than one JSON value"));
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return json(HttpResponseStatus.BAD_REQUEST, error("the body is not valid JSON: " + e.getOriginalMessage()));
      }
      for (int i = 0; i < records.size(); i++) {
        byte[] b = records.get(i);
        byte[] r = server.dates.rewrite(b, 0, b.length);
        if (r != null) {
          records.set(i, r);
        }
      }
      result = server.pipeline.accept(records, source, chunk);
    }
    server.metrics.records("http", result.accepted(), result.rejected().size());
    Pipeline.Result r = result;
    return json(HttpResponseStatus.OK, body(g -> {
      g.writeNumberField("accepted", r.accepted());
      g.writeNumberField("rejected", r.rejected().size());
      g.writeArrayFieldStart("errors");
      for (int i = 0; i < r.rejected().size() && i < MAX_ERRORS_LISTED; i++) {
        g.writeStartObject();
        g.writeNumberField("line", r.rejected().get(i).line());
        g.writeStringField("error", r.rejected().get(i).error());
        g.writeEndObject();
      }
      g.writeEndArray();
    }));
  }

  /**
   * The bytes of the JSON value the parser is at, exactly as sent (escapes, number digits and all),
   * found by the parser's byte offsets; the parser is left at the value's last token.
   */
  private static byte[] slice(JsonParser p, byte[] body) throws IOException {
    long from = p.currentTokenLocation().getByteOffset();
    p.skipChildren();
    p.finishToken(); // a string's end is found only once it is read
    long to = p.currentLocation().getByteOffset();
    return java.util.Arrays.copyOfRange(body, (int) from, (int) to);
  }

  /** Null when the request may pass (no token configured, or the right one), else the 401's reason. */
  private String denied(FullHttpRequest req) {
    byte[] token = server.settings.token();
    if (token == null) {
      return null;
    }
    String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return "a bearer token is required (Authorization: Bearer ...)";
    }
    return MessageDigest.isEqual(token, h.substring(7).trim().getBytes(StandardCharsets.UTF_8)) ? null
        : "the bearer token is not accepted";
  }

  @FunctionalInterface
  interface Work {
    FullHttpResponse run() throws Exception;
  }

  /** Runs {@code w} on a worker, with the connection not reading meanwhile; answers 500 when it fails. */
  private void work(ChannelHandlerContext ctx, FullHttpRequest req, String endpoint, long t0, boolean keepAlive, Work w) {
    req.retain();
    ctx.channel().config().setAutoRead(false);
    ctx.channel().attr(BUSY).set(true);
    server.handedOver();
    try {
      server.workers.execute(() -> {
        FullHttpResponse r;
        try {
          r = w.run();
        } catch (dev.json2parquet.buffer.RedisBuffer.LostException e) {
          // Redis did not take the records: nothing is acknowledged, the client sends them again
          r = retry(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage(), 5);
        } catch (dev.json2parquet.redis.RedisRetry.GaveUpException e) {
          // Redis is unreachable (e.g. a flush round could not list its keys): retry later
          r = retry(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage(), 5);
        } catch (Exception | OutOfMemoryError e) {
          LOG.warn("Cannot handle a request to {}", endpoint, e);
          r = json(HttpResponseStatus.INTERNAL_SERVER_ERROR, error("Cannot handle the request: " + reason(e)));
        } finally {
          req.release();
        }
        FullHttpResponse response = r;
        ctx.channel().eventLoop().execute(() -> {
          ctx.channel().attr(BUSY).set(false);
          answer(ctx, endpoint, t0, response, keepAlive && !server.stopping).addListener(f -> server.answered());
          ctx.channel().config().setAutoRead(true);
        });
      });
    } catch (RejectedExecutionException e) {
      req.release();
      ctx.channel().attr(BUSY).set(false);
      ctx.channel().config().setAutoRead(true);
      answer(ctx, endpoint, t0, retry(HttpResponseStatus.SERVICE_UNAVAILABLE, "the server is shutting down", 5), false)
          .addListener(f -> server.answered());
    }
  }

  /** Why a file could not be read, in words ({@code no such file}), without the exception's class name. */
  static String fileReason(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return reason(e);
  }

  /** An exception's message for an error body: never a Java class name (the log has the stack trace). */
  static String reason(Throwable e) {
    String m = e.getMessage();
    if (e instanceof OutOfMemoryError) {
      return "out of memory";
    }
    return m == null || m.isBlank() ? "an internal error (the server's log has the details)" : m;
  }

  private io.netty.channel.ChannelFuture answer(ChannelHandlerContext ctx, String endpoint, long t0,
      FullHttpResponse r, boolean keepAlive) {
    server.metrics.request(endpoint, r.status().code(), System.nanoTime() - t0);
    HttpUtil.setContentLength(r, r.content().readableBytes());
    if (keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      return ctx.writeAndFlush(r);
    }
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    io.netty.channel.ChannelFuture f = ctx.writeAndFlush(r);
    f.addListener(ChannelFutureListener.CLOSE);
    return f;
  }

  /**
   * A body that {@link Decompressor} could not decode gets one 400 naming the reason (Fluent Bit's
   * out_http drops a 4xx instead of retrying a closed connection forever), counted in /metrics,
   * and the connection is closed; anything else closes the connection.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause;
    while (c != null && !(c instanceof DecompressionException)) {
      c = c.getCause();
    }
    if (c == null) {
      ctx.close();
      return;
    }
    if (ctx.channel().attr(UNDECODABLE).getAndSet(true) != null) {
      return;
    }
    ctx.channel().config().setAutoRead(false);
    String endpoint = ctx.channel().attr(ENDPOINT).get();
    answer(ctx, endpoint == null ? "other" : endpoint, System.nanoTime(), json(HttpResponseStatus.BAD_REQUEST,
        error("Cannot decode the request body (Content-Encoding gzip/deflate): the compressed stream is corrupt or"
            + " truncated (" + c.getMessage() + "); nothing of this request was buffered")), false);
  }

  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  static byte[] body(Body b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      b.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  static byte[] error(String message) {
    return body(g -> g.writeStringField("error", message));
  }

  static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return r;
  }

  /** The body of GET /stats. */
  static final class Stats {
    private Stats() {}

    static byte[] render(Server server) {
      Pipeline p = server.pipeline;
      var fs = p.flushStats();
      Map<String, Pipeline.KeyStats> keys = p.stats();
      return body(g -> {
        g.writeStringField("run", server.runId);
        g.writeNumberField("received", p.feedLines());
        g.writeNumberField("accepted", p.acceptedRecords());
        g.writeNumberField("dead_lettered", p.deadLettered());
        g.writeNumberField("written", fs.records());
        g.writeNumberField("files", fs.files());
        g.writeNumberField("in_recovery", fs.recordsInRecovery());
        g.writeNumberField("lost", fs.failedRecords());
        g.writeNumberField("buffer_bytes", p.health().heldBytes());
        g.writeObjectFieldStart("keys");
        for (Map.Entry<String, Pipeline.KeyStats> e : keys.entrySet()) {
          Pipeline.KeyStats s = e.getValue();
          g.writeObjectFieldStart(e.getKey());
          g.writeNumberField("buffered", s.buffered());
          g.writeNumberField("written", s.written());
          g.writeNumberField("in_recovery", s.inRecovery());
          g.writeNumberField("lost", s.lost());
          g.writeNumberField("files", s.files());
          g.writeStringField("last_flush", s.lastFlush());
          g.writeStringField("last_error", s.lastError());
          g.writeEndObject();
        }
        g.writeEndObject();
      });
    }
  }
}
