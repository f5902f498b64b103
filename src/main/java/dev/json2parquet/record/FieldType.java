package dev.json2parquet.record;

/** The value types a record field can have; each maps to one Parquet type. */
public enum FieldType {
  STRING,
  BOOLEAN,
  INT64,
  DOUBLE,
  /** Microseconds since the epoch, UTC. */
  TIMESTAMP,
  /** Days since the epoch. */
  DATE,
  GROUP,
  LIST,
  MAP;

  public boolean isPrimitive() {
    return this != GROUP && this != LIST && this != MAP;
  }

  public boolean isBinary() {
    return this == STRING;
  }
}
