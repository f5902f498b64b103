package dev.json2parquet.record;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A template over record fields and event time, e.g.
 * {@code capability={business_capability}/year={time:yyyy}/month={time:MM}}. A placeholder
 * {@code {path}} takes a scalar field's value; {@code {path:PATTERN}} reads the field as a timestamp
 * (the ingest time when it is missing or unparseable) and formats it, in UTC, with a
 * {@link DateTimeFormatter} pattern. Immutable; {@link #values} is safe to call from one thread
 * at a time per {@link Renderer}.
 *
 * <p>Rendering happens in two steps so that the per-record work stays small: {@link Renderer#values}
 * extracts the raw values (the grouping key), and {@link #path} turns them into a path-safe string
 * once per new key.
 */
public final class PathTemplate {
  /** Written for an empty or missing value; engines that read Hive layouts take it as null. */
  public static final String EMPTY = "__HIVE_DEFAULT_PARTITION__";

  private final String text;
  private final List<String> literals = new ArrayList<>();
  private final List<Field> fields = new ArrayList<>();
  private final List<DateTimeFormatter> formats = new ArrayList<>();
  /** Whether a placeholder's pattern shows fractions of a second, which rules out caching by second. */
  private final List<Boolean> subSecond = new ArrayList<>();

  private PathTemplate(String text) {
    this.text = text;
  }

  /** Parses {@code text}; throws IllegalArgumentException naming the problem. */
  /**
   * Checks {@code text}'s syntax alone (braces, date patterns, path segments), before a schema is
   * known: for reporting a config file's problems together.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static void checkSyntax(String text) {
    parse(text, null);
  }

  public static PathTemplate parse(String text, RecordSchema schema) {
    PathTemplate t = new PathTemplate(text);
    StringBuilder lit = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '}') {
        throw new IllegalArgumentException("unmatched '}' at position " + i);
      }
      if (c != '{') {
        lit.append(c);
        i++;
        continue;
      }
      int close = text.indexOf('}', i);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '{' at position " + i);
      }
      String spec = text.substring(i + 1, close);
      int colon = spec.indexOf(':');
      String name = colon < 0 ? spec : spec.substring(0, colon);
      Field f = schema == null ? null : schema.scalarField(name);
      if (f == null && schema != null) {
        throw new IllegalArgumentException("'" + name + "' is not a field of the " + schema.name()
            + " record that holds one value per record");
      }
      DateTimeFormatter fmt = null;
      if (colon >= 0) {
        try {
          fmt = DateTimeFormatter.ofPattern(spec.substring(colon + 1)).withZone(ZoneOffset.UTC);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("bad date pattern in {" + spec + "}: " + e.getMessage());
        }
      }
      t.literals.add(lit.toString());
      lit.setLength(0);
      t.fields.add(f);
      t.formats.add(fmt);
      t.subSecond.add(colon >= 0 && spec.substring(colon + 1).matches(".*[SnNA].*"));
      i = close + 1;
    }
    t.literals.add(lit.toString());
    // check the segments the template will render, with each placeholder standing for a value
    // (values are escaped, so a value alone can never be '.' or '..')
    StringBuilder shape = new StringBuilder(t.literals.get(0));
    for (int p = 1; p < t.literals.size(); p++) {
      shape.append('\u0000').append(t.literals.get(p));
    }
    for (String seg : shape.toString().split("/", -1)) {
      if (seg.equals("..") || seg.equals(".")) {
        throw new IllegalArgumentException("'" + text + "' may not contain '.' or '..' path segments");
      }
    }
    if (text.startsWith("/")) {
      throw new IllegalArgumentException("'" + text + "' must be a relative path");
    }
    return t;
  }

  public String text() {
    return text;
  }

  public int placeholders() {
    return fields.size();
  }

  /** A renderer keeps small caches; use one per thread. */
  public Renderer renderer(LongSupplier ingestMicros) {
    return new Renderer(ingestMicros);
  }

  /**
   * The path-safe rendering of raw values from {@link Renderer#values}: each value escaped so it
   * cannot add or leave a directory, empty values replaced by {@link #EMPTY}, and every
   * '/'-separated component at most {@link PathLimits#COMPONENT_BYTES} UTF-8 bytes (longer ones cut
   * and given a hash suffix by {@link PathLimits#fit}).
   */
  public String path(List<String> values) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      sb.append(literals.get(i));
      appendSafe(sb, values.get(i));
    }
    sb.append(literals.get(fields.size()));
    return PathLimits.fitPath(sb.toString(), Integer.MAX_VALUE);
  }

  /**
   * Escapes one value so it stays inside one path segment (no '/', '..', ':', control characters):
   * such ASCII characters, '~' (kept for {@link PathLimits}' hash suffixes) and a leading '.'
   * become %XX, unpaired surrogates %uXXXX. The length is not limited here: {@link #path} limits
   * whole components, literals included.
   */
  public static void appendSafe(StringBuilder sb, String value) {
    if (value == null || value.isEmpty()) {
      sb.append(EMPTY);
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x80 && (c < 0x20 || c == 0x7F || "/\\:%*?\"<>|#{}[]^`'=&$!;~".indexOf(c) >= 0 || (c == '.' && i == 0))) {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      } else if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        sb.append(c).append(value.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        sb.append("%u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
            .append(HEX[c & 0xF]);
      } else {
        sb.append(c);
      }
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Extracts a record's raw values for this template. Not thread-safe. */
  public final class Renderer {
    private final LongSupplier ingestMicros;
    private final long[] lastSecond = new long[fields.size()];
    private final String[] lastText = new String[fields.size()];

    private Renderer(LongSupplier ingestMicros) {
      this.ingestMicros = ingestMicros;
    }

    /** The raw value of each placeholder for the last record in {@code record}. */
    public List<String> values(ColumnBatch record) {
      if (fields.isEmpty()) {
        return List.of();
      }
      String[] out = new String[fields.size()];
      for (int i = 0; i < out.length; i++) {
        DateTimeFormatter fmt = formats.get(i);
        out[i] = fmt == null ? record.scalarText(fields.get(i)) : formatTime(i, fmt, record);
      }
      return java.util.Collections.unmodifiableList(java.util.Arrays.asList(out));
    }

    private String formatTime(int i, DateTimeFormatter fmt, ColumnBatch record) {
      long micros = eventMicros(fields.get(i), record);
      if (micros == EventTime.INVALID) {
        micros = ingestMicros.getAsLong();
      }
      long second = Math.floorDiv(micros, 1_000_000L);
      boolean cacheable = !subSecond.get(i);
      if (cacheable && lastText[i] != null && lastSecond[i] == second) {
        return lastText[i];
      }
      String s = fmt.format(Instant.ofEpochSecond(second, Math.floorMod(micros, 1_000_000L) * 1000));
      lastSecond[i] = second;
      lastText[i] = s;
      return s;
    }
  }

  /** The event time of a scalar field of the batch's last record in microseconds, or {@link EventTime#INVALID}. */
  static long eventMicros(Field f, ColumnBatch record) {
    LeafColumn c = record.column(f.leafIndex());
    if (!c.lastIsValue()) {
      return EventTime.INVALID;
    }
    int v = c.lastValue();
    return switch (f.type()) {
      case STRING -> EventTime.parseMicros(c.data(), c.start(v), c.end(v) - c.start(v));
      case TIMESTAMP -> c.longValue(v);
      case DATE -> c.longValue(v) * 86_400_000_000L;
      case INT64 -> EventTime.fromEpochNumber(c.longValue(v));
      case DOUBLE -> {
        double d = Double.longBitsToDouble(c.longValue(v));
        // the shortest decimal that reads back as d: what the JSON most likely said
        yield Double.isFinite(d) ? EventTime.fromEpochNumber(java.math.BigDecimal.valueOf(d)) : EventTime.INVALID;
      }
      default -> EventTime.INVALID;
    };
  }
}
