package dev.json2parquet.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
 * <p>Rules: fields keep their first-seen order; a field is required when it is present and non-null
 * in every object that holds it; integers and numbers widen to numbers; any other mix, and integers
 * beyond 64 bits, become strings; strings that are all timestamps or all {@code yyyy-MM-dd} dates
 * become TIMESTAMP or DATE; objects become groups, or maps of optional strings when always empty;
 * arrays become lists of the merge of all their elements (optional strings when always empty); a
 * field that is only ever null is an optional string. Keys that are empty or repeated in one object
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

  private final JsonFactory factory = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(JsonRecordReader.MAX_DEPTH).build())
      .build();
  private final Node root = new Node();
  private final byte[] dateBytes = new byte[10];
  private long records;
  /** Numbers each object visit, to spot a key repeated within one object. */
  private long visits;

  /** What one field (or list element) has looked like so far. */
  private static final class Node {
    int kinds;
    boolean allTimestamps = true;
    boolean allDates = true;
    /** Times the field was present with a non-null value. */
    long nonNull;
    /** Object values seen; a child is required when its nonNull equals this. */
    long objects;
    long lastVisit = -1;
    Map<String, Node> children;
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
    node.objects++;
    long visit = visits++;
    if (node.children == null) {
      node.children = new LinkedHashMap<>();
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
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
    }
  }

  private void value(JsonParser p, JsonToken v, Node node) throws IOException {
    if (v == JsonToken.VALUE_NULL) {
      node.kinds |= NULL;
      return;
    }
    node.nonNull++;
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
      node.children = null;
      node.element = null;
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
      Node child = e.getValue();
      fields.add(field(e.getKey(), child, child.nonNull == parent.objects));
    }
    return fields;
  }

  private static Field field(String name, Node node, boolean required) {
    int k = node.kinds & ~NULL;
    if (k == 0 || node.isText()) {
      return Field.primitive(name, FieldType.STRING, required && k != 0);
    }
    if ((k & ~(INTEGER | NUMBER)) == 0) {
      return Field.primitive(name, k == INTEGER ? FieldType.INT64 : FieldType.DOUBLE, required);
    }
    return switch (k) {
      case BOOLEAN -> Field.primitive(name, FieldType.BOOLEAN, required);
      case STRING -> Field.primitive(name, stringType(node), required);
      case OBJECT -> node.children.isEmpty()
          ? Field.map(name, required, Field.primitive("value", FieldType.STRING, false))
          : Field.group(name, required, children(node));
      case ARRAY -> Field.list(name, required, element(node.element));
      default -> throw new IllegalStateException("unexpected kinds " + k);
    };
  }

  private static Field element(Node element) {
    boolean required = (element.kinds & NULL) == 0 && element.kinds != 0;
    return field("element", element, required);
  }

  private static FieldType stringType(Node node) {
    if (node.allDates) {
      return FieldType.DATE;
    }
    return node.allTimestamps ? FieldType.TIMESTAMP : FieldType.STRING;
  }
}
