package dev.json2parquet.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The test's own statement of how an input line maps to a Log row, written from the rules
 * (not from the converter's code): aliases, "" for absent required strings, unknown fields and the
 * extra_fields object merged into extra_fields with non-string values as JSON text.
 */
final class LogExpectation {
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> COLUMNS = List.of("time", "level", "correlation_id", "session_id", "message_id",
      "person_id", "user_id", "device_id", "message", "business_capability", "business_domain", "business_service",
      "application_service", "audit", "resource_type", "cloud_provider", "source_id", "http_response", "error_code",
      "stack_trace", "duration", "trace_ip", "region", "az", "tags", "args", "transaction_message_reference", "ttl",
      "auto_index", "logger_name", "thread_name", "extra_fields");
  static final List<String> REQUIRED = List.of("time", "level", "message", "business_capability", "business_domain",
      "business_service", "application_service");
  static final Map<String, String> ALIASES = Map.of("msg", "message", "log", "message", "lvl", "level",
      "timestamp", "time", "when", "time");

  /** The row DuckDB should return, as DuckDB's to_json renders it. */
  static ObjectNode expected(String line) throws Exception {
    JsonNode in = JSON.readTree(line);
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    ObjectNode extras = JsonNodeFactory.instance.objectNode();
    boolean extrasSeen = false;
    Iterator<Map.Entry<String, JsonNode>> it = in.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = ALIASES.getOrDefault(e.getKey(), e.getKey());
      JsonNode v = e.getValue();
      if (name.equals("extra_fields") && !extrasSeen) {
        extrasSeen = true;
        if (v.isObject()) {
          v.fields().forEachRemaining(x -> extras.set(x.getKey(), text(x.getValue())));
        }
      } else if (COLUMNS.contains(name) && !row.has(name) && !name.equals("extra_fields")) {
        row.set(name, name.equals("args") ? textMap(v) : v);
      } else {
        extras.set(e.getKey(), text(v));
      }
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String c : COLUMNS) {
      if (c.equals("extra_fields")) {
        out.set(c, extras.isEmpty() && !extrasSeen ? JsonNodeFactory.instance.nullNode() : extras);
      } else if (REQUIRED.contains(c) && (!row.has(c) || row.get(c).isNull())) {
        out.put(c, "");
      } else {
        out.set(c, row.has(c) ? row.get(c) : JsonNodeFactory.instance.nullNode());
      }
    }
    return out;
  }

  private static JsonNode textMap(JsonNode v) {
    if (!v.isObject()) {
      return v;
    }
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    v.fields().forEachRemaining(x -> m.set(x.getKey(), text(x.getValue())));
    return m;
  }

  /** A map value: strings as they are, null as null, anything else as its JSON text. */
  static JsonNode text(JsonNode v) {
    if (v.isTextual() || v.isNull()) {
      return v;
    }
    return JsonNodeFactory.instance.textNode(v.toString());
  }

  /**
   * A row as read back, with JSON-text map values that hold an object or array re-serialized
   * compactly, so that it compares with {@link #expected} (which cannot know the source's spacing).
   */
  static JsonNode compact(JsonNode row) throws Exception {
    ObjectNode copy = row.deepCopy();
    for (String map : List.of("args", "extra_fields")) {
      JsonNode m = copy.get(map);
      if (m != null && m.isObject()) {
        ObjectNode o = (ObjectNode) m;
        List<String> keys = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
          String t = o.get(k).isTextual() ? o.get(k).asText() : null;
          if (t != null && (t.startsWith("{") || t.startsWith("["))) {
            o.put(k, JSON.readTree(t).toString());
          }
        }
      }
    }
    return copy;
  }

  private LogExpectation() {}
}
