package dev.json2parquet.config;

import java.util.List;
import java.util.Locale;

/**
 * One configuration key: its snake_case name, its kind and the range it allows. Values arrive as
 * JSON values (from the config file) or text (flags, environment) and are checked here.
 */
record Key(String name, Kind kind, long min, long max, List<String> choices) {

  enum Kind { STRING, INT, BYTES, SECONDS, BOOL, CHOICE }

  static Key string(String name) {
    return new Key(name, Kind.STRING, 0, 0, List.of());
  }

  static Key integer(String name, long min, long max) {
    return new Key(name, Kind.INT, min, max, List.of());
  }

  static Key bytes(String name, long min, long max) {
    return new Key(name, Kind.BYTES, min, max, List.of());
  }

  static Key seconds(String name, long min, long max) {
    return new Key(name, Kind.SECONDS, min, max, List.of());
  }

  static Key bool(String name) {
    return new Key(name, Kind.BOOL, 0, 0, List.of());
  }

  static Key choice(String name, String... choices) {
    return new Key(name, Kind.CHOICE, 0, 0, List.of(choices));
  }

  /**
   * Checks and normalizes a value: Long for INT and BYTES, Double for SECONDS, Boolean, or String
   * (for a CHOICE, the canonical value: a choice {@code "mem=memory"} accepts {@code mem} as
   * {@code memory}).
   *
   * @param spelled the key as the user wrote it ({@code BufferType}), for the message
   * @throws ConfigException naming the key as spelled, the value, its origin and what is allowed
   */
  Object check(Object value, String origin, String spelled) {
    try {
      return switch (kind) {
        case STRING -> {
          if (!(value instanceof String s)) {
            throw bad(value, origin, spelled, "a string");
          }
          yield s;
        }
        case BOOL -> {
          if (value instanceof Boolean b) {
            yield b;
          }
          if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            yield Boolean.parseBoolean(s);
          }
          throw bad(value, origin, spelled, "true or false");
        }
        case CHOICE -> {
          String s = value instanceof String str ? str.trim().toLowerCase(Locale.ROOT) : null;
          for (String c : choices) {
            int eq = c.indexOf('=');
            if (eq < 0 ? c.equals(s) : c.substring(0, eq).equals(s)) {
              yield eq < 0 ? c : c.substring(eq + 1);
            }
          }
          throw bad(value, origin, spelled, "one of " + String.join(", ", choices.stream()
              .map(c -> c.indexOf('=') < 0 ? c : c.substring(0, c.indexOf('='))).toList()));
        }
        case INT, BYTES -> {
          long v = kind == Kind.BYTES ? Sizes.parseBytes(value) : Sizes.parseCount(value);
          if (v < min || v > max) {
            throw bad(value, origin, spelled, range());
          }
          yield v;
        }
        case SECONDS -> {
          double v = Sizes.parseNumber(value);
          if (!(v > 0) || v < min || v > max) {
            throw bad(value, origin, spelled, range());
          }
          yield v;
        }
      };
    } catch (NumberFormatException e) {
      throw bad(value, origin, spelled, range());
    }
  }

  private String range() {
    return switch (kind) {
      case INT -> "an integer from " + min + " to " + max;
      case BYTES -> "a size in bytes from " + Sizes.format(min) + " to " + Sizes.format(max)
          + " (a number, or with a unit such as 64MiB)";
      case SECONDS -> "a number of seconds greater than 0 and at most " + max;
      default -> kind.toString();
    };
  }

  private ConfigException bad(Object value, String origin, String spelled, String allowed) {
    String shown = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    return new ConfigException("Invalid " + spelled + " = " + shown + " (" + origin + "): must be " + allowed);
  }
}
