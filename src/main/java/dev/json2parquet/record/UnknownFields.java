package dev.json2parquet.record;

/** What happens to a JSON field that the schema does not name. */
public enum UnknownFields {
  /** Silently dropped. */
  DROP,
  /** Kept, as JSON text, in the schema's catch-all map column under the field's dotted path. */
  EXTRA,
  /** The record is dead-lettered. */
  DLQ
}
