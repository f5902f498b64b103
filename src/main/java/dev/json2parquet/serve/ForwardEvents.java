package dev.json2parquet.serve;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;
import dev.json2parquet.pipeline.Pipeline;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.MsgpackJson;
import dev.json2parquet.record.MsgpackRecordReader;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;

/**
 * Turns one forward-protocol message (a whole msgpack value, as {@link ForwardFrames} cuts them)
 * into its records, following the Forward Protocol Specification v1 ({@code ../shared/reference/
 * fluent-forward.md}): Message {@code [tag, time, record, option?]}, Forward {@code [tag, [[time,
 * record], ...], option?]}, PackedForward {@code [tag, bin|str of entries, option?]} and, with
 * {@code {"compressed": "gzip"}}, CompressedPackedForward (gzip members may be concatenated). A time
 * is an integer (seconds), a float, or EventTime (ext type 0: big-endian uint32 seconds, uint32
 * nanoseconds); an entry is {@code [time, record]} or {@code [[time, metadata], record]}; group
 * markers (EventTime seconds 0xFFFFFFFF / 0xFFFFFFFE) are skipped. All msgpack decoding is
 * msgpack-core's. Each record is located in the message (no copy) and read later, straight into
 * the columns by {@link MsgpackRecordReader} or, when that declines, as the JSON object made of it:
 * the tag goes into {@code tagField} (a field, or {@code map.key} inside a map field, unless present)
 * and the event time into {@code time} (RFC 3339, nanoseconds kept) unless the record has one.
 * Thread-safe (its only state is one msgpack reader per thread).
 */
final class ForwardEvents {
  private static final JsonFactory JSON = new JsonFactory();

  /** A message that is not a valid forward-protocol message; the connection is closed. */
  static final class ProtocolException extends IOException {
    ProtocolException(String message) {
      super(message);
    }
  }

  /** Why a record cannot become JSON. */
  private static final class NotJson extends IOException {
    NotJson(String message) {
      super(message);
    }
  }

  /** What one message carries: its records, in order, each where it lies in the message. */
  record Events(String tag, List<ForwardRecord> records, String chunk, boolean heartbeat) { }

  /**
   * One record of a message: the msgpack value at {@code src[off, off + len)}, its tag and event
   * time. The pipeline reads it straight from msgpack ({@link MsgpackRecordReader}) when it can, and
   * otherwise from the JSON line {@link #json} makes of it, which throws for a record that cannot
   * become JSON at all (not a map, a map key that is not UTF-8, nested too deep): that record is
   * dead-lettered with its msgpack bytes.
   */
  final class ForwardRecord implements Pipeline.RecordInput {
    private final byte[] src;
    private final int off;
    private final int len;
    private final String tag;
    private final Instant time;

    ForwardRecord(byte[] src, int off, int len, String tag, Instant time) {
      this.src = src;
      this.off = off;
      this.len = len;
      this.tag = tag;
      this.time = time;
    }

    @Override
    public boolean appendTo(ColumnBatch batch) {
      MsgpackRecordReader r = readers.get();
      return r.usable() && r.append(src, off, len, tag, time.toString(), batch);
    }

    @Override
    public byte[] json() throws RecordException, IOException {
      try {
        return record(src, off, len, tag, time);
      } catch (NotJson e) {
        throw new RecordException(e.getMessage());
      }
    }

    @Override
    public byte[] raw() {
      return java.util.Arrays.copyOfRange(src, off, off + len);
    }

    @Override
    public int size() {
      return len;
    }
  }

  private final String tagMap;
  private final String tagKey;
  private final Set<String> timeNames;
  private final long maxBytes;
  /** One msgpack record reader per thread that accepts records (they keep per-record state). */
  private final ThreadLocal<MsgpackRecordReader> readers;

  /**
   * @param tagField where the tag goes: {@code field}, {@code map.key}, or empty for nowhere
   * @param timeNames top-level names that count as the record's time (time and its aliases)
   * @param maxBytes largest decompressed CompressedPackedForward payload
   * @param type the record type the records are read into
   */
  ForwardEvents(String tagField, Set<String> timeNames, long maxBytes, RecordType type) {
    int dot = tagField.indexOf('.');
    this.tagMap = tagField.isEmpty() ? null : dot < 0 ? null : tagField.substring(0, dot);
    this.tagKey = tagField.isEmpty() ? null : dot < 0 ? tagField : tagField.substring(dot + 1);
    this.timeNames = timeNames;
    this.maxBytes = maxBytes;
    this.readers = ThreadLocal.withInitial(() -> new MsgpackRecordReader(type, tagField, timeNames));
  }

  static boolean isHeartbeat(byte[] frame) {
    return frame.length == 1 && (frame[0] & 0xFF) == 0xC0;
  }

  /**
   * Reads the message of {@code frame} whose first array element (the tag) and array size were
   * already read by {@code u}, an unpacker over {@code frame} from its first byte.
   */
  Events events(byte[] frame, MessageUnpacker u, int size, String tag) throws IOException {
    if (size < 2 || size > 4) {
      throw new ProtocolException("a message is an array of 2 to 4 elements, got " + size);
    }
    List<ForwardRecord> records = new ArrayList<>();
    MessageFormat f = u.getNextFormat();
    String chunk;
    switch (f.getValueType()) {
      case INTEGER, FLOAT, EXTENSION -> { // Message
        Instant time = time(u);
        int from = (int) u.getTotalReadBytes();
        u.skipValue();
        int to = (int) u.getTotalReadBytes();
        int left = size - 3;
        chunk = left > 0 ? options(u).chunk : null;
        records.add(new ForwardRecord(frame, from, to - from, tag, time));
      }
      case ARRAY -> { // Forward
        int n = u.unpackArrayHeader();
        for (int i = 0; i < n; i++) {
          entry(u, frame, tag, records);
        }
        chunk = size > 2 ? options(u).chunk : null;
      }
      case STRING, BINARY -> { // PackedForward, CompressedPackedForward
        int len = f.getValueType() == ValueType.STRING ? u.unpackRawStringHeader() : u.unpackBinaryHeader();
        if (len < 0 || len > maxBytes) {
          throw new ProtocolException("entries of " + Integer.toUnsignedLong(len) + " bytes exceed max_body_bytes");
        }
        byte[] entries = u.readPayload(len);
        Options o = size > 2 ? options(u) : new Options(null, null);
        chunk = o.chunk;
        if ("gzip".equals(o.compressed)) {
          entries = gunzip(entries);
        } else if (o.compressed != null && !o.compressed.equals("text")) {
          throw new ProtocolException("unknown compression \"" + o.compressed + "\"");
        }
        try (MessageUnpacker e = MessagePack.newDefaultUnpacker(entries)) {
          while (e.hasNext()) {
            entry(e, entries, tag, records);
          }
        }
      }
      default -> throw new ProtocolException("the second element of a message must be a time, an array or"
          + " packed entries, got " + f.getValueType());
    }
    return new Events(tag, records, chunk, false);
  }

  private byte[] gunzip(byte[] gz) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, gz.length * 4));
    // GZIPInputStream reads concatenated members as one stream
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 8192)) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > maxBytes) {
          throw new ProtocolException("gzip entries decompress to more than max_body_bytes (" + maxBytes + ")");
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw new ProtocolException("bad gzip entries: " + e.getMessage());
    }
    return out.toByteArray();
  }

  private record Options(String chunk, String compressed) { }

  private Options options(MessageUnpacker u) throws IOException {
    if (u.getNextFormat().getValueType() != ValueType.MAP) {
      u.skipValue();
      return new Options(null, null);
    }
    int n = u.unpackMapHeader();
    String chunk = null;
    String compressed = null;
    for (int i = 0; i < n; i++) {
      String k = u.getNextFormat().getValueType() == ValueType.STRING ? u.unpackString() : null;
      if (k == null) {
        u.skipValue();
        u.skipValue();
        continue;
      }
      ValueType vt = u.getNextFormat().getValueType();
      if (k.equals("chunk") && (vt == ValueType.STRING || vt == ValueType.BINARY)) {
        chunk = new String(u.unpackValue().asRawValue().asByteArray(), StandardCharsets.UTF_8);
      } else if (k.equals("compressed") && vt == ValueType.STRING) {
        compressed = u.unpackString();
      } else {
        u.skipValue();
      }
    }
    return new Options(chunk, compressed);
  }

  /** One {@code [time, record]} entry; {@code src} holds the bytes {@code u} reads, from its first. */
  private void entry(MessageUnpacker u, byte[] src, String tag, List<ForwardRecord> records) throws IOException {
    if (u.getNextFormat().getValueType() != ValueType.ARRAY) {
      throw new ProtocolException("an entry must be [time, record], got " + u.getNextFormat().getValueType());
    }
    int n = u.unpackArrayHeader();
    if (n < 2) {
      throw new ProtocolException("an entry must be [time, record], got an array of " + n);
    }
    Instant time;
    if (u.getNextFormat().getValueType() == ValueType.ARRAY) { // [[time, metadata], record] (Fluent Bit 5.0.5+)
      int m = u.unpackArrayHeader();
      if (m < 1) {
        throw new ProtocolException("an entry's header must be [time, metadata]");
      }
      time = time(u);
      for (int i = 1; i < m; i++) {
        u.skipValue();
      }
    } else {
      time = time(u);
    }
    // the record is found by its offsets and decoded from them below (no msgpack value tree, no copy)
    int from = (int) u.getTotalReadBytes();
    u.skipValue();
    int to = (int) u.getTotalReadBytes();
    for (int i = 2; i < n; i++) {
      u.skipValue();
    }
    if (time != GROUP_MARKER) {
      records.add(new ForwardRecord(src, from, to - from, tag, time));
    }
  }

  /** A group start or end marker of Fluent Bit: not a record. */
  private static final Instant GROUP_MARKER = Instant.MIN;

  private static Instant time(MessageUnpacker u) throws IOException {
    MessageFormat f = u.getNextFormat();
    switch (f.getValueType()) {
      case INTEGER -> {
        return Instant.ofEpochSecond(u.unpackLong());
      }
      case FLOAT -> {
        double d = u.unpackDouble();
        long s = (long) Math.floor(d);
        return Instant.ofEpochSecond(s, Math.round((d - s) * 1e9));
      }
      case EXTENSION -> {
        ExtensionTypeHeader h = u.unpackExtensionTypeHeader();
        byte[] b = u.readPayload(h.getLength());
        if (h.getType() != 0 || h.getLength() != 8) {
          throw new ProtocolException("a time must be EventTime (ext type 0, 8 bytes), got ext type " + h.getType()
              + " of " + h.getLength() + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        long seconds = Integer.toUnsignedLong(bb.getInt());
        long nanos = Integer.toUnsignedLong(bb.getInt());
        if (seconds == 0xFFFFFFFFL || seconds == 0xFFFFFFFEL) {
          return GROUP_MARKER;
        }
        return Instant.ofEpochSecond(seconds, Math.min(nanos, 999_999_999L));
      }
      default -> throw new ProtocolException("a time must be an integer or EventTime, got " + f.getValueType());
    }
  }

  /**
   * The record at {@code src[off, off + len)} (one msgpack value) as a JSON object; throws with the
   * reason when it cannot be one (not a map, a map key that is not UTF-8, nested too deep).
   */
  private byte[] record(byte[] src, int off, int len, String tag, Instant time) throws IOException {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(src, off, len)) {
      if (u.getNextFormat().getValueType() != ValueType.MAP) {
        throw new NotJson("a forward record must be a map, got " + u.getNextFormat().getValueType());
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(len + 64);
      try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
        int n = u.unpackMapHeader();
        g.writeStartObject();
        boolean hasTime = false;
        boolean hasTag = false;
        for (int i = 0; i < n; i++) {
          String k = MsgpackJson.key(u);
          g.writeFieldName(k);
          hasTime |= timeNames.contains(k);
          if (tagKey != null && tagMap != null && k.equals(tagMap) && u.getNextFormat().getValueType() == ValueType.MAP) {
            writeMapWithTag(u, g, tag);
            hasTag = true;
          } else {
            hasTag |= tagKey != null && tagMap == null && k.equals(tagKey) || tagMap != null && k.equals(tagMap);
            MsgpackJson.value(u, g, 0);
          }
        }
        if (tagKey != null && !hasTag) {
          if (tagMap == null) {
            g.writeStringField(tagKey, tag);
          } else {
            g.writeObjectFieldStart(tagMap);
            g.writeStringField(tagKey, tag);
            g.writeEndObject();
          }
        }
        if (!hasTime) {
          g.writeStringField("time", time.toString());
        }
        g.writeEndObject();
      } catch (CharacterCodingException e) {
        throw new NotJson("a map key of the forward record is not valid UTF-8");
      } catch (MsgpackJson.TooDeep e) {
        throw new NotJson("the forward record nests deeper than " + dev.json2parquet.record.JsonRecordReader.MAX_DEPTH
            + " levels");
      }
      return out.toByteArray();
    }
  }

  private void writeMapWithTag(MessageUnpacker u, JsonGenerator g, String tag) throws IOException {
    int n = u.unpackMapHeader();
    g.writeStartObject();
    boolean has = false;
    for (int i = 0; i < n; i++) {
      String k = MsgpackJson.key(u);
      has |= k.equals(tagKey);
      g.writeFieldName(k);
      MsgpackJson.value(u, g, 1);
    }
    if (!has) {
      g.writeStringField(tagKey, tag);
    }
    g.writeEndObject();
  }
}
