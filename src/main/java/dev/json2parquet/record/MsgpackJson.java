package dev.json2parquet.record;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * msgpack values as JSON text, the way serve turns a forward event's record into a JSON line: str
 * as text (its bytes as they are, so a str that is not UTF-8 makes the record reader reject the
 * line), bin and ext as base64 strings, NaN and infinities as strings (JSON has none), uint64 beyond
 * {@code Long.MAX_VALUE} as its exact integer, map keys as text (a number or boolean key as its JSON
 * text). Shared by serve's JSON path and {@link MsgpackRecordReader}, so that both render nested
 * values byte for byte alike. All decoding is msgpack-core's. Stateless.
 */
public final class MsgpackJson {
  private MsgpackJson() {}

  /** A value nested deeper than {@link JsonRecordReader#MAX_DEPTH} levels. */
  public static final class TooDeep extends IOException {
    TooDeep() {
      super(null, null);
    }
  }

  /**
   * The next map key as text.
   *
   * @throws java.nio.charset.CharacterCodingException when a str or bin key is not valid UTF-8
   */
  public static String key(MessageUnpacker u) throws IOException {
    MessageFormat f = u.getNextFormat();
    if (f.getValueType() == ValueType.STRING || f.getValueType() == ValueType.BINARY) {
      int len = f.getValueType() == ValueType.STRING ? u.unpackRawStringHeader() : u.unpackBinaryHeader();
      byte[] b = u.readPayload(len);
      return text(b, 0, len);
    }
    return u.unpackValue().toJson(); // a number or boolean key: its text
  }

  /** {@code b[off, off + len)} as a String, or throws when it is not valid UTF-8. */
  static String text(byte[] b, int off, int len) throws java.nio.charset.CharacterCodingException {
    boolean ascii = true;
    for (int i = off; i < off + len; i++) {
      ascii &= b[i] >= 0;
    }
    if (ascii) { // nearly every key: no decoder needed
      return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, len)).toString();
  }

  /** Writes the next msgpack value as JSON; {@code depth} is its nesting level (the record's fields: 0). */
  public static void value(MessageUnpacker u, JsonGenerator g, int depth) throws IOException {
    if (depth > JsonRecordReader.MAX_DEPTH) {
      throw new TooDeep();
    }
    MessageFormat f = u.getNextFormat();
    switch (f.getValueType()) {
      case NIL -> {
        u.unpackNil();
        g.writeNull();
      }
      case BOOLEAN -> g.writeBoolean(u.unpackBoolean());
      case INTEGER -> {
        if (f == MessageFormat.UINT64) {
          BigInteger b = u.unpackBigInteger();
          g.writeNumber(b);
        } else {
          g.writeNumber(u.unpackLong());
        }
      }
      case FLOAT -> {
        double d = u.unpackDouble();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          g.writeString(Double.toString(d)); // JSON has no NaN or Infinity
        } else {
          g.writeNumber(d);
        }
      }
      case STRING -> {
        int len = u.unpackRawStringHeader();
        byte[] b = u.readPayload(len);
        // bytes as they are: a string that is not UTF-8 makes the record reader dead-letter the record
        g.writeUTF8String(b, 0, b.length);
      }
      case BINARY -> {
        int len = u.unpackBinaryHeader();
        g.writeString(Base64.getEncoder().encodeToString(u.readPayload(len)));
      }
      case EXTENSION -> {
        ExtensionTypeHeader h = u.unpackExtensionTypeHeader();
        g.writeString(Base64.getEncoder().encodeToString(u.readPayload(h.getLength())));
      }
      case ARRAY -> {
        int n = u.unpackArrayHeader();
        g.writeStartArray();
        for (int i = 0; i < n; i++) {
          value(u, g, depth + 1);
        }
        g.writeEndArray();
      }
      case MAP -> {
        int n = u.unpackMapHeader();
        g.writeStartObject();
        for (int i = 0; i < n; i++) {
          g.writeFieldName(key(u));
          value(u, g, depth + 1);
        }
        g.writeEndObject();
      }
      default -> throw new IOException("unexpected msgpack value " + f);
    }
  }
}
