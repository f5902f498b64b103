package dev.json2parquet.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.base.ParserBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads one JSON line into a one-record {@link ColumnBatch}, shredding values straight from the
 * parser into the leaf columns (no intermediate objects). A line that does not fit the record type
 * throws {@link RecordException} and leaves the batch empty. Not thread-safe: one per reading thread.
 *
 * <p>Rules: the root must be one JSON object (RFC 8259) and nothing may follow it; a field's JSON
 * type must match its column; unknown fields follow {@link RecordType#unknownFields()}; of two fields
 * that map to the same column (a repeated name, or a name and its alias) the first wins and the later
 * one is treated as unknown. Every value is written exactly or the line is rejected: a string, key
 * or name with an unpaired surrogate escape ({@code "\ud800"}, which is no Unicode character, RFC
 * 8259 section 8.2) is rejected naming its path, never replaced by U+FFFD; numbers, timestamps and
 * dates follow {@link JsonScalars}.
 *
 * <p>A line of the common shape is read by {@link DirectLineReader} straight from its bytes; every
 * other line by Jackson, which gives the reasons. Both paths give the same columns for a line.
 */
public final class JsonRecordReader {
  public static final int MAX_DEPTH = 64;

  private final RecordType type;
  private final RecordSchema schema;
  private final JsonFactory factory;
  private final Map<String, Field> topLevel = new HashMap<>();
  private final Field[] topFields;
  private final boolean[] seen;
  private final Set<String> extraKeys = new HashSet<>();
  /** Keys given inside the record's own catch-all object ({@code extra_fields}), this record. */
  private final java.util.List<String> givenExtraKeys = new java.util.ArrayList<>();
  private final Field catchAll;
  private final byte[] scratch = new byte[0];
  private ColumnBatch out;
  private byte[] line;
  /** Where the current parser's input starts in {@link #line} (its offsets count from there). */
  private int base;
  private int lineStart;
  private int lineEnd;
  private final JsonStrings strings = new JsonStrings();
  /**
   * Lines read one after another from one array (see {@link #beginRegion}): the array, where its
   * lines end, the parser reading them, and where the line after the last one read by it starts.
   */
  private byte[] region;
  private int regionEnd;
  private JsonParser shared;
  private int sharedNext = -1;
  private int sharedBase;
  private int extraCount;
  private boolean extraPresent;
  /** Fields dropped under {@link UnknownFields#DROP}: in the current record, and in records read. */
  private int droppedInRecord;
  private long dropped;
  /** The JSON path of the value being read, for error messages. */
  private final Object[] path = new Object[MAX_DEPTH + 2];
  private int depth;
  /**
   * For each top-level field (slot {@code index + 1}; slot 0 is the record's start, the last slot
   * any name not in the schema), the name that followed it last time, with its field and index:
   * streams usually repeat one field order with some fields left out, so the name after a given
   * one is predicted far more often (82% of gen_logs names) than the name at a given position
   * (70%). The parser hands out canonical name instances, so an identity check replaces the hash
   * lookup when the prediction was for a name not in the schema. {@code nextQuoted} holds the
   * predicted schema name, which the parser matches against the line's bytes without decoding or
   * looking it up at all (null for a name not in the schema).
   */
  private final String[] nextNames;
  private final Field[] nextFields;
  private final int[] nextIndex;
  private final SerializedString[] nextQuoted;
  /** Top-level names (and aliases) to the index of their field in {@link #topFields}. */
  private final Map<String, Integer> topIndex = new HashMap<>();
  private final Map<String, SerializedString> quotedNames = new HashMap<>();

  /** Reads the common line without Jackson, or null (tests compare the two paths). */
  private final DirectLineReader direct;
  private long directLines;

  public JsonRecordReader(RecordType type) {
    this(type, true);
  }

  /** With {@code direct} false every line is read by Jackson (for tests that compare both paths). */
  JsonRecordReader(RecordType type, boolean direct) {
    this.type = type;
    this.schema = type.schema();
    this.factory = JsonSyntax.factory();
    this.topFields = schema.fields().toArray(new Field[0]);
    this.seen = new boolean[topFields.length];
    for (Field f : topFields) {
      topLevel.put(f.name(), f);
    }
    type.aliases().forEach((alias, name) -> topLevel.putIfAbsent(alias, schema.field(name)));
    for (String name : topLevel.keySet()) {
      quotedNames.put(name, new SerializedString(name));
    }
    for (Map.Entry<String, Field> e : topLevel.entrySet()) {
      topIndex.put(e.getKey(), indexOf(e.getValue()));
    }
    int slots = topFields.length + 2;
    this.nextNames = new String[slots];
    this.nextFields = new Field[slots];
    this.nextIndex = new int[slots];
    this.nextQuoted = new SerializedString[slots];
    this.catchAll = type.unknownFields() == UnknownFields.EXTRA ? type.catchAll() : null;
    this.direct = direct ? new DirectLineReader(type, topFields, catchAll, topIndex) : null;
  }

  public RecordType recordType() {
    return type;
  }

  /** Lines read so far without Jackson (by {@link DirectLineReader}); for tests. */
  long directLines() {
    return directLines;
  }

  /** Fields left out of the records read so far under {@link UnknownFields#DROP} (rejected lines not counted). */
  public long droppedFields() {
    return dropped;
  }

  /**
   * Parses {@code buf[off, off+len)} (one line, without its line break) into {@code batch}, which is
   * cleared first and holds exactly one record on return.
   */
  public void read(byte[] buf, int off, int len, ColumnBatch batch) throws RecordException {
    batch.clear();
    append(buf, off, len, batch);
  }

  /**
   * Parses {@code buf[off, off+len)} (one line, without its line break) and appends it to
   * {@code batch} as its last record. A line that is not a valid record leaves the batch as it was.
   */
  public void append(byte[] buf, int off, int len, ColumnBatch batch) throws RecordException {
    // the common line, read without Jackson (which it checks for valid UTF-8 as it goes)
    if (direct != null) {
      batch.mark();
      if (direct.read(buf, off, len, batch)) {
        batch.endRecord();
        directLines++;
        return;
      }
      batch.rollback();
    }
    // Jackson lets overlong and surrogate encodings through in string values: check the line first
    int bad = Utf8.firstInvalid(buf, off, len);
    if (bad >= 0) {
      throw new RecordException("invalid UTF-8 at byte " + (bad - off + 1) + " of the line");
    }
    if (buf == region && off + len <= regionEnd && appendShared(buf, off, len, batch)) {
      return;
    }
    batch.mark();
    out = batch;
    line = buf;
    try (JsonParser p = factory.createParser(buf, off, len)) {
      base = off;
      lineStart = off;
      lineEnd = off + len;
      readRoot(p, false);
      batch.endRecord();
      dropped += droppedInRecord;
    } catch (RecordException e) {
      batch.rollback();
      throw e;
    } catch (JsonProcessingException e) {
      batch.rollback();
      throw new RecordException(JsonSyntax.reason(e, pathText()));
    } catch (IOException e) {
      batch.rollback();
      throw new RecordException("cannot read line: " + e.getMessage());
    } finally {
      out = null;
      line = null;
    }
  }

  /**
   * Announces that the lines given to {@link #append} next lie one after another in
   * {@code buf[.., end)} (each starting where the one before it ended, without line breaks between
   * them), until {@link #endRegion}. Such lines are read by one parser instead of one per line
   * (creating and closing a parser was ~10% of the reading time). The results are the same: a line
   * is taken from that parser only when it read exactly one object that starts and ends within the
   * line, with nothing but JSON whitespace around it; any other line (a rejected one, one that the
   * parser read past, one with a byte order mark) is read again on its own, as without a region,
   * and that result (record or reason) stands. {@code buf} must not change until {@link #endRegion}.
   */
  public void beginRegion(byte[] buf, int end) {
    endRegion();
    region = buf;
    regionEnd = end;
  }

  /** Ends the region begun by {@link #beginRegion}, closing its parser. */
  public void endRegion() {
    closeShared();
    region = null;
  }

  private void closeShared() {
    if (shared != null) {
      try {
        shared.close();
      } catch (IOException cannotHappen) {
        // a parser over a byte array has nothing to close
      }
      shared = null;
    }
    sharedNext = -1;
  }

  /** Reads a region's line with the shared parser; false (batch as it was) when it must be read on its own. */
  private boolean appendShared(byte[] buf, int off, int len, ColumnBatch batch) {
    if (shared == null || sharedNext != off) {
      closeShared();
      try {
        shared = factory.createParser(buf, off, regionEnd - off);
      } catch (IOException e) {
        return false;
      }
      sharedBase = off;
    }
    batch.mark();
    out = batch;
    line = buf;
    base = sharedBase;
    lineStart = off;
    lineEnd = off + len;
    try {
      if (readRoot(shared, true)) {
        batch.endRecord();
        dropped += droppedInRecord;
        sharedNext = off + len;
        return true;
      }
    } catch (RecordException | IOException e) {
      // read again on its own below, which gives the reason
    } finally {
      out = null;
      line = null;
    }
    batch.rollback();
    closeShared();
    return false;
  }

  /** The index in {@link #line} of the first byte of the parser's current token. */
  private int tokenIndex(JsonParser p) {
    // Jackson's token offset for byte input is one past the token's first byte
    return base + (int) ((ParserBase) p).getTokenCharacterOffset() - 1;
  }

  /**
   * Reads one object. With {@code shared} (a parser reading a region's lines), returns false when
   * the object did not start and end within the line with only whitespace after it (the caller
   * then reads the line on its own); otherwise true, or throws.
   */
  private boolean readRoot(JsonParser p, boolean shared) throws IOException, RecordException {
    depth = 0;
    path[0] = "$";
    JsonToken t = p.nextToken();
    if (shared && (t != JsonToken.START_OBJECT || tokenIndex(p) >= lineEnd)) {
      return false;
    }
    if (t != JsonToken.START_OBJECT) {
      throw new RecordException("expected a JSON object, got " + JsonScalars.describe(t, p));
    }
    java.util.Arrays.fill(seen, false);
    extraKeys.clear();
    givenExtraKeys.clear();
    extraCount = 0;
    extraPresent = false;
    droppedInRecord = 0;
    int slot = 0;
    int otherSlot = topFields.length + 1;
    while (true) {
      SerializedString expected = nextQuoted[slot];
      String name;
      Field f;
      int index;
      if (expected != null && p.nextFieldName(expected)) {
        name = nextNames[slot];
        f = nextFields[slot];
        index = nextIndex[slot];
      } else {
        t = expected != null ? p.currentToken() : p.nextToken();
        if (t != JsonToken.FIELD_NAME) {
          break;
        }
        name = p.currentName();
        if (nextNames[slot] == name) {
          f = nextFields[slot];
          index = nextIndex[slot];
        } else {
          Integer i = topIndex.get(name);
          index = i == null ? -1 : i;
          f = i == null ? null : topFields[index];
          nextNames[slot] = name;
          nextFields[slot] = f;
          nextIndex[slot] = index;
          nextQuoted[slot] = quotedNames.get(name);
        }
      }
      slot = index < 0 ? otherSlot : index + 1;
      JsonToken v = p.nextToken();
      push(name);
      if (f == null || seen[index]) {
        unknown(p, v, name);
      } else {
        seen[index] = true;
        if (f == catchAll) {
          readCatchAllObject(p, v);
        } else {
          value(p, v, f, 0, 0, true);
        }
      }
      pop();
    }
    for (int i = 0; i < topFields.length; i++) {
      Field f = topFields[i];
      if (!seen[i] && f != catchAll) {
        push(f.name());
        missing(f, 0, 0, true);
        pop();
      }
    }
    for (String key : givenExtraKeys) {
      // README, "The Log record": a name both at the top level and inside extra_fields is ambiguous
      Field f = topLevel.get(key);
      if (f != null && f != catchAll && seen[indexOf(f)]) {
        throw new RecordException("$." + catchAll.name() + "." + Utf8.escapeUnpaired(key) + ": '"
            + Utf8.escapeUnpaired(key) + "' is a field of the record too; give it once");
      }
    }
    if (catchAll != null) {
      if (extraCount == 0) {
        nulls(catchAll, 0, extraPresent ? catchAll.definitionLevel() : 0);
      }
    }
    if (shared) {
      // what a parser of this line alone would skip before its end: JSON whitespace (RFC 8259)
      int close = tokenIndex(p);
      if (close >= lineEnd) {
        return false;
      }
      for (int i = close + 1; i < lineEnd; i++) {
        byte c = line[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
          return false;
        }
      }
      return true;
    }
    JsonToken after = p.nextToken();
    if (after != null) {
      throw new RecordException("trailing data after the JSON object: " + JsonScalars.describe(after, p));
    }
    return true;
  }

  private int indexOf(Field top) {
    // top-level fields are few; a linear scan over identity beats hashing
    for (int i = 0; i < topFields.length; i++) {
      if (topFields[i] == top) {
        return i;
      }
    }
    throw new IllegalStateException(top.name());
  }

  private void unknown(JsonParser p, JsonToken v, String name) throws IOException, RecordException {
    switch (type.unknownFields()) {
      case DROP -> {
        p.skipChildren();
        droppedInRecord++;
      }
      case DLQ -> throw new RecordException(pathText() + ": field not in the schema");
      case EXTRA -> addExtra(p, v, dottedPath());
    }
  }

  private void readCatchAllObject(JsonParser p, JsonToken v) throws IOException, RecordException {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    if (v != JsonToken.START_OBJECT) {
      throw mismatch("object", v, p);
    }
    extraPresent = true;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      givenExtraKeys.add(key);
      push(key);
      addExtra(p, p.nextToken(), key);
      pop();
    }
  }

  /** Adds one entry to the catch-all map: strings as they are, anything else as its JSON text. */
  private void addExtra(JsonParser p, JsonToken v, String key) throws IOException, RecordException {
    if (!extraKeys.add(key)) {
      throw new RecordException(pathText() + ": duplicate field '" + Utf8.escapeUnpaired(key) + "' in " + catchAll.name());
    }
    int r = extraCount == 0 ? 0 : catchAll.repetitionLevel();
    int def = catchAll.definitionLevel() + 1;
    LeafColumn keys = out.column(catchAll.mapKey().leafIndex());
    keys.beginBinary(r);
    char[] k = key.toCharArray();
    appendText(keys, k, 0, k.length, "field name");
    keys.endBinary();
    textValue(p, v, out.column(catchAll.mapValue().leafIndex()), r, def);
    extraCount++;
  }

  /**
   * Appends the current string token. A string without escapes is copied byte for byte from the
   * line (already checked to be valid UTF-8), so Jackson never decodes it to chars and we never
   * encode it back; Jackson still checks it as it skips past it. Strings with escapes are decoded.
   */
  private void string(JsonParser p, LeafColumn col, int r) throws IOException, RecordException {
    // the string's first byte, one past the opening quote (checked, in case Jackson's offsets change)
    int from = tokenIndex(p) + 1;
    byte[] b = line;
    int end = lineEnd;
    if (from <= lineStart || from > end || b[from - 1] != '"') {
      end = from;
    }
    for (int i = JsonStrings.quoteOrBackslash(b, from, end); i < end; i++) {
      byte c = b[i];
      if (c == '"') {
        col.addBinary(r, b, from, i - from);
        return;
      }
      if (c == '\\') {
        int n = strings.unescape(b, from, i, end);
        if (n >= 0) {
          col.addBinary(r, strings.unescaped(), 0, n);
          return;
        }
        break;
      }
    }
    col.beginBinary(r);
    appendText(col, p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), "string");
    col.endBinary();
  }

  /**
   * Appends decoded text as UTF-8, or rejects the line when it holds an unpaired surrogate (only
   * possible through a {@code \\u} escape: the line itself is valid UTF-8).
   */
  private void appendText(LeafColumn col, char[] chars, int off, int len, String what) throws RecordException {
    if (!col.appendUtf8(chars, off, len)) {
      int bad = Utf8.firstUnpairedSurrogate(chars, off, len);
      throw new RecordException(pathText() + ": unpaired surrogate escape \\u"
          + Integer.toHexString(chars[bad]).toUpperCase(java.util.Locale.ROOT) + " in a " + what
          + " (not a Unicode character; RFC 8259 section 8.2)");
    }
  }

  /** Writes a map value of a string column: a string as it is, null as null, anything else as JSON text. */
  private void textValue(JsonParser p, JsonToken v, LeafColumn col, int r, int parentDef)
      throws IOException, RecordException {
    switch (v) {
      case VALUE_NULL -> col.addNull(r, parentDef);
      case VALUE_STRING -> string(p, col, r);
      case VALUE_TRUE, VALUE_FALSE, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        col.beginBinary(r);
        col.appendUtf8(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        col.endBinary();
      }
      case START_OBJECT, START_ARRAY -> {
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        col.addBinary(r, line, base + start, end - start);
      }
      default -> throw mismatch("a JSON value", v, p);
    }
  }

  private void value(JsonParser p, JsonToken v, Field f, int r, int parentDef, boolean top)
      throws IOException, RecordException {
    if (v == JsonToken.VALUE_NULL) {
      missing(f, r, parentDef, top);
      return;
    }
    LeafColumn col = f.leafIndex() >= 0 ? out.column(f.leafIndex()) : null;
    switch (f.type()) {
      case STRING -> {
        if (v != JsonToken.VALUE_STRING) {
          if (!type.anyAsText()) {
            throw mismatch("string", v, p);
          }
          textValue(p, v, col, r, parentDef);
          return;
        }
        string(p, col, r);
      }
      case BOOLEAN -> {
        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
          throw mismatch("boolean", v, p);
        }
        col.addLong(r, v == JsonToken.VALUE_TRUE ? 1 : 0);
      }
      case INT64, DOUBLE, TIMESTAMP, DATE -> {
        try {
          col.addLong(r, JsonScalars.toLong(p, v, f.type()));
        } catch (RecordException e) {
          throw new RecordException(pathText() + ": " + e.getMessage());
        }
      }
      case GROUP -> group(p, v, f, r);
      case LIST -> list(p, v, f, r);
      case MAP -> map(p, v, f, r);
    }
  }

  private void group(JsonParser p, JsonToken v, Field f, int r) throws IOException, RecordException {
    if (v != JsonToken.START_OBJECT) {
      throw mismatch("object", v, p);
    }
    var children = f.children();
    boolean[] present = new boolean[children.size()];
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken cv = p.nextToken();
      push(name);
      int i = childIndex(children, name);
      if (i < 0 || present[i]) {
        unknown(p, cv, name);
      } else {
        present[i] = true;
        value(p, cv, children.get(i), r, f.definitionLevel(), false);
      }
      pop();
    }
    for (int i = 0; i < present.length; i++) {
      if (!present[i]) {
        push(children.get(i).name());
        missing(children.get(i), r, f.definitionLevel(), false);
        pop();
      }
    }
  }

  private static int childIndex(java.util.List<Field> children, String name) {
    for (int i = 0; i < children.size(); i++) {
      if (children.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private void list(JsonParser p, JsonToken v, Field f, int r) throws IOException, RecordException {
    if (v != JsonToken.START_ARRAY) {
      throw mismatch("array", v, p);
    }
    Field element = f.element();
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      push(n);
      value(p, t, element, n == 0 ? r : f.repetitionLevel(), f.definitionLevel() + 1, false);
      pop();
      n++;
    }
    if (n == 0) {
      nulls(element, r, f.definitionLevel());
    }
  }

  private void map(JsonParser p, JsonToken v, Field f, int r) throws IOException, RecordException {
    if (v != JsonToken.START_OBJECT) {
      throw mismatch("object", v, p);
    }
    LeafColumn keys = out.column(f.mapKey().leafIndex());
    Field valueField = f.mapValue();
    boolean asText = type.mapValuesAsText() && valueField.type() == FieldType.STRING;
    int firstKey = keys.values;
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      int rr = n == 0 ? r : f.repetitionLevel();
      push(p.currentName());
      keys.beginBinary(rr);
      appendText(keys, p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), "map key");
      keys.endBinary();
      JsonToken cv = p.nextToken();
      if (asText) {
        textValue(p, cv, out.column(valueField.leafIndex()), rr, f.definitionLevel() + 1);
      } else {
        value(p, cv, valueField, rr, f.definitionLevel() + 1, false);
      }
      pop();
      n++;
    }
    if (n == 0) {
      nulls(f, r, f.definitionLevel());
    }
    int repeated = keys.repeatedBinary(firstKey);
    if (repeated >= 0) {
      throw new RecordException(pathText() + ": duplicate key '" + Utf8.escapeUnpaired(keys.binaryText(repeated))
          + "'");
    }
  }

  /** A field that is absent or null: nulls for an optional one, "" or an error for a required one. */
  private void missing(Field f, int r, int parentDef, boolean top) throws RecordException {
    if (!f.required()) {
      nulls(f, r, parentDef);
    } else if (f.type() == FieldType.STRING && top && type.missingRequiredStringIsEmpty()) {
      out.column(f.leafIndex()).addBinary(r, scratch, 0, 0);
    } else {
      throw new RecordException(pathText() + ": required field is missing or null");
    }
  }

  private void nulls(Field f, int r, int d) {
    for (int leaf = f.firstLeaf(); leaf < f.endLeaf(); leaf++) {
      out.column(leaf).addNull(r, d);
    }
  }

  private RecordException mismatch(String expected, JsonToken v, JsonParser p) throws IOException {
    return new RecordException(pathText() + ": expected " + expected + ", got " + JsonScalars.describe(v, p));
  }

  private void push(Object segment) {
    path[++depth] = segment;
  }

  private void pop() {
    depth--;
  }

  private String pathText() {
    StringBuilder sb = new StringBuilder("$");
    for (int i = 1; i <= depth && i < path.length; i++) {
      if (path[i] instanceof Integer n) {
        sb.append('[').append(n).append(']');
      } else {
        sb.append('.').append(Utf8.escapeUnpaired((String) path[i]));
      }
    }
    return sb.toString();
  }

  /** Dotted path of the current field without the root, for naming unknown nested fields. */
  private String dottedPath() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= depth; i++) {
      if (path[i] instanceof Integer n) {
        sb.append('[').append(n).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(path[i]);
      }
    }
    return sb.toString();
  }
}
