package dev.json2parquet.record;

import java.util.List;
import java.util.Objects;

/**
 * One node of a record schema. A GROUP has named children; a LIST has one child, its element;
 * a MAP has two children, its key (a required STRING) and its value.
 *
 * <p>Levels are those of the Parquet shredding (Dremel) model and are filled in by {@link RecordSchema}:
 * {@code definitionLevel} is the definition level reached when this field is present,
 * {@code repetitionLevel} the repetition level of the repeated group under a LIST or MAP.
 */
public final class Field {
  private final String name;
  private final FieldType type;
  private final boolean required;
  private final List<Field> children;
  int definitionLevel;
  int repetitionLevel;
  /** For primitive fields: the index of this leaf column in the schema. */
  int leafIndex = -1;
  /** First and last (exclusive) leaf index under this field. */
  int firstLeaf;
  int endLeaf;

  private Field(String name, FieldType type, boolean required, List<Field> children) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.required = required;
    this.children = List.copyOf(children);
  }

  public static Field primitive(String name, FieldType type, boolean required) {
    if (!type.isPrimitive()) {
      throw new IllegalArgumentException("Cannot make a primitive field of type " + type);
    }
    return new Field(name, type, required, List.of());
  }

  public static Field group(String name, boolean required, List<Field> fields) {
    return new Field(name, FieldType.GROUP, required, fields);
  }

  public static Field list(String name, boolean required, Field element) {
    return new Field(name, FieldType.LIST, required, List.of(element));
  }

  public static Field map(String name, boolean required, Field value) {
    return new Field(name, FieldType.MAP, required,
        List.of(primitive("key", FieldType.STRING, true), value));
  }

  public String name() {
    return name;
  }

  public FieldType type() {
    return type;
  }

  public boolean required() {
    return required;
  }

  public List<Field> children() {
    return children;
  }

  public Field element() {
    return children.get(0);
  }

  public Field mapKey() {
    return children.get(0);
  }

  public Field mapValue() {
    return children.get(1);
  }

  public int definitionLevel() {
    return definitionLevel;
  }

  public int repetitionLevel() {
    return repetitionLevel;
  }

  public int leafIndex() {
    return leafIndex;
  }

  public int firstLeaf() {
    return firstLeaf;
  }

  public int endLeaf() {
    return endLeaf;
  }

  @Override
  public String toString() {
    return name + ":" + type + (required ? "" : "?") + (children.isEmpty() ? "" : children.toString());
  }
}
