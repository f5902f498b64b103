package dev.json2parquet.record;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads the common line straight from its UTF-8 bytes, without Jackson: one JSON object whose
 * fields are all named in the schema (or an alias), each given once, without escapes in the names,
 * with values of these kinds only: a string (escapes as {@link JsonStrings#unescape} decodes them)
 * for a STRING column, {@code true}/{@code false} for a BOOLEAN one, an array of strings for a LIST
 * of strings, an object of strings (keys without escapes) for a MAP of strings, and {@code null} for
 * a top-level field; the catch-all map ({@link RecordType#catchAll()}) as an object of strings and
 * nulls with distinct keys. Such a line gives exactly the column values {@link JsonRecordReader}'s Jackson
 * path gives (the same calls on the same columns; see {@code DirectLineReaderTest}).
 *
 * <p>Anything else (an unknown or repeated field, a number, a nested object, a missing
 * required field that would be rejected, a malformed line, a byte order mark) makes {@link #read}
 * return false at once, having added part of the record: the caller rolls the batch back and reads
 * the line with Jackson, whose record or reason stands. So this reader only has to accept nothing
 * that Jackson refuses (RFC 8259's grammar: the four whitespace bytes, no control characters in
 * strings, literals followed by a separator, well-formed UTF-8: every string and name is checked as
 * it is scanned, and nothing else may be other than ASCII) and never has to word a reason. Not
 * thread-safe: one per {@link JsonRecordReader}.
 */
final class DirectLineReader {
  private static final byte[] EMPTY = new byte[0];
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final RecordType type;
  private final Field[] topFields;
  private final Field catchAll;
  /** Top-level names and aliases, UTF-8, and the index of their field in {@link #topFields}. */
  private final byte[][] names;
  private final int[] nameField;
  /**
   * Whether a name is printable ASCII without quote or backslash: then the bytes of the name followed
   * by a quote are that name, as a scan for the end of the string would find.
   */
  private final boolean[] plainName;
  /** A plain name followed by its closing quote, as little-endian words, and which bytes of them count. */
  private static final int NAME_WORDS = 4;
  private final long[] nameWords;
  private final long[] nameMasks;
  /** Open addressing over {@link #names}: name index + 1, 0 for an empty slot. */
  private final int[] table;
  /** For each field (slot index + 1; slot 0 the record's start), the name that followed it last time. */
  private final int[] nextName;
  private final boolean[] seen;
  /**
   * What an absent top-level field gives, as {@link #missing} decides: for an optional one its first
   * leaf (and {@link #absentEnd} its end leaf), each given a null; or one of the negative codes below.
   */
  private final int[] absent;
  private final int[] absentEnd;
  private static final int ABSENT_EMPTY = -1;
  private static final int ABSENT_REJECTED = -2;
  private static final int ABSENT_CATCH_ALL = -3;
  private final JsonStrings strings = new JsonStrings();
  /** Keys of the catch-all map given in the line (where they stand in it), and whether it was given. */
  private int[] extraFrom = new int[8];
  private int[] extraLen = new int[8];
  private int extraCount;
  private boolean extraPresent;
  private byte[] b;
  private int end;
  private ColumnBatch out;

  DirectLineReader(RecordType type, Field[] topFields, Field catchAll, Map<String, Integer> topIndex) {
    this.type = type;
    this.topFields = topFields;
    this.catchAll = catchAll;
    this.names = new byte[topIndex.size()][];
    this.nameField = new int[names.length];
    this.plainName = new boolean[names.length];
    this.nameWords = new long[names.length * NAME_WORDS];
    this.nameMasks = new long[names.length * NAME_WORDS];
    int size = Integer.highestOneBit(Math.max(4, names.length * 4) - 1) << 1;
    this.table = new int[size];
    int n = 0;
    for (Map.Entry<String, Integer> e : topIndex.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      names[n] = name;
      plainName[n] = isPlain(name) && name.length < NAME_WORDS * 8;
      if (plainName[n]) {
        byte[] quoted = Arrays.copyOf(name, NAME_WORDS * 8);
        quoted[name.length] = '"';
        for (int k = 0; k <= name.length; k++) {
          nameWords[n * NAME_WORDS + k / 8] |= (quoted[k] & 0xFFL) << (8 * (k % 8));
          nameMasks[n * NAME_WORDS + k / 8] |= 0xFFL << (8 * (k % 8));
        }
      }
      nameField[n] = e.getValue();
      int h = hash(name, 0, name.length) & (size - 1);
      while (table[h] != 0) {
        h = (h + 1) & (size - 1);
      }
      table[h] = ++n;
    }
    this.nextName = new int[topFields.length + 1];
    this.seen = new boolean[topFields.length];
    this.absent = new int[topFields.length];
    this.absentEnd = new int[topFields.length];
    for (int k = 0; k < topFields.length; k++) {
      Field f = topFields[k];
      if (f == catchAll) {
        absent[k] = ABSENT_CATCH_ALL;
      } else if (!f.required()) {
        absent[k] = f.firstLeaf();
        absentEnd[k] = f.endLeaf();
      } else {
        absent[k] = f.type() == FieldType.STRING && type.missingRequiredStringIsEmpty() ? ABSENT_EMPTY : ABSENT_REJECTED;
      }
    }
  }

  private static boolean isPlain(byte[] name) {
    for (byte c : name) {
      if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static int hash(byte[] s, int from, int len) {
    return len == 0 ? 0 : (len * 31 + s[from]) * 31 + s[from + len - 1] * 7 + s[from + (len >> 1)];
  }

  /**
   * Appends the line {@code buf[off, off+len)} to {@code batch} and returns true, or returns false
   * (the batch holding part of the record) when the line is not one this reader takes.
   */
  boolean read(byte[] buf, int off, int len, ColumnBatch batch) {
    b = buf;
    end = off + len;
    out = batch;
    try {
      return readObject(off);
    } finally {
      b = null;
      out = null;
    }
  }

  private boolean readObject(int off) {
    int i = skipSpace(off);
    if (i >= end || b[i] != '{') {
      return false;
    }
    Arrays.fill(seen, false);
    extraCount = 0;
    extraPresent = false;
    i = skipSpace(i + 1);
    if (i < end && b[i] == '}') {
      i++;
    } else {
      int slot = 0;
      while (true) {
        if (i >= end || b[i] != '"') {
          return false;
        }
        int from = i + 1;
        int name = nextName[slot] - 1;
        int q;
        if (name >= 0 && plainName[name] && namedAt(name, from)) {
          // the name that followed last time, read by comparing it rather than scanning for its end
          q = from + names[name].length;
        } else {
          q = endOfPlain(from);
          if (q >= end || b[q] != '"') {
            return false;
          }
          name = lookup(from, q - from);
          if (name < 0) {
            return false;
          }
          nextName[slot] = name + 1;
        }
        int index = nameField[name];
        Field f = topFields[index];
        if (seen[index]) {
          return false;
        }
        seen[index] = true;
        slot = index + 1;
        i = skipSpace(q + 1);
        if (i >= end || b[i] != ':') {
          return false;
        }
        i = skipSpace(i + 1);
        if (i >= end) {
          return false;
        }
        i = f == catchAll ? catchAll(i) : value(f, i);
        if (i < 0) {
          return false;
        }
        i = skipSpace(i);
        if (i >= end) {
          return false;
        }
        if (b[i] == ',') {
          i = skipSpace(i + 1);
        } else if (b[i] == '}') {
          i++;
          break;
        } else {
          return false;
        }
      }
    }
    if (skipSpace(i) != end) {
      return false;
    }
    // as JsonRecordReader.readRoot: absent fields, then the catch-all map when it got no entry
    LeafColumn[] columns = out.columns();
    for (int k = 0; k < absent.length; k++) {
      if (seen[k]) {
        continue;
      }
      int a = absent[k];
      if (a >= 0) {
        // an optional field: a null in each of its leaves, at levels 0 (JsonRecordReader.missing)
        for (int leaf = a, to = absentEnd[k]; leaf < to; leaf++) {
          columns[leaf].addNull(0, 0);
        }
      } else if (a == ABSENT_EMPTY) {
        columns[topFields[k].leafIndex()].addBinary(0, EMPTY, 0, 0);
      } else if (a == ABSENT_REJECTED) {
        return false;
      }
    }
    if (catchAll != null && extraCount == 0) {
      nulls(catchAll, 0, extraPresent ? catchAll.definitionLevel() : 0);
    }
    // README, "The Log record": a name both at the top level and inside the catch-all is rejected
    for (int k = 0; k < extraCount; k++) {
      int name = lookup(extraFrom[k], extraLen[k]);
      if (name >= 0 && seen[nameField[name]]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The catch-all map given in the line (JsonRecordReader.readCatchAllObject): null, or an object of
   * strings and nulls with distinct keys without escapes; returns where it ends, or -1.
   */
  private int catchAll(int i) {
    if (b[i] == 'n') {
      return literal(i, "null") ? i + 4 : -1;
    }
    if (b[i] != '{') {
      return -1;
    }
    extraPresent = true;
    i = skipSpace(i + 1);
    if (i < end && b[i] == '}') {
      return i + 1;
    }
    LeafColumn keys = out.column(catchAll.mapKey().leafIndex());
    LeafColumn values = out.column(catchAll.mapValue().leafIndex());
    int def = catchAll.definitionLevel() + 1;
    while (i < end && b[i] == '"') {
      int from = i + 1;
      int q = endOfPlain(from);
      if (q >= end || b[q] != '"' || !addExtraKey(from, q - from)) {
        return -1;
      }
      int r = extraCount == 1 ? 0 : catchAll.repetitionLevel();
      keys.addBinary(r, b, from, q - from);
      i = skipSpace(q + 1);
      if (i >= end || b[i] != ':') {
        return -1;
      }
      i = skipSpace(i + 1);
      if (i >= end) {
        return -1;
      }
      if (b[i] == '"') {
        i = string(values, r, i + 1);
      } else if (b[i] == 'n' && literal(i, "null")) {
        values.addNull(r, def);
        i += 4;
      } else {
        return -1;
      }
      if (i < 0) {
        return -1;
      }
      i = skipSpace(i);
      if (i >= end) {
        return -1;
      }
      if (b[i] == '}') {
        return i + 1;
      }
      if (b[i] != ',') {
        return -1;
      }
      i = skipSpace(i + 1);
    }
    return -1;
  }

  /** Notes a key of the given catch-all map; false when it was given before (rejected by the Jackson path). */
  private boolean addExtraKey(int from, int len) {
    for (int k = 0; k < extraCount; k++) {
      if (extraLen[k] == len && Arrays.equals(b, extraFrom[k], extraFrom[k] + len, b, from, from + len)) {
        return false;
      }
    }
    if (extraCount == extraFrom.length) {
      extraFrom = Arrays.copyOf(extraFrom, extraCount * 2);
      extraLen = Arrays.copyOf(extraLen, extraCount * 2);
    }
    extraFrom[extraCount] = from;
    extraLen[extraCount++] = len;
    return true;
  }

  /**
   * True when the line holds name {@code name} and its closing quote at {@code b[from]}: for a
   * {@link #plainName} what {@link #endOfPlain} and {@link #lookup} would find there. Compares four
   * words at once, masked to the name's length, rather than byte by byte: a loop whose length
   * varies from name to name costs a mispredicted branch per name.
   */
  private boolean namedAt(int name, int from) {
    int q = from + names[name].length;
    if (q >= end) {
      return false;
    }
    if (from + NAME_WORDS * 8 > b.length) {
      return b[q] == '"' && Arrays.equals(names[name], 0, q - from, b, from, q);
    }
    int k = name * NAME_WORDS;
    long[] w = nameWords;
    long[] m = nameMasks;
    return ((((long) LONGS.get(b, from) ^ w[k]) & m[k]) | (((long) LONGS.get(b, from + 8) ^ w[k + 1]) & m[k + 1])
        | (((long) LONGS.get(b, from + 16) ^ w[k + 2]) & m[k + 2])
        | (((long) LONGS.get(b, from + 24) ^ w[k + 3]) & m[k + 3])) == 0;
  }

  private boolean sameName(int name, int from, int len) {
    byte[] s = names[name];
    return s.length == len && Arrays.equals(s, 0, len, b, from, from + len);
  }

  private int lookup(int from, int len) {
    int mask = table.length - 1;
    for (int h = hash(b, from, len) & mask; table[h] != 0; h = (h + 1) & mask) {
      if (sameName(table[h] - 1, from, len)) {
        return table[h] - 1;
      }
    }
    return -1;
  }

  /** Reads the top-level value at {@code b[i]} (not whitespace) into {@code f}; returns where it ends, or -1. */
  private int value(Field f, int i) {
    byte c = b[i];
    if (c == 'n') {
      return literal(i, "null") && missing(f) ? i + 4 : -1;
    }
    switch (f.type()) {
      case STRING -> {
        return c == '"' ? string(out.column(f.leafIndex()), 0, i + 1) : -1;
      }
      case BOOLEAN -> {
        if (c == 't' && literal(i, "true")) {
          out.column(f.leafIndex()).addLong(0, 1);
          return i + 4;
        }
        if (c == 'f' && literal(i, "false")) {
          out.column(f.leafIndex()).addLong(0, 0);
          return i + 5;
        }
        return -1;
      }
      case LIST -> {
        return c == '[' ? list(f, i + 1) : -1;
      }
      case MAP -> {
        return c == '{' ? map(f, i + 1) : -1;
      }
      default -> {
        return -1;
      }
    }
  }

  /** An array of strings, as JsonRecordReader.list writes it; {@code i} is past the '['. */
  private int list(Field f, int i) {
    Field element = f.element();
    if (element.type() != FieldType.STRING) {
      return -1;
    }
    i = skipSpace(i);
    if (i < end && b[i] == ']') {
      nulls(element, 0, f.definitionLevel());
      return i + 1;
    }
    LeafColumn col = out.column(element.leafIndex());
    int r = 0;
    while (i < end && b[i] == '"') {
      i = string(col, r, i + 1);
      if (i < 0) {
        return -1;
      }
      r = f.repetitionLevel();
      i = skipSpace(i);
      if (i >= end) {
        return -1;
      }
      if (b[i] == ']') {
        return i + 1;
      }
      if (b[i] != ',') {
        return -1;
      }
      i = skipSpace(i + 1);
    }
    return -1;
  }

  /** An object of strings, as JsonRecordReader.map writes it; {@code i} is past the '{'. */
  private int map(Field f, int i) {
    Field valueField = f.mapValue();
    if (valueField.type() != FieldType.STRING) {
      return -1;
    }
    i = skipSpace(i);
    if (i < end && b[i] == '}') {
      nulls(f, 0, f.definitionLevel());
      return i + 1;
    }
    LeafColumn keys = out.column(f.mapKey().leafIndex());
    LeafColumn values = out.column(valueField.leafIndex());
    int firstKey = keys.values;
    int r = 0;
    while (i < end && b[i] == '"') {
      int from = i + 1;
      int q = endOfPlain(from);
      if (q >= end || b[q] != '"') {
        return -1;
      }
      keys.addBinary(r, b, from, q - from);
      i = skipSpace(q + 1);
      if (i >= end || b[i] != ':') {
        return -1;
      }
      i = skipSpace(i + 1);
      if (i >= end || b[i] != '"') {
        return -1;
      }
      i = string(values, r, i + 1);
      if (i < 0) {
        return -1;
      }
      r = f.repetitionLevel();
      i = skipSpace(i);
      if (i >= end) {
        return -1;
      }
      if (b[i] == '}') {
        return keys.repeatedBinary(firstKey) >= 0 ? -1 : i + 1; // a repeated key: Jackson's reason
      }
      if (b[i] != ',') {
        return -1;
      }
      i = skipSpace(i + 1);
    }
    return -1;
  }

  /**
   * A string whose first byte is {@code b[from]}: its bytes as they are, or decoded when it has
   * escapes (JsonRecordReader.string writes the same); returns the index past its closing quote,
   * or -1 for a control character, no closing quote or what {@link JsonStrings#unescape} leaves to Jackson.
   */
  private int string(LeafColumn col, int r, int from) {
    int i = endOfPlain(from);
    if (i >= end) {
      return -1;
    }
    if (b[i] == '"') {
      col.addBinary(r, b, from, i - from);
      return i + 1;
    }
    if (b[i] != '\\') {
      return -1;
    }
    int n = strings.unescape(b, from, i, end);
    // unescape copies the bytes between the escapes as they are: they must be UTF-8 too
    if (n < 0 || Utf8.firstInvalid(b, i, strings.closingQuote() - i) >= 0) {
      return -1;
    }
    col.addBinary(r, strings.unescaped(), 0, n);
    return strings.closingQuote() + 1;
  }

  /**
   * The index of the first quote, backslash or control character at or after {@code from}, having
   * checked that the bytes before it are well-formed UTF-8; {@link #end} when there is none or the
   * bytes are not UTF-8.
   */
  private int endOfPlain(int from) {
    int i = from;
    while (true) {
      i = JsonStrings.endOfPlainAscii(b, i, end);
      while (i < end) {
        byte c = b[i];
        if (c < 0) {
          break;
        }
        if (c == '"' || c == '\\' || c < 0x20) {
          return i;
        }
        i++;
      }
      int n = i < end ? Utf8.sequenceLength(b, i, end) : 0;
      if (n == 0) {
        return end;
      }
      i += n;
    }
  }

  /** JsonRecordReader.missing for a top-level field, false where it would reject the line. */
  private boolean missing(Field f) {
    if (!f.required()) {
      nulls(f, 0, 0);
      return true;
    }
    if (f.type() == FieldType.STRING && type.missingRequiredStringIsEmpty()) {
      out.column(f.leafIndex()).addBinary(0, EMPTY, 0, 0);
      return true;
    }
    return false;
  }

  private void nulls(Field f, int r, int d) {
    for (int leaf = f.firstLeaf(); leaf < f.endLeaf(); leaf++) {
      out.column(leaf).addNull(r, d);
    }
  }

  /** True when {@code b[i..]} spells {@code word} (ASCII); the separator after it is checked by the caller. */
  private boolean literal(int i, String word) {
    if (i + word.length() > end) {
      return false;
    }
    for (int k = 0; k < word.length(); k++) {
      if (b[i + k] != word.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** The first index at or after {@code i} that is not JSON whitespace (RFC 8259: space, tab, LF, CR). */
  private int skipSpace(int i) {
    if (i < end && b[i] > ' ') {
      return i; // the usual case, compact JSON: one compare instead of four
    }
    while (i < end) {
      byte c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return i;
      }
      i++;
    }
    return i;
  }
}
