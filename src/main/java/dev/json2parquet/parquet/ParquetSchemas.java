package dev.json2parquet.parquet;

import dev.json2parquet.record.Field;
import dev.json2parquet.record.RecordSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * Maps a record schema to Parquet, using the standard three-level LIST and MAP layouts so that
 * DuckDB, Spark, Athena and pyarrow all read lists and maps as such.
 */
public final class ParquetSchemas {
  private ParquetSchemas() {}

  public static MessageType toMessageType(RecordSchema schema) {
    List<Type> fields = new ArrayList<>();
    for (Field f : schema.fields()) {
      fields.add(type(f));
    }
    return new MessageType(schema.name(), fields);
  }

  private static Type type(Field f) {
    Repetition rep = f.required() ? Repetition.REQUIRED : Repetition.OPTIONAL;
    return switch (f.type()) {
      case STRING -> Types.primitive(PrimitiveTypeName.BINARY, rep)
          .as(LogicalTypeAnnotation.stringType()).named(f.name());
      case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(f.name());
      case INT64 -> Types.primitive(PrimitiveTypeName.INT64, rep).named(f.name());
      case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(f.name());
      case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, rep)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(f.name());
      case DATE -> Types.primitive(PrimitiveTypeName.INT32, rep)
          .as(LogicalTypeAnnotation.dateType()).named(f.name());
      case GROUP -> {
        List<Type> children = new ArrayList<>();
        for (Field c : f.children()) {
          children.add(type(c));
        }
        yield new GroupType(rep, f.name(), children);
      }
      case LIST -> Types.buildGroup(rep).as(LogicalTypeAnnotation.listType())
          .addField(new GroupType(Repetition.REPEATED, "list", type(f.element())))
          .named(f.name());
      case MAP -> Types.buildGroup(rep).as(LogicalTypeAnnotation.mapType())
          .addField(new GroupType(Repetition.REPEATED, "key_value", type(f.mapKey()), type(f.mapValue())))
          .named(f.name());
    };
  }
}
