package dev.json2parquet.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads an Avro schema ({@code .avsc}: a JSON document whose root has {@code "type": "record"}) into
 * a record schema, so that Kafka users keep one schema. The Avro schema is parsed by Avro and
 * converted to a Parquet schema by parquet-avro's {@link AvroSchemaConverter} (the converter the
 * original design's card names), whose Parquet types are then mapped onto this project's model:
 *
 * <ul>
 *   <li>record: group; array: LIST; map: MAP of UTF8 to the value type;
 *   <li>{@code ["null", T]} (either order): optional T; every other field is required;
 *   <li>string, enum (as UTF8), uuid: STRING; boolean: BOOLEAN; int, long: INT64; float, double: DOUBLE;
 *   <li>{@code timestamp-millis}, {@code timestamp-micros}: TIMESTAMP (microseconds, UTC), with values
 *       read as for JSON Schema's {@code date-time}; {@code date}: DATE.
 * </ul>
 *
 * <p>Values are plain JSON (a union's value is written as it is, not in Avro's JSON encoding
 * {@code {"string": "x"}}). Refused, with the path of the field ({@code $.user.tags[]} for an array's
 * items, {@code $.attrs{}} for a map's values): {@code decimal} (the model has no decimal type:
 * declare such a field {@code double} or {@code string}), {@code bytes}, {@code fixed}, {@code time-*},
 * {@code local-timestamp-*}, unions of more than one non-null type, and recursive records.
 *
 * <p>The converter is built from a {@link PlainParquetConfiguration}, not Hadoop's
 * {@code Configuration}: its Hadoop constructor would need hadoop-common at run time, which the jar
 * does not carry. Stateless and thread-safe.
 */
public final class AvroSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AvroSchemas() {}

  /** Whether {@code text} looks like an Avro schema: a JSON object with {@code "type": "record"}. */
  public static boolean isAvro(String text) {
    try {
      JsonNode root = JSON.readTree(text);
      return root != null && root.isObject() && "record".equals(root.path("type").asText(null));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * Parses an Avro record schema into a record schema named {@code name}.
   *
   * @throws IllegalArgumentException when the text is not a valid Avro schema or uses a construct
   *     listed above as refused; the message starts with the field's path, e.g. {@code $.price}
   */
  public static RecordSchema parse(String text, String name) {
    Schema avro;
    try {
      avro = new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new IllegalArgumentException("$: not a valid Avro schema: " + e.getMessage());
    }
    if (avro.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("$: the root of an Avro schema must be a record, got " + avro.getType());
    }
    check(avro, "$", new IdentityHashMap<>());
    PlainParquetConfiguration conf = new PlainParquetConfiguration(Map.of(
        // three-level lists (list/element), the layout the rest of the model writes
        "parquet.avro.write-old-list-structure", "false"));
    MessageType parquet = new AvroSchemaConverter(conf).convert(avro);
    List<Field> fields = new ArrayList<>();
    for (Type t : parquet.getFields()) {
      fields.add(field(t, "$." + t.getName()));
    }
    return new RecordSchema(name, fields);
  }

  /** Refuses what the model cannot hold, naming the path, before the converter sees it. */
  private static void check(Schema s, String path, IdentityHashMap<Schema, Boolean> open) {
    LogicalType logical = s.getLogicalType();
    if (logical instanceof LogicalTypes.Decimal) {
      throw new IllegalArgumentException(path + ": Avro decimal is not supported (there is no decimal column"
          + " type); declare the field as double or string");
    }
    if (logical != null && !(logical instanceof LogicalTypes.TimestampMillis
        || logical instanceof LogicalTypes.TimestampMicros || logical instanceof LogicalTypes.Date
        || "uuid".equals(logical.getName()))) {
      throw new IllegalArgumentException(path + ": Avro logical type " + logical.getName() + " is not supported;"
          + " supported: timestamp-millis, timestamp-micros, date, uuid");
    }
    switch (s.getType()) {
      case RECORD -> {
        if (open.containsKey(s)) {
          throw new IllegalArgumentException(path + ": recursive record " + s.getFullName() + " is not supported");
        }
        if (s.getFields().isEmpty()) {
          throw new IllegalArgumentException(path + ": a record needs at least one field");
        }
        open.put(s, Boolean.TRUE);
        for (Schema.Field f : s.getFields()) {
          check(f.schema(), path + "." + f.name(), open);
        }
        open.remove(s);
      }
      case ARRAY -> check(s.getElementType(), path + "[]", open);
      case MAP -> check(s.getValueType(), path + "{}", open);
      case UNION -> {
        List<Schema> types = s.getTypes();
        List<Schema> nonNull = types.stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
        if (nonNull.size() != 1 || types.size() != 2) {
          throw new IllegalArgumentException(path + ": Avro union " + types.stream().map(Schema::getName).toList()
              + " is not supported; only a type with null, such as [\"null\", \"string\"]");
        }
        check(nonNull.get(0), path, open);
      }
      case BYTES, FIXED -> throw new IllegalArgumentException(path + ": Avro " + s.getType().getName()
          + " is not supported; use string");
      case NULL -> throw new IllegalArgumentException(path + ": a field of Avro type null alone is not supported");
      default -> {
        // STRING, ENUM, BOOLEAN, INT, LONG, FLOAT, DOUBLE
      }
    }
  }

  /** One Parquet type from the converter, as a field of the model. */
  private static Field field(Type t, String path) {
    boolean required = t.isRepetition(Type.Repetition.REQUIRED);
    LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
    if (!t.isPrimitive()) {
      GroupType g = t.asGroupType();
      if (a instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
        Type repeated = g.getType(0);
        Type element = repeated.isPrimitive() || repeated.asGroupType().getFieldCount() != 1
            ? repeated : repeated.asGroupType().getType(0);
        return Field.list(t.getName(), required, field(element, path + "[]"));
      }
      if (a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation) {
        Type value = g.getType(0).asGroupType().getType(1);
        return Field.map(t.getName(), required, field(value, path + "{}"));
      }
      List<Field> children = new ArrayList<>();
      for (Type c : g.getFields()) {
        children.add(field(c, path + "." + c.getName()));
      }
      return Field.group(t.getName(), required, children);
    }
    PrimitiveType p = t.asPrimitiveType();
    FieldType type = switch (p.getPrimitiveTypeName()) {
      case BOOLEAN -> FieldType.BOOLEAN;
      case INT32 -> a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation ? FieldType.DATE : FieldType.INT64;
      case INT64 -> a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ? FieldType.TIMESTAMP
          : FieldType.INT64;
      case FLOAT, DOUBLE -> FieldType.DOUBLE;
      case BINARY, FIXED_LEN_BYTE_ARRAY -> {
        if (a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            || a instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
            || a instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
          yield FieldType.STRING;
        }
        throw new IllegalArgumentException(path + ": Parquet type " + p + " is not supported");
      }
      default -> throw new IllegalArgumentException(path + ": Parquet type " + p + " is not supported");
    };
    return Field.primitive(t.getName(), type, required);
  }
}
