package dev.json2parquet.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.json2parquet.parquet.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link Config} from, in order of precedence: command-line flags, environment variables
 * ({@code JSON2PARQUET_<KEY>}, e.g. {@code JSON2PARQUET_BUFFER_SIZE}), the JSON config file, and the
 * defaults. Config file keys are snake_case ({@code buffer_size}) or CamelCase ({@code BufferSize}).
 * Any unknown key, wrong type or out-of-range value throws {@link ConfigException}.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "JSON2PARQUET_";

  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, String> origins = new LinkedHashMap<>();

  public ConfigLoader() {
    Keys.DEFAULTS.forEach((k, v) -> set(k, v, "default"));
  }

  /** Reads a JSON config file: one object of scalar values. */
  public ConfigLoader file(Path path) {
    String origin = "config file " + path;
    try (JsonParser p = new JsonFactory().createParser(Files.readAllBytes(path))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new ConfigException("Invalid " + origin + ": must be a JSON object of settings");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        Object value = switch (v) {
          case VALUE_STRING -> p.getText();
          // a number beyond the long range is passed on as text, for the key to reject by name
          case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : p.getLongValue();
          case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
          case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
          case VALUE_NULL -> null;
          default -> throw new ConfigException("Invalid " + name + " (" + origin
              + "): must be a string, number or boolean, not " + (v == JsonToken.START_ARRAY ? "an array" : "an object"));
        };
        if (value != null) {
          put(name, value, origin);
        } else if (!Keys.ALL.containsKey(Keys.snake(name))) {
          put(name, "null", origin);
        }
      }
      if (p.nextToken() != null) {
        throw new ConfigException("Invalid " + origin + ": unexpected content after the settings object");
      }
    } catch (NoSuchFileException e) {
      throw new ConfigException("Cannot read config file " + path + ": no such file");
    } catch (JsonProcessingException e) {
      throw new ConfigException("Invalid " + origin + ": not valid JSON: " + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr());
    } catch (IOException e) {
      throw new ConfigException("Cannot read config file " + path + ": " + e.getMessage());
    }
    return this;
  }

  /** Applies {@code JSON2PARQUET_*} variables from {@code env}. */
  public ConfigLoader environment(Map<String, String> env) {
    env.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX)) {
        put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT), value,
            "environment variable " + name);
      }
    });
    return this;
  }

  /** Applies a command-line flag's value (text, or a typed value) for {@code key}. */
  public ConfigLoader flag(String key, Object value, String flagName) {
    if (value != null) {
      put(key, value, "flag " + flagName);
    }
    return this;
  }

  private void put(String rawName, Object value, String origin) {
    String name = Keys.snake(rawName);
    Key key = Keys.ALL.get(name);
    if (key == null) {
      throw new ConfigException("Unknown setting '" + rawName + "' (" + origin + "); known settings: "
          + String.join(", ", Keys.ALL.keySet()));
    }
    set(name, key.check(value, origin), origin);
  }

  private void set(String name, Object value, String origin) {
    values.put(name, value);
    origins.put(name, origin);
  }

  public Config build() {
    Path out = Path.of(str("writer_file_path"));
    String dlq = str("dlq_path");
    String recovery = str("recovery_path");
    String type = str("writer_type");
    if (type.equals("s3") && values.get("s3_bucket") == null) {
      throw new ConfigException("Invalid writer_type = \"s3\" (" + origins.get("writer_type")
          + "): s3_bucket must be set too");
    }
    String endpoint = (String) values.get("s3_endpoint");
    if (endpoint != null && !endpoint.matches("https?://[^\\s/]+.*")) {
      throw new ConfigException("Invalid s3_endpoint = \"" + endpoint + "\" (" + origins.get("s3_endpoint")
          + "): must be an http:// or https:// URL");
    }
    String role = (String) values.get("s3_role_arn");
    if (role != null && !role.startsWith("arn:")) {
      throw new ConfigException("Invalid s3_role_arn = \"" + role + "\" (" + origins.get("s3_role_arn")
          + "): must be an ARN such as arn:aws:iam::123456789012:role/name");
    }
    String schema = (String) values.get("json_schema_path");
    return new Config(
        out,
        dlq == null ? out.resolve("_dlq") : Path.of(dlq),
        recovery == null ? out.resolve("_recovery") : Path.of(recovery),
        Compression.parse(str("writer_compression_type")),
        num("writer_row_group_size"),
        (int) num("writer_page_size"),
        (int) num("buffer_size"),
        num("max_buffer_bytes"),
        (Double) values.get("flush_interval"),
        str("partition"),
        str("key"),
        str("record_type"),
        schema == null ? null : Path.of(schema),
        str("unknown_fields"),
        (int) num("schema_sample"),
        (int) num("max_line_bytes"),
        (int) num("threads"),
        (Boolean) values.get("debug"),
        str("buffer_type"),
        type.equals("local") ? "file" : type,
        (Boolean) values.get("try_auto_recover"),
        (int) num("recovery_attempts"),
        Map.copyOf(values));
  }

  /** Where the final value of {@code key} came from (default, config file, environment, flag). */
  public String origin(String key) {
    return origins.get(key);
  }

  private String str(String k) {
    return (String) values.get(k);
  }

  private long num(String k) {
    return (Long) values.get(k);
  }
}
