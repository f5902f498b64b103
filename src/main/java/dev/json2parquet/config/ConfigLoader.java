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
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link Config} from, in order of precedence: command-line flags, environment variables
 * ({@code JSON2PARQUET_<KEY>}, e.g. {@code JSON2PARQUET_BUFFER_SIZE}), the JSON config file, and the
 * defaults. Config file keys are snake_case ({@code buffer_size}) or CamelCase ({@code BufferSize}).
 * The original design's names are canonical; {@code RedisSQLPrefix} is accepted for
 * {@code redis_dlq_prefix}. Problems (an unknown key, with the nearest known one suggested; a wrong
 * type; an out-of-range value; keys that contradict each other) are collected and {@link #build()}
 * throws them together in one {@link ConfigException}; a file that is not a JSON object, or cannot
 * be read, throws at once. Messages use the key as the user spelled it. Not thread-safe.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "JSON2PARQUET_";

  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, String> origins = new LinkedHashMap<>();
  /** The name each key was last given as: the user's spelling, or the flag. */
  private final Map<String, String> spelled = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

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
      Map<String, String> given = new java.util.HashMap<>(); // key -> the spelling it was given under
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        Key known = Keys.find(Keys.snake(name));
        String earlier = known == null ? null : given.putIfAbsent(known.name(), name);
        if (earlier != null) {
          // JSON leaves duplicate names undefined (RFC 8259 section 4); one of them would win silently
          problems.add("Duplicate setting '" + name + "' (" + origin + "): '" + earlier
              + "' sets it already; give it once");
          p.skipChildren();
          continue;
        }
        Object value = switch (v) {
          case VALUE_STRING -> p.getText();
          // a number beyond the long range is passed on as text, for the key to reject by name
          case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : p.getLongValue();
          case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
          case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
          case VALUE_NULL -> null;
          default -> {
            problems.add("Invalid " + name + " (" + origin + "): must be a string, number or boolean, not "
                + (v == JsonToken.START_ARRAY ? "an array" : "an object"));
            p.skipChildren();
            yield null;
          }
        };
        if (value != null) {
          put(name, value, origin, name);
        } else if (v == JsonToken.VALUE_NULL && Keys.find(Keys.snake(name)) == null) {
          put(name, "null", origin, name);
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
        String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        put(key, value, "environment variable " + name, key);
      }
    });
    return this;
  }

  /** Applies a command-line flag's value (text, or a typed value) for {@code key}. */
  public ConfigLoader flag(String key, Object value, String flagName) {
    if (value != null) {
      put(key, value, "flag " + flagName, key);
    }
    return this;
  }

  private void put(String rawName, Object value, String origin, String spelling) {
    String name = Keys.snake(rawName);
    Key key = Keys.find(name);
    if (key == null) {
      problems.add(unknown(rawName, name, origin));
      return;
    }
    try {
      set(key.name(), key.check(value, origin, spelling), origin);
      spelled.put(key.name(), spelling);
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
  }

  /** The message for an unknown key: the nearest known one in the user's style, or the list. */
  private static String unknown(String rawName, String name, String origin) {
    String head = "Unknown setting '" + rawName + "' (" + origin + ")";
    boolean camel = rawName.indexOf('_') < 0 && !rawName.equals(rawName.toLowerCase(Locale.ROOT));
    String renamed = Keys.RENAMED.get(name);
    if (renamed != null) {
      return head + ": this project now uses the original design's name: "
          + (camel ? Keys.camel(renamed.split(" ")[0]) + renamed.substring(renamed.split(" ")[0].length()) : renamed);
    }
    String near = Keys.nearest(name);
    if (near != null) {
      return head + ": did you mean " + (camel ? Keys.camel(near) : near) + "?";
    }
    return head + "; known settings: " + String.join(", ", Keys.ALL.keySet());
  }

  private void set(String name, Object value, String origin) {
    values.put(name, value);
    origins.put(name, origin);
  }

  /**
   * The validated configuration.
   *
   * @throws ConfigException with every problem found by this loader, one per line
   */
  public Config build() {
    String out0 = str("writer_file_path");
    if (out0.startsWith("s3://")) {
      s3Url(out0);
    }
    String type = str("writer_type");
    if (type.equals("s3") && values.get("s3_bucket_name") == null) {
      problems.add("Invalid " + spelling("writer_type") + " = \"s3\" (" + origins.get("writer_type") + "): "
          + spelling("s3_bucket_name") + " must be set too");
    }
    for (String k : List.of("s3_endpoint", "s3_sts_endpoint")) {
      String endpoint = (String) values.get(k);
      if (endpoint != null && !endpoint.matches("https?://[^\\s/]+.*")) {
        problems.add(invalid(k, endpoint, "must be an http:// or https:// URL"));
      }
    }
    String role = (String) values.get("s3_role_arn");
    if (role != null && !role.startsWith("arn:")) {
      problems.add(invalid("s3_role_arn", role, "must be an ARN such as arn:aws:iam::123456789012:role/name"));
    }
    for (String k : List.of("partition", "key")) {
      String template = (String) values.get(k);
      if (template != null) {
        try {
          dev.json2parquet.record.PathTemplate.checkSyntax(template);
        } catch (IllegalArgumentException e) {
          problems.add(invalid(k, template, e.getMessage()));
        }
      }
    }
    String redis = str("redis_host");
    for (String node : redis.split(",", -1)) {
      // host[:port], [v6]:port, or redis://... / rediss://... (parsed in full by redis.RedisSettings)
      String n = node.strip();
      boolean url = n.matches("rediss?://\\S+");
      if (!url && (!n.matches("[^\\s:/]+(:\\d{1,5})?|\\[[0-9a-fA-F:.]+\\](:\\d{1,5})?")
          || n.matches(".*:\\d+") && Integer.parseInt(n.substring(n.lastIndexOf(':') + 1)) > 65_535)) {
        problems.add(invalid("redis_host", redis, "must be host:port (e.g. localhost:6379), a redis:// or rediss:// URL,"
            + " or a comma-separated list of them for a Redis Cluster"));
        break;
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    values.putIfAbsent("redis_lock_ttl", 1.5 * (Double) values.get("flush_interval"));
    if (str("buffer_type").equals("redis") && values.get("redis_lock_instance_name") == null) {
      values.put("redis_lock_instance_name", hostname());
    }
    Path out = Path.of(str("writer_file_path"));
    String dlq = str("dlq_path");
    String recovery = str("recovery_path");
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
        type,
        (Boolean) values.get("try_auto_recover"),
        (int) num("recovery_attempts"),
        Collections.unmodifiableMap(new LinkedHashMap<>(values)));
  }

  /**
   * {@code writer_file_path = s3://BUCKET[/PREFIX]} (what {@code -o s3://...} gives): the short form of
   * {@code writer_type s3}, {@code s3_bucket_name BUCKET}, {@code s3_prefix PREFIX}. Those keys, when
   * given too, must agree with it. {@code writer_file_path} itself goes back to its default local
   * directory, which holds the DLQ and the recovery store unless {@code dlq_path} / {@code recovery_path}
   * say otherwise.
   */
  private void s3Url(String url) {
    String rest = url.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      problems.add(invalid("writer_file_path", url, "an S3 URL must name a bucket: s3://BUCKET[/PREFIX]"));
      return;
    }
    if (!origins.get("writer_type").equals("default") && !str("writer_type").equals("s3")) {
      problems.add(invalid("writer_file_path", url, "an S3 URL needs writer_type s3, not " + str("writer_type")));
    }
    String given = str("s3_bucket_name");
    if (given != null && !given.equals(bucket)) {
      problems.add(invalid("writer_file_path", url, "names bucket " + bucket + " but " + spelling("s3_bucket_name")
          + " is " + given));
    }
    String givenPrefix = str("s3_prefix");
    if (!givenPrefix.isEmpty() && !givenPrefix.equals(prefix)) {
      problems.add(invalid("writer_file_path", url, "names prefix " + prefix + " but " + spelling("s3_prefix")
          + " is " + givenPrefix));
    }
    String origin = origins.get("writer_file_path");
    set("writer_type", "s3", origin);
    set("s3_bucket_name", bucket, origin);
    set("s3_prefix", prefix, origin);
    set("writer_file_path", Keys.DEFAULTS.get("writer_file_path"), "default");
  }

  /**
   * Settings given (other than at their default) that have no effect in a run with these values, as one warning
   * line each for the Redis keys with the memory buffer and for the dynamic-record settings with
   * Log records, naming the keys as the user spelled them; empty when there are none.
   */
  public List<String> ineffective() {
    List<String> warnings = new ArrayList<>();
    if (str("buffer_type").equals("memory")) {
      List<String> redisKeys = given(k -> k.startsWith("redis_"));
      if (!redisKeys.isEmpty()) {
        warnings.add("Ignoring " + String.join(", ", redisKeys) + ": "
            + (redisKeys.size() == 1 ? "it has" : "they have") + " no effect with " + spelling("buffer_type") + " memory");
      }
    }
    if (str("record_type").equals("log")) {
      List<String> dynamicKeys = given(k -> k.equals("json_schema_path") || k.equals("unknown_fields")
          || k.equals("schema_sample"));
      if (!dynamicKeys.isEmpty()) {
        warnings.add("Ignoring " + String.join(", ", dynamicKeys) + ": "
            + (dynamicKeys.size() == 1 ? "it has" : "they have") + " no effect with " + spelling("record_type") + " log");
      }
    }
    return warnings;
  }

  private List<String> given(java.util.function.Predicate<String> which) {
    List<String> names = new ArrayList<>();
    origins.forEach((k, origin) -> {
      // a key set to its default changes nothing either way (samples list every default)
      if (!origin.equals("default") && which.test(k) && !java.util.Objects.equals(values.get(k), Keys.DEFAULTS.get(k))) {
        names.add(origin.startsWith("flag ") ? origin.substring(5) : spelling(k));
      }
    });
    return names;
  }

  /** The key as the user last spelled it (or its flag), else its canonical name. */
  public String spelling(String key) {
    return spelled.getOrDefault(key, key);
  }

  private String invalid(String key, String value, String rule) {
    return "Invalid " + spelling(key) + " = \"" + value + "\" (" + origins.get(key) + "): " + rule;
  }

  /** The original design's default lock owner: this machine's name. */
  private static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
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
