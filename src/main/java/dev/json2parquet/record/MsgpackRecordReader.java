package dev.json2parquet.record;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.NumberOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Reads a forward event's record (a msgpack map) straight into the columns of a {@link ColumnBatch},
 * giving exactly what {@link JsonRecordReader} gives for the JSON line serve would otherwise make of
 * it (str as its bytes, bin and ext as base64, numbers and booleans as their JSON text in string
 * columns, nested maps and arrays as the JSON text {@link MsgpackJson} writes, the tag and the event
 * time added as fields unless present, aliases such as {@code log}/{@code msg} to {@code message},
 * unknown fields into the catch-all map). It reads only what it can read exactly and leaves the rest
 * to the JSON path: {@link #append} returns false, with the batch as it was, for any record that the
 * JSON reader might reject or that takes a rule not written here (a type mismatch, a required field
 * missing, a duplicate catch-all key, a str that is not UTF-8, a non-text map key, ...), so every
 * dead-letter decision and reason stays the JSON reader's. Record types other than those of string,
 * boolean, list-of-string and map-of-string fields with an {@code extra} catch-all (the Log record)
 * are never read here ({@link #usable} false). Not thread-safe: one per thread.
 */
public final class MsgpackRecordReader {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

  private final RecordType type;
  private final Field[] topFields;
  private final Map<String, Integer> topIndex = new HashMap<>();
  private final boolean[] seen;
  private final Field catchAll;
  private final boolean usable;
  private final String tagKey;
  private final byte[] tagKeyBytes;
  /** The map field the tag goes into ({@code map.key} tag fields), or null. */
  private final Field tagMapField;
  private final String tagMap;
  private final Set<String> timeNames;
  private final Set<String> extraKeys = new HashSet<>();
  private final List<String> givenExtraKeys = new ArrayList<>();
  private int extraCount;
  private boolean extraPresent;
  private ColumnBatch out;
  private byte[] src;
  private int base;
  private final ByteArrayOutputStream text = new ByteArrayOutputStream(256);

  /**
   * @param tagField where serve puts the tag: {@code field}, {@code map.key}, or empty for nowhere
   * @param timeNames top-level names that count as the record's time (a {@code time} is added otherwise)
   */
  public MsgpackRecordReader(RecordType type, String tagField, Set<String> timeNames) {
    this.type = type;
    this.topFields = type.schema().fields().toArray(new Field[0]);
    this.seen = new boolean[topFields.length];
    for (int i = 0; i < topFields.length; i++) {
      topIndex.put(topFields[i].name(), i);
    }
    type.aliases().forEach((alias, name) -> {
      Integer i = topIndex.get(name);
      if (i != null) {
        topIndex.putIfAbsent(alias, i);
      }
    });
    this.catchAll = type.catchAll();
    this.timeNames = timeNames;
    int dot = tagField.indexOf('.');
    this.tagMap = tagField.isEmpty() || dot < 0 ? null : tagField.substring(0, dot);
    this.tagKey = tagField.isEmpty() ? null : dot < 0 ? tagField : tagField.substring(dot + 1);
    this.tagKeyBytes = tagKey == null ? null : tagKey.getBytes(StandardCharsets.UTF_8);
    Integer tm = tagMap == null ? null : topIndex.get(tagMap);
    this.tagMapField = tm == null ? null : topFields[tm];
    boolean ok = type.unknownFields() == UnknownFields.EXTRA && catchAll != null && stringMap(catchAll)
        && type.anyAsText() && type.mapValuesAsText()
        && (tagMap == null || tagMapField != null && tagMapField != catchAll && stringMap(tagMapField));
    for (Field f : topFields) {
      ok &= switch (f.type()) {
        case STRING, BOOLEAN -> true;
        case LIST -> f.element().type() == FieldType.STRING;
        case MAP -> stringMap(f);
        default -> false;
      };
    }
    this.usable = ok;
  }

  private static boolean stringMap(Field f) {
    return f.type() == FieldType.MAP && f.mapValue().type() == FieldType.STRING;
  }

  /** Whether this record type is read here at all (false: every record goes the JSON way). */
  public boolean usable() {
    return usable;
  }

  /** A record this reader leaves to the JSON path. */
  private static final class Declined extends Exception {
    static final Declined INSTANCE = new Declined();

    private Declined() {
      super(null, null, false, false);
    }
  }

  /**
   * Appends the msgpack map at {@code buf[off, off + len)}, with {@code tag} and {@code time} (the
   * event time as serve writes it) added as the JSON path adds them, to {@code batch} as its last
   * record. Returns false, with the batch as it was, when the record must be read from its JSON line
   * instead (see the class comment).
   */
  public boolean append(byte[] buf, int off, int len, String tag, String time, ColumnBatch batch) {
    if (!usable) {
      return false;
    }
    batch.mark();
    out = batch;
    src = buf;
    base = off;
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(buf, off, len)) {
      read(u, tag, time);
      batch.endRecord();
      return true;
    } catch (Declined | IOException | RuntimeException e) {
      batch.rollback();
      return false;
    } finally {
      out = null;
      src = null;
    }
  }

  private void read(MessageUnpacker u, String tag, String time) throws IOException, Declined {
    if (u.getNextFormat().getValueType() != ValueType.MAP) {
      throw Declined.INSTANCE;
    }
    Arrays.fill(seen, false);
    extraKeys.clear();
    givenExtraKeys.clear();
    extraCount = 0;
    extraPresent = false;
    int n = u.unpackMapHeader();
    boolean hasTime = false;
    boolean hasTag = false;
    for (int i = 0; i < n; i++) {
      String k = key(u);
      hasTime |= timeNames.contains(k);
      Integer at = topIndex.get(k);
      Field f = at == null ? null : topFields[at];
      if (tagMap != null && k.equals(tagMap)) {
        hasTag = true;
        if (u.getNextFormat().getValueType() == ValueType.MAP) {
          // serve adds the tag inside this map: only its first occurrence is the schema's field
          if (f == null || seen[at]) {
            throw Declined.INSTANCE;
          }
          seen[at] = true;
          map(u, f, 0, tag);
          continue;
        }
      } else if (tagKey != null && tagMap == null && k.equals(tagKey)) {
        hasTag = true;
      }
      if (f == null || seen[at]) {
        addExtra(k, u, 0);
      } else {
        seen[at] = true;
        if (f == catchAll) {
          catchAllObject(u);
        } else {
          value(u, f, 0, 0, true);
        }
      }
    }
    if (tagKey != null && !hasTag) {
      byte[] t = tag.getBytes(StandardCharsets.UTF_8);
      if (tagMap == null) {
        syntheticString(tagKey, t);
      } else {
        int at = topIndex.get(tagMap);
        if (seen[at]) {
          throw Declined.INSTANCE;
        }
        seen[at] = true;
        out.column(tagMapField.mapKey().leafIndex()).addBinary(0, tagKeyBytes, 0, tagKeyBytes.length);
        out.column(tagMapField.mapValue().leafIndex()).addBinary(0, t, 0, t.length);
      }
    }
    if (!hasTime) {
      byte[] t = time.getBytes(StandardCharsets.US_ASCII);
      syntheticString("time", t);
    }
    for (int i = 0; i < topFields.length; i++) {
      if (!seen[i] && topFields[i] != catchAll) {
        missing(topFields[i], 0, 0, true);
      }
    }
    for (String k : givenExtraKeys) {
      // JsonRecordReader rejects a name given both at the top level and inside the catch-all
      Integer at = topIndex.get(k);
      if (at != null && topFields[at] != catchAll && seen[at]) {
        throw Declined.INSTANCE;
      }
    }
    if (extraCount == 0) {
      nulls(catchAll, 0, extraPresent ? catchAll.definitionLevel() : 0);
    }
  }

  /** A field serve adds as a JSON string (the tag, the time). */
  private void syntheticString(String name, byte[] value) throws Declined {
    Integer at = topIndex.get(name);
    Field f = at == null ? null : topFields[at];
    if (f == null || seen[at]) {
      extraEntry(name);
      out.column(catchAll.mapValue().leafIndex()).addBinary(extraRep(), value, 0, value.length);
      extraCount++;
    } else if (f.type() == FieldType.STRING && f != catchAll) {
      seen[at] = true;
      out.column(f.leafIndex()).addBinary(0, value, 0, value.length);
    } else {
      throw Declined.INSTANCE;
    }
  }

  /** A top-level or nested map key: str or bin that is valid UTF-8 (anything else goes the JSON way). */
  private static String key(MessageUnpacker u) throws IOException, Declined {
    MessageFormat f = u.getNextFormat();
    if (f.getValueType() != ValueType.STRING && f.getValueType() != ValueType.BINARY) {
      throw Declined.INSTANCE;
    }
    int len = f.getValueType() == ValueType.STRING ? u.unpackRawStringHeader() : u.unpackBinaryHeader();
    byte[] b = u.readPayload(len);
    try {
      return MsgpackJson.text(b, 0, len);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw Declined.INSTANCE;
    }
  }

  private void value(MessageUnpacker u, Field f, int r, int parentDef, boolean top) throws IOException, Declined {
    ValueType vt = u.getNextFormat().getValueType();
    if (vt == ValueType.NIL) {
      u.unpackNil();
      missing(f, r, parentDef, top);
      return;
    }
    switch (f.type()) {
      case STRING -> textValue(u, out.column(f.leafIndex()), r, parentDef, top ? 0 : 1);
      case BOOLEAN -> {
        if (vt != ValueType.BOOLEAN) {
          throw Declined.INSTANCE;
        }
        out.column(f.leafIndex()).addLong(r, u.unpackBoolean() ? 1 : 0);
      }
      case LIST -> {
        if (vt != ValueType.ARRAY) {
          throw Declined.INSTANCE;
        }
        Field element = f.element();
        int n = u.unpackArrayHeader();
        for (int i = 0; i < n; i++) {
          value(u, element, i == 0 ? r : f.repetitionLevel(), f.definitionLevel() + 1, false);
        }
        if (n == 0) {
          nulls(element, r, f.definitionLevel());
        }
      }
      case MAP -> {
        if (vt != ValueType.MAP) {
          throw Declined.INSTANCE;
        }
        map(u, f, r, null);
      }
      default -> throw Declined.INSTANCE;
    }
  }

  /** A map of strings; {@code tag}, when not null, is added under the tag key unless the map has it. */
  private void map(MessageUnpacker u, Field f, int r, String tag) throws IOException, Declined {
    LeafColumn keys = out.column(f.mapKey().leafIndex());
    LeafColumn values = out.column(f.mapValue().leafIndex());
    int n = u.unpackMapHeader();
    int firstKey = keys.values;
    boolean hasTag = false;
    for (int i = 0; i < n; i++) {
      int rr = i == 0 ? r : f.repetitionLevel();
      String k = key(u);
      hasTag |= tag != null && k.equals(tagKey);
      byte[] kb = k.getBytes(StandardCharsets.UTF_8);
      keys.addBinary(rr, kb, 0, kb.length);
      textValue(u, values, rr, f.definitionLevel() + 1, 1);
    }
    if (keys.repeatedBinary(firstKey) >= 0) {
      throw Declined.INSTANCE; // a repeated key: the JSON path words the reason
    }
    if (tag != null && !hasTag) {
      int rr = n == 0 ? r : f.repetitionLevel();
      byte[] t = tag.getBytes(StandardCharsets.UTF_8);
      keys.addBinary(rr, tagKeyBytes, 0, tagKeyBytes.length);
      values.addBinary(rr, t, 0, t.length);
      n++;
    }
    if (n == 0) {
      nulls(f, r, f.definitionLevel());
    }
  }

  private void catchAllObject(MessageUnpacker u) throws IOException, Declined {
    ValueType vt = u.getNextFormat().getValueType();
    if (vt == ValueType.NIL) {
      u.unpackNil();
      return;
    }
    if (vt != ValueType.MAP) {
      throw Declined.INSTANCE;
    }
    extraPresent = true;
    int n = u.unpackMapHeader();
    for (int i = 0; i < n; i++) {
      String k = key(u);
      givenExtraKeys.add(k);
      addExtra(k, u, 1);
    }
  }

  /** One entry of the catch-all map: the value as text (JsonRecordReader's textValue). */
  private void addExtra(String k, MessageUnpacker u, int depth) throws IOException, Declined {
    extraEntry(k);
    textValue(u, out.column(catchAll.mapValue().leafIndex()), extraRep(), catchAll.definitionLevel() + 1, depth);
    extraCount++;
  }

  private int extraRep() {
    return extraCount == 0 ? 0 : catchAll.repetitionLevel();
  }

  private void extraEntry(String k) throws Declined {
    if (!extraKeys.add(k)) {
      throw Declined.INSTANCE; // a duplicate: the JSON reader rejects the record
    }
    byte[] kb = k.getBytes(StandardCharsets.UTF_8);
    out.column(catchAll.mapKey().leafIndex()).addBinary(extraRep(), kb, 0, kb.length);
  }

  /**
   * A value for a string column as the JSON reader keeps it: a string's bytes, null as null, a
   * number or boolean as its JSON text, a map or array as its JSON text ({@code depth}: its level
   * in the record, for {@link MsgpackJson}'s depth limit).
   */
  private void textValue(MessageUnpacker u, LeafColumn col, int r, int parentDef, int depth)
      throws IOException, Declined {
    MessageFormat f = u.getNextFormat();
    switch (f.getValueType()) {
      case NIL -> {
        u.unpackNil();
        col.addNull(r, parentDef);
      }
      case STRING -> {
        int len = u.unpackRawStringHeader();
        int at = base + (int) u.getTotalReadBytes();
        u.readPayloadAsReference(len); // moves past the bytes; they are read from src
        if (Utf8.firstInvalid(src, at, len) >= 0) {
          throw Declined.INSTANCE; // the JSON reader rejects the line
        }
        col.addBinary(r, src, at, len);
      }
      case BINARY -> ascii(col, r, Base64.getEncoder().encodeToString(u.readPayload(u.unpackBinaryHeader())));
      case EXTENSION -> {
        ExtensionTypeHeader h = u.unpackExtensionTypeHeader();
        ascii(col, r, Base64.getEncoder().encodeToString(u.readPayload(h.getLength())));
      }
      case BOOLEAN -> {
        byte[] b = u.unpackBoolean() ? TRUE : FALSE;
        col.addBinary(r, b, 0, b.length);
      }
      case INTEGER -> ascii(col, r, f == MessageFormat.UINT64 ? u.unpackBigInteger().toString()
          : Long.toString(u.unpackLong()));
      case FLOAT -> {
        double d = u.unpackDouble();
        // as Jackson's generator writes it (NaN and infinities as strings, MsgpackJson)
        ascii(col, r, Double.isNaN(d) || Double.isInfinite(d) ? Double.toString(d) : NumberOutput.toString(d, false));
      }
      case ARRAY, MAP -> {
        text.reset();
        try (JsonGenerator g = JSON.createGenerator(text, JsonEncoding.UTF8)) {
          MsgpackJson.value(u, g, depth);
        }
        byte[] b = text.toByteArray();
        if (Utf8.firstInvalid(b, 0, b.length) >= 0) {
          throw Declined.INSTANCE;
        }
        col.addBinary(r, b, 0, b.length);
      }
      default -> throw Declined.INSTANCE;
    }
  }

  private static void ascii(LeafColumn col, int r, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    col.addBinary(r, b, 0, b.length);
  }

  /** An absent or null field: nulls when optional, "" for a required top-level string, else left to the JSON path. */
  private void missing(Field f, int r, int parentDef, boolean top) throws Declined {
    if (!f.required()) {
      nulls(f, r, parentDef);
    } else if (f.type() == FieldType.STRING && top && type.missingRequiredStringIsEmpty()) {
      out.column(f.leafIndex()).addBinary(r, EMPTY, 0, 0);
    } else {
      throw Declined.INSTANCE;
    }
  }

  private void nulls(Field f, int r, int d) {
    for (int leaf = f.firstLeaf(); leaf < f.endLeaf(); leaf++) {
      out.column(leaf).addNull(r, d);
    }
  }
}
