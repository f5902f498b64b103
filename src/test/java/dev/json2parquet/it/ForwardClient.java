package dev.json2parquet.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * A forward-protocol client written from the Forward Protocol Specification v1 (and
 * ../shared/reference/fluent-forward.md), independent of the server's code: it builds Message,
 * Forward, PackedForward and CompressedPackedForward messages, EventTime values, the PING answer to
 * HELO, and reads acks. msgpack-core packs and unpacks.
 */
final class ForwardClient implements AutoCloseable {
  final Socket socket;
  final OutputStream out;
  final MessageUnpacker in;

  ForwardClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    out = socket.getOutputStream();
    InputStream raw = socket.getInputStream();
    in = MessagePack.newDefaultUnpacker(raw);
  }

  /** EventTime: ext type 0, big-endian uint32 seconds then uint32 nanoseconds. */
  static void eventTime(MessageBufferPacker p, long seconds, long nanos) throws IOException {
    p.packExtensionTypeHeader((byte) 0, 8);
    p.writePayload(ByteBuffer.allocate(8).putInt((int) seconds).putInt((int) nanos).array());
  }

  static void record(MessageBufferPacker p, Map<String, Object> r) throws IOException {
    p.packMapHeader(r.size());
    for (Map.Entry<String, Object> e : r.entrySet()) {
      p.packString(e.getKey());
      value(p, e.getValue());
    }
  }

  private static void value(MessageBufferPacker p, Object v) throws IOException {
    if (v instanceof String s) {
      p.packString(s);
    } else if (v instanceof Long || v instanceof Integer) {
      p.packLong(((Number) v).longValue());
    } else if (v instanceof Number n) {
      p.packDouble(n.doubleValue());
    } else if (v instanceof Boolean b) {
      p.packBoolean(b);
    } else if (v instanceof List<?> l) {
      p.packArrayHeader(l.size());
      for (Object o : l) {
        value(p, o);
      }
    } else if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> mm = (Map<String, Object>) m;
      record(p, mm);
    } else {
      p.packNil();
    }
  }

  static void options(MessageBufferPacker p, String chunk, boolean gzip) throws IOException {
    p.packMapHeader((chunk != null ? 1 : 0) + (gzip ? 1 : 0));
    if (chunk != null) {
      p.packString("chunk").packString(chunk);
    }
    if (gzip) {
      p.packString("compressed").packString("gzip");
    }
  }

  /** Message mode: {@code [tag, time, record, option]}, the time an integer. */
  static byte[] message(String tag, long seconds, Map<String, Object> r, String chunk) throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(chunk == null ? 3 : 4).packString(tag).packLong(seconds);
    record(p, r);
    if (chunk != null) {
      options(p, chunk, false);
    }
    return p.toByteArray();
  }

  /** An entry {@code [EventTime, record]}, or {@code [[EventTime, {}], record]} with metadata. */
  static void entry(MessageBufferPacker p, Instant t, Map<String, Object> r, boolean metadata) throws IOException {
    p.packArrayHeader(2);
    if (metadata) {
      p.packArrayHeader(2);
      eventTime(p, t.getEpochSecond(), t.getNano());
      p.packMapHeader(1).packString("otel").packString("x");
    } else {
      eventTime(p, t.getEpochSecond(), t.getNano());
    }
    record(p, r);
  }

  /** Forward mode: {@code [tag, [[time, record], ...], option]}. */
  static byte[] forward(String tag, List<Map<String, Object>> rs, Instant t, String chunk, boolean metadata)
      throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(3).packString(tag).packArrayHeader(rs.size());
    for (Map<String, Object> r : rs) {
      entry(p, t, r, metadata);
    }
    options(p, chunk, false);
    return p.toByteArray();
  }

  /** PackedForward, or CompressedPackedForward with {@code gzip} (the entries in two gzip members). */
  static byte[] packed(String tag, List<Map<String, Object>> rs, Instant t, String chunk, boolean gzip)
      throws IOException {
    MessageBufferPacker e = MessagePack.newDefaultBufferPacker();
    for (Map<String, Object> r : rs) {
      entry(e, t, r, false);
    }
    byte[] entries = e.toByteArray();
    if (gzip) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int half = entries.length / 2;
      try (GZIPOutputStream g = new GZIPOutputStream(b)) {
        g.write(entries, 0, half);
      }
      try (GZIPOutputStream g = new GZIPOutputStream(b)) {
        g.write(entries, half, entries.length - half);
      }
      entries = b.toByteArray();
    }
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(3).packString(tag).packBinaryHeader(entries.length).writePayload(entries);
    options(p, chunk, gzip);
    return p.toByteArray();
  }

  void send(byte[] message) throws IOException {
    out.write(message);
    out.flush();
  }

  /** Reads the server's next msgpack value. */
  Value read() throws IOException {
    return in.unpackValue();
  }

  /** The chunk id of the next ack. */
  String ack() throws IOException {
    Value v = read();
    return v.asMapValue().map().get(org.msgpack.value.ValueFactory.newString("ack")).asStringValue().asString();
  }

  /** Answers the server's HELO with a PING for {@code sharedKey}; returns the PONG. */
  Value handshake(String sharedKey) throws Exception {
    return handshake(sharedKey, "", null);
  }

  /**
   * As {@link #handshake(String)}, with user/password authentication: the PING's last two elements
   * are the username and {@code hex(sha512(auth + username + password))}, auth being the HELO's salt
   * (a null password sends an empty digest).
   */
  Value handshake(String sharedKey, String user, String password) throws Exception {
    Value helo = read();
    List<Value> h = helo.asArrayValue().list();
    if (!h.get(0).asStringValue().asString().equals("HELO")) {
      throw new IllegalStateException("expected HELO, got " + helo);
    }
    byte[] nonce = h.get(1).asMapValue().map().get(org.msgpack.value.ValueFactory.newString("nonce"))
        .asRawValue().asByteArray();
    byte[] salt = {(byte) 0xC3, 0x28, 's', 'a', 'l', 't'}; // not valid UTF-8 on purpose
    String host = "test-client";
    MessageDigest md = MessageDigest.getInstance("SHA-512");
    md.update(salt);
    md.update(host.getBytes(StandardCharsets.UTF_8));
    md.update(nonce);
    md.update(sharedKey.getBytes(StandardCharsets.UTF_8));
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(6).packString("PING").packString(host);
    p.packRawStringHeader(salt.length).writePayload(salt);
    p.packString(HexFormat.of().formatHex(md.digest())).packString(user);
    if (password == null) {
      p.packString("");
    } else {
      Value auth = h.get(1).asMapValue().map().get(org.msgpack.value.ValueFactory.newString("auth"));
      MessageDigest ud = MessageDigest.getInstance("SHA-512");
      ud.update(auth.asRawValue().asByteArray());
      ud.update(user.getBytes(StandardCharsets.UTF_8));
      ud.update(password.getBytes(StandardCharsets.UTF_8));
      p.packString(HexFormat.of().formatHex(ud.digest()));
    }
    send(p.toByteArray());
    return read();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
