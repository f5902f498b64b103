package dev.json2parquet.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes record schemas as JSON Schema documents (a subset of draft 2020-12 / draft-07).
 *
 * <p>The subset: a root {@code "type": "object"} with {@code properties}; objects with
 * {@code properties} (and {@code required}) become groups; objects with a schema-valued
 * {@code additionalProperties} become maps of that value; other objects become maps of optional
 * strings (values kept as JSON text); arrays with an {@code items} schema become lists; strings
 * (with {@code format} {@code date-time} or {@code date} as timestamps and dates), integers,
 * numbers and booleans become primitives. {@code "type": [T, "null"]} makes a field optional, and a
 * property is required only when it is listed in {@code required} and not nullable. Annotation
 * keywords are ignored; any other keyword is rejected, so a schema is never silently misread.
 */
public final class JsonSchemas {
  /** The {@code $schema} written by {@link #render}. */
  public static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

  private static final Set<String> ANNOTATIONS = Set.of(
      "$schema", "$id", "$comment", "title", "description", "default", "examples", "deprecated",
      "readOnly", "writeOnly");
  private static final Set<String> STRUCTURAL = Set.of(
      "type", "properties", "required", "items", "additionalProperties", "format");
  private static final Set<String> TYPE_NAMES = Set.of(
      "string", "integer", "number", "boolean", "object", "array", "null");
  /** Stands for a JSON null in the parsed document tree. */
  private static final Object JSON_NULL = new Object();

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private JsonSchemas() {}

  /** A schema's resolved type: one type name and whether {@code "null"} was allowed next to it. */
  private record Type(String name, boolean nullable) {}

  /**
   * Parses a JSON Schema document into a record schema named {@code name}.
   *
   * @throws IllegalArgumentException if the document is not valid JSON or falls outside the
   *     supported subset; the message starts with the schema path, e.g. {@code $.properties.user}
   */
  public static RecordSchema parse(String json, String name) {
    Objects.requireNonNull(json, "json");
    Object root = readDocument(json);
    Map<String, Object> s = asSchema(root, "$");
    checkKeywords(s, "$");
    Type type = type(s, "$");
    if (!type.name().equals("object") || type.nullable()) {
      throw error("$", "the root must have type 'object', got " + describeType(s.get("type")));
    }
    if (!s.containsKey("properties")) {
      throw error("$", "the root object needs 'properties'");
    }
    checkApplies(s, "object", "$");
    return new RecordSchema(name, properties(s, "$", 1));
  }

  /** Renders a record schema as a pretty-printed JSON Schema (draft 2020-12) that {@link #parse} reads back. */
  public static String render(RecordSchema schema) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.setPrettyPrinter(printer());
      g.writeStartObject();
      g.writeStringField("$schema", DRAFT_2020_12);
      if (schema.name() != null) {
        g.writeStringField("title", schema.name());
      }
      g.writeStringField("type", "object");
      writeProperties(g, schema.fields());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append('\n').toString();
  }

  // ---- parsing ----

  private static Field field(Object node, String path, String name, boolean listedRequired, int depth) {
    if (depth > JsonRecordReader.MAX_DEPTH) {
      throw error(path, "nesting deeper than " + JsonRecordReader.MAX_DEPTH + " levels");
    }
    Map<String, Object> s = asSchema(node, path);
    checkKeywords(s, path);
    Type type = type(s, path);
    boolean required = listedRequired && !type.nullable();
    checkApplies(s, type.name(), path);
    return switch (type.name()) {
      case "string" -> Field.primitive(name, stringType(s), required);
      case "integer" -> Field.primitive(name, FieldType.INT64, required);
      case "number" -> Field.primitive(name, FieldType.DOUBLE, required);
      case "boolean" -> Field.primitive(name, FieldType.BOOLEAN, required);
      case "array" -> Field.list(name, required, items(s, path, depth));
      case "object" -> object(s, path, name, required, depth);
      default -> throw new IllegalStateException(type.name());
    };
  }

  private static FieldType stringType(Map<String, Object> s) {
    return switch (String.valueOf(s.get("format"))) {
      case "date-time" -> FieldType.TIMESTAMP;
      case "date" -> FieldType.DATE;
      default -> FieldType.STRING;
    };
  }

  private static Field items(Map<String, Object> s, String path, int depth) {
    Object items = s.get("items");
    if (items == null || items instanceof List) {
      throw error(path, items == null ? "an array needs 'items'"
          : "array-valued 'items' (a tuple) is not supported; use one schema for all items");
    }
    return field(items, path + ".items", "element", true, depth + 1);
  }

  private static Field object(Map<String, Object> s, String path, String name, boolean required, int depth) {
    if (s.containsKey("properties")) {
      return Field.group(name, required, properties(s, path, depth));
    }
    if (s.containsKey("required")) {
      throw error(path, "'required' needs 'properties'");
    }
    Object additional = s.get("additionalProperties");
    if (additional == null || Boolean.TRUE.equals(additional) || additional instanceof Map<?, ?> m && m.isEmpty()) {
      return Field.map(name, required, Field.primitive("value", FieldType.STRING, false));
    }
    if (Boolean.FALSE.equals(additional)) {
      throw error(path, "an object with no 'properties' and 'additionalProperties': false has no fields");
    }
    return Field.map(name, required, field(additional, path + ".additionalProperties", "value", true, depth + 1));
  }

  /** The children of an object schema that has {@code properties}. */
  private static List<Field> properties(Map<String, Object> s, String path, int depth) {
    if (!(s.get("properties") instanceof Map<?, ?> props)) {
      throw error(path + ".properties", "'properties' must be an object, got " + describe(s.get("properties")));
    }
    if (props.isEmpty()) {
      throw error(path + ".properties", "'properties' is empty; an object needs at least one property");
    }
    Object additional = s.get("additionalProperties");
    if (additional instanceof Map<?, ?> m && !m.isEmpty()) {
      throw error(path, "'properties' together with a schema-valued 'additionalProperties' is not supported");
    }
    if (additional != null && !(additional instanceof Boolean) && !(additional instanceof Map)) {
      throw error(path + ".additionalProperties", "must be a boolean or a schema, got " + describe(additional));
    }
    Set<String> required = requiredNames(s, path, props);
    List<Field> fields = new ArrayList<>(props.size());
    for (Map.Entry<?, ?> e : props.entrySet()) {
      String name = (String) e.getKey();
      if (name.isEmpty()) {
        throw error(path + ".properties", "a property name is empty");
      }
      fields.add(field(e.getValue(), path + ".properties." + name, name, required.contains(name), depth + 1));
    }
    return fields;
  }

  private static Set<String> requiredNames(Map<String, Object> s, String path, Map<?, ?> props) {
    Object req = s.get("required");
    Set<String> names = new HashSet<>();
    if (req == null) {
      return names;
    }
    if (!(req instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
      throw error(path + ".required", "'required' must be an array of property names");
    }
    for (Object o : list) {
      String n = (String) o;
      if (!props.containsKey(n)) {
        throw error(path + ".required", "'" + n + "' is not one of the properties");
      }
      names.add(n);
    }
    return names;
  }

  private static Type type(Map<String, Object> s, String path) {
    Object t = s.get("type");
    if (t == null) {
      throw error(path, "missing 'type'");
    }
    List<?> names = t instanceof String ? List.of(t) : t instanceof List<?> list ? list : List.of(t);
    String base = null;
    boolean nullable = false;
    for (Object o : names) {
      if (!(o instanceof String name)) {
        throw error(path, "'type' must be a string or an array of strings, got " + describe(t));
      }
      checkTypeName(name, path);
      if (name.equals("null")) {
        nullable = true;
      } else if (base == null && names.size() <= 2) {
        base = name;
      } else {
        throw error(path, "type union " + describeType(t) + " is not supported; only [T, \"null\"] is");
      }
    }
    if (base == null) {
      throw error(path, names.isEmpty() ? "'type' is an empty array" : "type 'null' alone is not supported");
    }
    return new Type(base, nullable);
  }

  private static void checkTypeName(String name, String path) {
    if (!TYPE_NAMES.contains(name)) {
      throw error(path, "unknown type '" + name + "'");
    }
  }

  /** Rejects every keyword outside the supported subset, naming it. */
  private static void checkKeywords(Map<String, Object> s, String path) {
    for (String k : s.keySet()) {
      if (ANNOTATIONS.contains(k) || STRUCTURAL.contains(k)) {
        continue;
      }
      String hint = switch (k) {
        case "$ref", "$dynamicRef" -> " (inline the referenced schema)";
        case "$defs", "definitions" -> " (inline the definitions where they are used)";
        case "oneOf", "anyOf", "allOf", "not", "if", "then", "else" ->
            " (only \"type\": [T, \"null\"] unions are supported)";
        default -> "";
      };
      throw error(path, "keyword '" + k + "' is not supported" + hint);
    }
  }

  /** Rejects structural keywords that do not belong to the schema's type ({@code format} is allowed anywhere). */
  private static void checkApplies(Map<String, Object> s, String type, String path) {
    for (String k : List.of("properties", "required", "additionalProperties", "items")) {
      boolean applies = k.equals("items") ? type.equals("array") : type.equals("object");
      if (s.containsKey(k) && !applies) {
        throw error(path, "keyword '" + k + "' does not apply to type '" + type + "'");
      }
    }
    Object format = s.get("format");
    if (format != null && !(format instanceof String)) {
      throw error(path, "'format' must be a string, got " + describe(format));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asSchema(Object node, String path) {
    if (node instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw error(path, "a schema must be a JSON object, got " + describe(node));
  }

  private static IllegalArgumentException error(String path, String problem) {
    return new IllegalArgumentException(path + ": " + problem);
  }

  private static String describe(Object o) {
    return o instanceof Map ? "an object" : o instanceof List ? "an array"
        : o instanceof String str ? "string \"" + str + "\"" : o instanceof Boolean ? "boolean " + o
        : o == JSON_NULL ? "null" : "number " + o;
  }

  private static String describeType(Object t) {
    if (t instanceof String str) {
      return "'" + str + "'";
    }
    if (t instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      for (Object o : list) {
        parts.add(o instanceof String str ? "\"" + str + "\"" : describe(o));
      }
      return "[" + String.join(", ", parts) + "]";
    }
    return describe(t);
  }

  // ---- the document tree ----

  private static Object readDocument(String json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw error("$", "invalid JSON: the document is empty");
      }
      Object root = readValue(p, t);
      JsonToken after = p.nextToken();
      if (after != null) {
        throw error("$", "invalid JSON at line " + p.currentTokenLocation().getLineNr() + ", column "
            + p.currentTokenLocation().getColumnNr() + ": content after the end of the schema");
      }
      return root;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw error("$", "invalid JSON" + where + ": " + e.getOriginalMessage().replace('\n', ' '));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object readValue(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          m.put(key, readValue(p, p.nextToken()));
        }
        yield m;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
          list.add(readValue(p, e));
        }
        yield list;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> JSON_NULL;
      default -> throw new IllegalStateException("unexpected token " + t);
    };
  }

  // ---- rendering ----

  private static DefaultPrettyPrinter printer() {
    Separators separators = Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withArrayValueSpacing(Separators.Spacing.AFTER);
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators);
    printer.indentObjectsWith(new DefaultIndenter("  ", "\n"));
    printer.indentArraysWith(DefaultPrettyPrinter.NopIndenter.instance);
    return printer;
  }

  private static void writeProperties(JsonGenerator g, List<Field> fields) throws IOException {
    g.writeObjectFieldStart("properties");
    for (Field f : fields) {
      g.writeFieldName(f.name());
      writeField(g, f);
    }
    g.writeEndObject();
    String[] required = fields.stream().filter(Field::required).map(Field::name).toArray(String[]::new);
    if (required.length > 0) {
      g.writeFieldName("required");
      g.writeArray(required, 0, required.length);
    }
  }

  private static void writeField(JsonGenerator g, Field f) throws IOException {
    g.writeStartObject();
    String type = switch (f.type()) {
      case STRING, TIMESTAMP, DATE -> "string";
      case INT64 -> "integer";
      case DOUBLE -> "number";
      case BOOLEAN -> "boolean";
      case GROUP, MAP -> "object";
      case LIST -> "array";
    };
    if (f.required()) {
      g.writeStringField("type", type);
    } else {
      g.writeFieldName("type");
      g.writeArray(new String[] {type, "null"}, 0, 2);
    }
    switch (f.type()) {
      case TIMESTAMP -> g.writeStringField("format", "date-time");
      case DATE -> g.writeStringField("format", "date");
      case GROUP -> writeProperties(g, f.children());
      case LIST -> {
        g.writeFieldName("items");
        writeField(g, f.element());
      }
      case MAP -> {
        g.writeFieldName("additionalProperties");
        writeField(g, f.mapValue());
      }
      default -> {
        // a plain primitive has nothing more
      }
    }
    g.writeEndObject();
  }
}
