package dev.json2parquet.record;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A record's schema: the top-level fields, with the leaf columns and their levels computed once.
 * Immutable after construction and safe to share between threads.
 */
public final class RecordSchema {
  private final String name;
  private final List<Field> fields;
  private final List<Field> leaves = new ArrayList<>();
  private final List<String> leafPaths = new ArrayList<>();
  private final Map<String, Field> topLevel = new HashMap<>();

  public RecordSchema(String name, List<Field> fields) {
    this.name = name;
    this.fields = List.copyOf(fields);
    for (Field f : this.fields) {
      if (topLevel.put(f.name(), f) != null) {
        throw new IllegalArgumentException("Cannot build schema: field '" + f.name() + "' appears twice");
      }
      assign(f, "", 0, 0);
    }
  }

  private void assign(Field f, String parentPath, int parentDef, int parentRep) {
    String path = parentPath.isEmpty() ? f.name() : parentPath + "." + f.name();
    f.definitionLevel = parentDef + (f.required() ? 0 : 1);
    f.repetitionLevel = parentRep;
    f.firstLeaf = leaves.size();
    switch (f.type()) {
      case GROUP -> {
        for (Field c : f.children()) {
          assign(c, path, f.definitionLevel, parentRep);
        }
      }
      case LIST, MAP -> {
        // the repeated group between this field and its element/key-value adds one level each
        f.repetitionLevel = parentRep + 1;
        for (Field c : f.children()) {
          assign(c, path, f.definitionLevel + 1, parentRep + 1);
        }
      }
      default -> {
        f.leafIndex = leaves.size();
        leaves.add(f);
        leafPaths.add(path);
      }
    }
    f.endLeaf = leaves.size();
  }

  public String name() {
    return name;
  }

  public List<Field> fields() {
    return fields;
  }

  public Field field(String topLevelName) {
    return topLevel.get(topLevelName);
  }

  public List<Field> leaves() {
    return Collections.unmodifiableList(leaves);
  }

  public int leafCount() {
    return leaves.size();
  }

  /** Dotted path of a leaf, e.g. {@code args.value}. */
  public String leafPath(int leaf) {
    return leafPaths.get(leaf);
  }

  /**
   * Resolves a dotted path to a field that holds at most one value per record (no list or map on
   * the way), or returns null.
   */
  public Field scalarField(String dottedPath) {
    String[] parts = dottedPath.split("\\.");
    Field f = topLevel.get(parts[0]);
    for (int i = 1; f != null && i < parts.length; i++) {
      if (f.type() != FieldType.GROUP) {
        return null;
      }
      Field next = null;
      for (Field c : f.children()) {
        if (c.name().equals(parts[i])) {
          next = c;
        }
      }
      f = next;
    }
    return f != null && f.type().isPrimitive() ? f : null;
  }
}
