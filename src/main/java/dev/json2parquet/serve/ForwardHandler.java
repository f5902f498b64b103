package dev.json2parquet.serve;

import dev.json2parquet.pipeline.Pipeline;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.RejectedExecutionException;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forward-protocol connection (Fluent Bit {@code out_forward}, Fluentd {@code out_forward},
 * Fluency): with a shared key, the HELO/PING/PONG handshake first (with users, HELO carries an
 * {@code auth} salt and PING must name a user and its password digest); then each message (whole, as
 * {@link ForwardFrames} cuts them) is decoded by {@link ForwardEvents} and its records handed to the
 * pipeline on a worker, one message at a time and in order (the connection stops reading while one
 * is being handled). When a message carries {@code chunk}, {@code {"ack": chunk}} is written in one
 * write once its records are held (accepted or dead-lettered); a chunk id already held is acked
 * again without buffering it twice ({@link ChunkIds}). A message that is not valid msgpack or not a
 * forward message closes this connection only, with one log line. Heartbeats (nil) are ignored.
 */
final class ForwardHandler extends SimpleChannelInboundHandler<byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardHandler.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Server server;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private boolean busy;
  private String nonce;
  /** The HELO's user-authentication salt (hex), when users are configured; else empty. */
  private String authSalt = "";
  private boolean authenticated;

  ForwardHandler(Server server) {
    this.server = server;
    this.authenticated = server.settings.sharedKey() == null;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (!authenticated) {
      byte[] n = new byte[16];
      RANDOM.nextBytes(n);
      nonce = HexFormat.of().formatHex(n);
      if (server.settings.users() != null) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        authSalt = HexFormat.of().formatHex(salt);
      }
      MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
      p.packArrayHeader(2).packString("HELO").packMapHeader(3)
          .packString("nonce").packString(nonce)
          .packString("auth").packString(authSalt)
          .packString("keepalive").packBoolean(true);
      ctx.writeAndFlush(Unpooled.wrappedBuffer(p.toByteArray()));
    }
    super.channelActive(ctx);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, byte[] frame) throws Exception {
    // also while stopping: the bytes were taken from the client by TCP already (Server's shutdown)
    if (ForwardEvents.isHeartbeat(frame)) {
      server.metrics.forward("heartbeat");
      return;
    }
    if (!authenticated) {
      ping(ctx, frame);
      return;
    }
    queue.add(frame);
    next(ctx);
  }

  /** Whether no message is queued or being handled. On the event loop. */
  boolean settled() {
    return !busy && queue.isEmpty();
  }

  /** Hands the next queued message to a worker unless one is being handled. On the event loop. */
  private void next(ChannelHandlerContext ctx) {
    if (busy || queue.isEmpty()) {
      return;
    }
    byte[] frame = queue.poll();
    busy = true;
    ctx.channel().config().setAutoRead(false);
    server.handedOver();
    try {
      server.workers.execute(() -> {
        byte[] ack = null;
        Throwable failed = null;
        try {
          ack = handle(ctx, frame);
        } catch (Throwable e) {
          failed = e;
        }
        byte[] a = ack;
        Throwable f = failed;
        ctx.channel().eventLoop().execute(() -> {
          busy = false;
          if (f != null) {
            server.answered();
            fail(ctx, f);
            return;
          }
          ctx.channel().config().setAutoRead(true);
          // the next message is handed over before this one counts as answered, so the count of
          // messages in flight does not touch 0 while a closed connection's queue still holds some
          next(ctx);
          if (a != null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(a)).addListener(x -> server.answered());
          } else {
            server.answered();
          }
        });
      });
    } catch (RejectedExecutionException e) {
      server.answered();
      ctx.close();
    }
  }

  /** On a worker: decodes one message, feeds the pipeline, returns the ack to write (or null). */
  private byte[] handle(ChannelHandlerContext ctx, byte[] frame) throws IOException {
    ForwardEvents.Events ev;
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(frame)) {
      if (u.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw new ForwardEvents.ProtocolException("a message must be an array, got " + u.getNextFormat().getValueType());
      }
      int size = u.unpackArrayHeader();
      if (size < 1 || u.getNextFormat().getValueType() != ValueType.STRING) {
        throw new ForwardEvents.ProtocolException("a message must start with its tag (a string)");
      }
      String tag = u.unpackString();
      ev = server.events.events(frame, u, size, tag);
    }
    String source = "forward:" + ctx.channel().remoteAddress() + ":" + ev.tag();
    if (ev.chunk() != null) {
      switch (server.chunks.start(ev.chunk())) {
        case DONE -> {
          server.metrics.forward("duplicate");
          return ack(ev.chunk());
        }
        case BUSY -> {
          server.metrics.forward("duplicate");
          return null;
        }
        default -> { }
      }
    }
    try {
      Pipeline.Result r = server.pipeline.acceptRecords(ev.records(), source, ev.chunk());
      server.metrics.records("forward", r.accepted(), r.rejected().size());
      server.metrics.forward("events");
    } catch (IOException | RuntimeException e) {
      if (ev.chunk() != null) {
        server.chunks.failed(ev.chunk());
      }
      throw e;
    }
    if (ev.chunk() == null) {
      return null;
    }
    server.chunks.done(ev.chunk());
    server.metrics.forward("ack");
    return ack(ev.chunk());
  }

  private static byte[] ack(String chunk) throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packMapHeader(1).packString("ack").packString(chunk);
    return p.toByteArray();
  }

  /** The client's PING: checks the shared key's digest, answers PONG, closes on a mismatch. */
  private void ping(ChannelHandlerContext ctx, byte[] frame) throws IOException {
    String reason = null;
    byte[] salt = null;
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(frame)) {
      int n = u.getNextFormat().getValueType() == ValueType.ARRAY ? u.unpackArrayHeader() : -1;
      if (n < 4 || u.getNextFormat().getValueType() != ValueType.STRING || !u.unpackString().equals("PING")) {
        reason = "expected PING (shared key authentication is required)";
      } else {
        String hostname = new String(u.unpackValue().asRawValue().asByteArray(), StandardCharsets.UTF_8);
        salt = u.unpackValue().asRawValue().asByteArray();
        String digest = new String(u.unpackValue().asRawValue().asByteArray(), StandardCharsets.UTF_8);
        String expected = sha512Hex(salt, hostname.getBytes(StandardCharsets.UTF_8),
            nonce.getBytes(StandardCharsets.UTF_8), server.settings.sharedKey().getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
            digest.getBytes(StandardCharsets.US_ASCII))) {
          reason = "shared_key mismatch";
        } else if (server.settings.users() != null) {
          reason = user(u, n);
        }
      }
    } catch (IOException | RuntimeException e) {
      reason = "bad PING: " + e.getMessage();
    }
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    if (reason != null) {
      server.metrics.forward("refused");
      LOG.warn("Cannot accept forward connection from {}: {}", ctx.channel().remoteAddress(), reason);
      p.packArrayHeader(5).packString("PONG").packBoolean(false).packString(reason).packString("").packString("");
      ctx.writeAndFlush(Unpooled.wrappedBuffer(p.toByteArray())).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    authenticated = true;
    String host = hostname();
    p.packArrayHeader(5).packString("PONG").packBoolean(true).packString("").packString(host)
        .packString(sha512Hex(salt, host.getBytes(StandardCharsets.UTF_8), nonce.getBytes(StandardCharsets.UTF_8),
            server.settings.sharedKey().getBytes(StandardCharsets.UTF_8)));
    ctx.writeAndFlush(Unpooled.wrappedBuffer(p.toByteArray()));
  }

  /**
   * Checks the PING's username and password digest, {@code hex(sha512(auth_salt + username +
   * password))} (the forward protocol's handshake); returns the refusal's reason, or null. An
   * unknown user and a wrong password get the same answer.
   */
  private String user(MessageUnpacker u, int n) throws IOException {
    if (n < 6) {
      return "username/password authentication is required";
    }
    String user = new String(u.unpackValue().asRawValue().asByteArray(), StandardCharsets.UTF_8);
    byte[] digest = u.unpackValue().asRawValue().asByteArray();
    byte[] password = server.settings.users().get(user);
    // an unknown user is checked against a digest too, so both refusals take the same time
    String expected = sha512Hex(authSalt.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8),
        password == null ? new byte[0] : password);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), digest) || password == null) {
      return "username/password mismatch";
    }
    return null;
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "json2parquet";
    }
  }

  static String sha512Hex(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-512");
      for (byte[] p : parts) {
        md.update(p);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent && !busy) {
      ctx.close(); // nothing received for client_timeout
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, cause);
  }

  private void fail(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
        ? cause.getCause() : cause;
    if (c instanceof dev.json2parquet.buffer.RedisBuffer.LostException && ctx.channel().isActive()) {
      LOG.warn("{}; closed the connection from {} without an ack (the client sends the message again)", c.getMessage(),
          ctx.channel().remoteAddress());
    } else if (ctx.channel().isActive()) {
      LOG.warn("Cannot read forward message from {}: {}; closed that connection", ctx.channel().remoteAddress(),
          c instanceof StackOverflowError ? "nested too deeply" : c.getMessage() == null ? c.toString() : c.getMessage());
    }
    ctx.close();
  }
}
