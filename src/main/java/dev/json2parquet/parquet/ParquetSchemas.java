package dev.json2parquet.parquet;

import dev.json2parquet.record.Field;
import dev.json2parquet.record.RecordSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.OriginalType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;

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

  // Types are made with their constructors rather than parquet-java's Types builders, whose class
  // sets up a logger: that alone would initialise logging (~50 ms) in every run.
  private static Type type(Field f) {
    Repetition rep = f.required() ? Repetition.REQUIRED : Repetition.OPTIONAL;
    return switch (f.type()) {
      case STRING -> primitive(rep, PrimitiveTypeName.BINARY, f.name(), LogicalTypeAnnotation.stringType());
      case BOOLEAN -> primitive(rep, PrimitiveTypeName.BOOLEAN, f.name(), null);
      case INT64 -> primitive(rep, PrimitiveTypeName.INT64, f.name(), null);
      case DOUBLE -> primitive(rep, PrimitiveTypeName.DOUBLE, f.name(), null);
      case TIMESTAMP -> primitive(rep, PrimitiveTypeName.INT64, f.name(),
          LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
      case DATE -> primitive(rep, PrimitiveTypeName.INT32, f.name(), LogicalTypeAnnotation.dateType());
      case GROUP -> {
        List<Type> children = new ArrayList<>();
        for (Field c : f.children()) {
          children.add(type(c));
        }
        yield new GroupType(rep, f.name(), children);
      }
      case LIST -> new GroupType(rep, f.name(), OriginalType.LIST,
          List.of(new GroupType(Repetition.REPEATED, "list", type(f.element()))));
      case MAP -> new GroupType(rep, f.name(), OriginalType.MAP,
          List.of(new GroupType(Repetition.REPEATED, "key_value", type(f.mapKey()), type(f.mapValue()))));
    };
  }

  private static Type primitive(Repetition rep, PrimitiveTypeName type, String name, LogicalTypeAnnotation logical) {
    PrimitiveType t = new PrimitiveType(rep, type, name);
    return logical == null ? t : t.withLogicalTypeAnnotation(logical);
  }
}
