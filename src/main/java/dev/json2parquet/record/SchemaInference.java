package dev.json2parquet.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Infers a record schema from a sample of JSON lines. Each field keeps only a summary of what was
 * seen (its JSON kinds, whether every string was a timestamp or date, how often it was present), so
 * memory grows with the schema, never with the number of records. Not thread-safe.
 *
 * <p>Rules: fields keep their first-seen order; every field and list element is optional (a sample
 * cannot show that a later record will have it: only a schema the user writes makes a field required);
 * integers and numbers widen to numbers; any other mix, and integers beyond 64 bits, become strings;
 * strings that are all timestamps or all {@code yyyy-MM-dd} dates become TIMESTAMP or DATE; objects
 * become groups, or maps of strings when always empty; a nested object whose records together use
 * more than {@value #MAP_KEYS} distinct property names (ids as keys, say) becomes a map of the merge
 * of all its values; arrays become lists of the merge of all their elements (strings when always
 * empty); a field that is only ever null is a string. Keys that are empty or repeated in one object
 * are ignored (the record reader keeps the first of a repeated key).
 */
public final class SchemaInference {
  private static final int NULL = 1;
  private static final int BOOLEAN = 2;
  private static final int INTEGER = 4;
  private static final int BIG_INTEGER = 8;
  private static final int NUMBER = 16;
  private static final int STRING = 32;
  private static final int OBJECT = 64;
  private static final int ARRAY = 128;

  /** Past this many distinct property names a nested object is inferred as a MAP. */
  public static final int MAP_KEYS = 1000;

  private final JsonFactory factory = JsonSyntax.factory();
  private final Node root = new Node();
  private final byte[] dateBytes = new byte[10];
  private long records;
  private long lines;
  /** Numbers each object visit, to spot a key repeated within one object. */
  private long visits;

  /** What one field (or list element) has looked like so far. */
  private static final class Node {
    int kinds;
    boolean allTimestamps = true;
    boolean allDates = true;
    long lastVisit = -1;
    Map<String, Node> children;
    /** Set instead of {@link #children} once the object is map-shaped: the merge of all its values. */
    Node mapValue;
    Node element;

    /** True once the field can only be a string, whatever else is seen. */
    boolean isText() {
      int k = kinds & ~NULL;
      if ((k & BIG_INTEGER) != 0) {
        return true;
      }
      int numeric = k & (INTEGER | NUMBER);
      int families = Integer.bitCount(k & ~(INTEGER | NUMBER)) + (numeric != 0 ? 1 : 0);
      return families > 1;
    }
  }

  public SchemaInference() {}

  /**
   * Adds one line (a JSON object) to the sample.
   *
   * @return false, ignoring the line, when it is not valid JSON, not an object, or nested deeper than
   *     {@link JsonRecordReader#MAX_DEPTH} levels
   */
  public boolean add(byte[] buf, int off, int len) {
    if (!blank(buf, off, len)) {
      lines++;
    }
    // Check the whole line first, so that a line that turns out to be broken changes nothing.
    try (JsonParser p = factory.createParser(buf, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT || !wellFormed(p)) {
        return false;
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    try (JsonParser p = factory.createParser(buf, off, len)) {
      p.nextToken();
      object(p, root);
    } catch (IOException e) {
      throw new IllegalStateException("a line that was checked could not be read again", e);
    }
    records++;
    return true;
  }

  /** Lines accepted so far. */
  public long records() {
    return records;
  }

  /** Lines offered so far that are not blank (accepted or not). */
  public long lines() {
    return lines;
  }

  private static boolean blank(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') {
        return false;
      }
    }
    return true;
  }

  /**
   * The schema of the lines added so far, named {@code name}.
   *
   * @throws IllegalStateException when no line was accepted, or no line had a field
   */
  public RecordSchema result(String name) {
    if (records == 0) {
      throw new IllegalStateException("Cannot infer a schema: no JSON object in the sample");
    }
    if (root.children == null || root.children.isEmpty()) {
      throw new IllegalStateException("Cannot infer a schema: no object in the sample has a field");
    }
    return new RecordSchema(name, children(root));
  }

  // ---- reading ----

  /**
   * Reads the rest of the line after its opening brace, decoding every name, string and integer as
   * {@link #object} will, and requires that nothing follows the object.
   */
  private static boolean wellFormed(JsonParser p) throws IOException {
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return false;
      }
      switch (t) {
        case START_OBJECT, START_ARRAY -> depth++;
        case END_OBJECT, END_ARRAY -> depth--;
        case FIELD_NAME, VALUE_STRING -> p.getTextLength();
        case VALUE_NUMBER_INT -> p.getNumberType();
        default -> {
          // literals and floats need no decoding
        }
      }
    }
    return p.nextToken() == null;
  }

  /** Merges the object whose opening brace was just read into {@code node}. */
  private void object(JsonParser p, Node node) throws IOException {
    long visit = visits++;
    if (node.children == null && node.mapValue == null) {
      node.children = new LinkedHashMap<>();
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      JsonToken v = p.nextToken();
      if (node.mapValue != null) {
        value(p, v, node.mapValue);
        continue;
      }
      String name = p.currentName();
      if (name.isEmpty()) {
        p.skipChildren();
        continue;
      }
      Node child = node.children.computeIfAbsent(name, k -> new Node());
      if (child.lastVisit == visit) {
        p.skipChildren();
        continue;
      }
      child.lastVisit = visit;
      value(p, v, child);
      if (node.children.size() > MAP_KEYS && node != root) {
        toMap(node);
      }
    }
  }

  /** Turns a struct-shaped node into a map-shaped one whose value is the merge of all its fields. */
  private static void toMap(Node node) {
    Node value = new Node();
    for (Node child : node.children.values()) {
      merge(value, child);
    }
    node.children = null;
    node.mapValue = value;
  }

  /** Merges what {@code from} has seen into {@code into}, as if {@code into} had seen those values too. */
  private static void merge(Node into, Node from) {
    into.kinds |= from.kinds;
    into.allTimestamps &= from.allTimestamps;
    into.allDates &= from.allDates;
    if (into.isText()) {
      clearNested(into);
      return;
    }
    if (from.mapValue != null) {
      if (into.mapValue == null) {
        if (into.children == null) {
          into.mapValue = new Node();
        } else {
          toMap(into);
        }
      }
      merge(into.mapValue, from.mapValue);
    } else if (from.children != null) {
      if (into.mapValue == null && into.children == null) {
        into.children = new LinkedHashMap<>();
      }
      for (Map.Entry<String, Node> e : from.children.entrySet()) {
        merge(into.mapValue != null ? into.mapValue : into.children.computeIfAbsent(e.getKey(), k -> new Node()),
            e.getValue());
        if (into.children != null && into.children.size() > MAP_KEYS) {
          toMap(into);
        }
      }
    }
    if (from.element != null) {
      if (into.element == null) {
        into.element = new Node();
      }
      merge(into.element, from.element);
    }
  }

  private static void clearNested(Node node) {
    node.children = null;
    node.mapValue = null;
    node.element = null;
  }

  private void value(JsonParser p, JsonToken v, Node node) throws IOException {
    if (v == JsonToken.VALUE_NULL) {
      node.kinds |= NULL;
      return;
    }
    switch (v) {
      case START_OBJECT -> node.kinds |= OBJECT;
      case START_ARRAY -> node.kinds |= ARRAY;
      case VALUE_STRING -> node.kinds |= STRING;
      case VALUE_TRUE, VALUE_FALSE -> node.kinds |= BOOLEAN;
      case VALUE_NUMBER_FLOAT -> node.kinds |= NUMBER;
      case VALUE_NUMBER_INT ->
          node.kinds |= p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? BIG_INTEGER : INTEGER;
      default -> throw new IllegalStateException("unexpected token " + v);
    }
    if (node.isText()) {
      // nothing below a string matters any more
      clearNested(node);
      p.skipChildren();
      return;
    }
    switch (v) {
      case START_OBJECT -> object(p, node);
      case START_ARRAY -> array(p, node);
      case VALUE_STRING -> string(p, node);
      default -> {
        // a scalar's kind is all there is to keep
      }
    }
  }

  private void array(JsonParser p, Node node) throws IOException {
    if (node.element == null) {
      node.element = new Node();
    }
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      value(p, t, node.element);
    }
  }

  private void string(JsonParser p, Node node) throws IOException {
    if (!node.allTimestamps && !node.allDates) {
      return;
    }
    String s = p.getText();
    if (node.allDates && !isDate(s)) {
      node.allDates = false;
    }
    if (node.allTimestamps && (allDigits(s) || EventTime.parseMicros(s) == EventTime.INVALID)) {
      node.allTimestamps = false;
    }
  }

  private boolean isDate(String s) {
    if (s.length() != dateBytes.length) {
      return false;
    }
    for (int i = 0; i < dateBytes.length; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return false;
      }
      dateBytes[i] = (byte) c;
    }
    return EventTime.parseDate(dateBytes, 0, dateBytes.length) != EventTime.INVALID;
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  // ---- building the schema ----

  private static List<Field> children(Node parent) {
    List<Field> fields = new ArrayList<>(parent.children.size());
    for (Map.Entry<String, Node> e : parent.children.entrySet()) {
      fields.add(field(e.getKey(), e.getValue()));
    }
    return fields;
  }

  /** The field for what {@code node} has seen; optional, like all inferred fields. */
  private static Field field(String name, Node node) {
    int k = node.kinds & ~NULL;
    if (k == 0 || node.isText()) {
      return Field.primitive(name, FieldType.STRING, false);
    }
    if ((k & ~(INTEGER | NUMBER)) == 0) {
      return Field.primitive(name, k == INTEGER ? FieldType.INT64 : FieldType.DOUBLE, false);
    }
    return switch (k) {
      case BOOLEAN -> Field.primitive(name, FieldType.BOOLEAN, false);
      case STRING -> Field.primitive(name, stringType(node), false);
      case OBJECT -> node.mapValue != null ? Field.map(name, false, field("value", node.mapValue))
          : node.children.isEmpty() ? Field.map(name, false, Field.primitive("value", FieldType.STRING, false))
          : Field.group(name, false, children(node));
      case ARRAY -> Field.list(name, false, field("element", node.element));
      default -> throw new IllegalStateException("unexpected kinds " + k);
    };
  }

  private static FieldType stringType(Node node) {
    if (node.allDates) {
      return FieldType.DATE;
    }
    return node.allTimestamps ? FieldType.TIMESTAMP : FieldType.STRING;
  }
}
