package dev.json2parquet.record;

import java.util.List;
import java.util.Map;

/**
 * A schema plus the rules for reading JSON into it: field aliases, where unknown fields go,
 * which field carries the event time, and how lenient to be with missing required strings.
 *
 * @param schema the columns
 * @param aliases alternative JSON names of top-level fields (alias to field name)
 * @param unknownFields the policy for fields the schema does not name
 * @param catchAll the top-level MAP field that receives unknown fields under EXTRA, or null
 * @param eventTimeField the top-level field holding the record's event time, or null
 * @param missingRequiredStringIsEmpty when true, an absent or null required string is written as ""
 * @param mapValuesAsText when true, a non-string value in a map of strings is kept as its JSON text
 * @param anyAsText when true, any JSON value given for a string field is kept as its JSON text
 */
public record RecordType(
    RecordSchema schema,
    Map<String, String> aliases,
    UnknownFields unknownFields,
    Field catchAll,
    String eventTimeField,
    boolean missingRequiredStringIsEmpty,
    boolean mapValuesAsText,
    boolean anyAsText) {

  public RecordType {
    aliases = Map.copyOf(aliases);
    if (unknownFields == UnknownFields.EXTRA && catchAll == null) {
      throw new IllegalArgumentException("Cannot keep unknown fields: the schema has no catch-all map");
    }
  }

  public static final String LOG_CATCH_ALL = "extra_fields";

  private static final List<String> LOG_REQUIRED = List.of(
      "time", "level", "message", "business_capability", "business_domain", "business_service",
      "application_service");

  /**
   * The {@code Log} record of the original design, columns in the order of its definition. A
   * number, boolean, object or array given for a string column (or list element) is kept as its
   * JSON text exactly as written ({@code 200}, {@code 2.50}), as in dynamic records.
   */
  public static RecordType log() {
    String[] order = {
      "time", "level", "correlation_id", "session_id", "message_id", "person_id", "user_id", "device_id",
      "message", "business_capability", "business_domain", "business_service", "application_service",
      "audit", "resource_type", "cloud_provider", "source_id", "http_response", "error_code", "stack_trace",
      "duration", "trace_ip", "region", "az", "tags", "args", "transaction_message_reference", "ttl",
      "auto_index", "logger_name", "thread_name", LOG_CATCH_ALL
    };
    Field[] fields = new Field[order.length];
    for (int i = 0; i < order.length; i++) {
      String n = order[i];
      fields[i] = switch (n) {
        case "audit", "auto_index" -> Field.primitive(n, FieldType.BOOLEAN, false);
        case "trace_ip", "tags" -> Field.list(n, false, Field.primitive("element", FieldType.STRING, false));
        case "args", LOG_CATCH_ALL -> Field.map(n, false, Field.primitive("value", FieldType.STRING, false));
        default -> Field.primitive(n, FieldType.STRING, LOG_REQUIRED.contains(n));
      };
    }
    RecordSchema schema = new RecordSchema("Log", List.of(fields));
    return new RecordType(schema,
        Map.of("msg", "message", "log", "message", "lvl", "level", "timestamp", "time", "when", "time"),
        UnknownFields.EXTRA, schema.field(LOG_CATCH_ALL), "time", true, true, true);
  }

  /** The column that keeps unknown fields of dynamic records under {@link UnknownFields#EXTRA}. */
  public static final String DYNAMIC_CATCH_ALL = "_extra";

  /**
   * Records of any shape described by {@code schema} (from a JSON Schema or inferred). With
   * {@link UnknownFields#EXTRA} a {@value #DYNAMIC_CATCH_ALL} map column is added for fields the schema
   * does not name, keyed by their dotted path, values as JSON text. Strings are lenient (any other
   * JSON value is kept as its text, as schema inference widens mixed fields to string); every other
   * mismatch dead-letters the record.
   */
  public static RecordType dynamic(RecordSchema schema, UnknownFields unknownFields) {
    if (schema.field(DYNAMIC_CATCH_ALL) != null && unknownFields == UnknownFields.EXTRA) {
      throw new IllegalArgumentException("the schema has a field named " + DYNAMIC_CATCH_ALL
          + ", which keeps unknown fields; rename it or use unknown_fields drop or dlq");
    }
    RecordSchema full = schema;
    Field catchAll = null;
    if (unknownFields == UnknownFields.EXTRA) {
      java.util.List<Field> fields = new java.util.ArrayList<>(schema.fields());
      fields.add(Field.map(DYNAMIC_CATCH_ALL, false, Field.primitive("value", FieldType.STRING, false)));
      full = new RecordSchema(schema.name(), fields);
      catchAll = full.field(DYNAMIC_CATCH_ALL);
    }
    return new RecordType(full, Map.of(), unknownFields, catchAll, null, false, true, true);
  }
}
