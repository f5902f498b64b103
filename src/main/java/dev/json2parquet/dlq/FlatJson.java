package dev.json2parquet.dlq;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a flat JSON object (the DLQ envelope, a replay marker) with Jackson's streaming parser:
 * strings, numbers (as Long or Double), booleans and nulls by field name; arrays of scalars as
 * lists of their text; nested objects are skipped.
 */
final class FlatJson {
  static final JsonFactory FACTORY = new JsonFactory();

  private FlatJson() {}

  /** @throws IOException when {@code json} is not one JSON object */
  static Map<String, Object> read(byte[] json) throws IOException {
    Map<String, Object> fields = new HashMap<>();
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.START_ARRAY) {
          List<String> items = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken().isStructStart()) {
              p.skipChildren();
            } else {
              items.add(p.getText());
            }
          }
          fields.put(name, items);
        } else if (v == JsonToken.START_OBJECT) {
          p.skipChildren();
        } else {
          fields.put(name, scalar(p, v));
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IOException("not one JSON object");
      }
    }
    return fields;
  }

  private static Object scalar(JsonParser p, JsonToken v) throws IOException {
    return switch (v) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getLongValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> null;
    };
  }
}
