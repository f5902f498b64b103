package dev.json2parquet.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The strict JSON parser settings shared by the record reader and schema inference, and the
 * translation of the parser's errors into reasons a person reads in the dead-letter queue.
 *
 * <p>The grammar is RFC 8259's, with nothing Jackson can switch on (no comments, {@code NaN},
 * single quotes, leading {@code +}, trailing commas), so a reason never names one of Jackson's
 * feature switches or settings: it says what is wrong with the line instead. Strings and names
 * may be as long as the line ({@code max_line_bytes} is the only length limit); numbers may have
 * at most {@value #MAX_NUMBER_CHARS} characters; nesting is at most {@link JsonRecordReader#MAX_DEPTH}
 * levels. Thread-safe (stateless).
 */
public final class JsonSyntax {
  /** Jackson's default, kept: longer numbers are dead-lettered (their conversion is quadratic). */
  static final int MAX_NUMBER_CHARS = 1000;

  private static final Pattern NON_NUMERIC = Pattern.compile("Non-standard token '([^']*)'.*");
  private static final Pattern CLOSE_MARKER = Pattern.compile(
      "Unexpected end-of-input: expected close marker for (Array|Object) \\(start marker at .*column: (\\d+)\\]\\)");
  private static final Pattern NUMBER_LENGTH = Pattern.compile("Number value length \\((\\d+)\\) exceeds.*");
  private static final Pattern FEATURE_HINT = Pattern.compile(
      "(: enable `[^`]*` to allow| \\(not recognized as one since Feature '[^']*' not enabled for parser\\)"
          + "|\\s*\\(start marker at \\[Source:.*?\\]\\))");

  private JsonSyntax() {}

  /** A parser factory with the limits above; parsers it creates are not thread-safe. */
  static JsonFactory factory() {
    return JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(JsonRecordReader.MAX_DEPTH)
            .maxStringLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .maxNumberLength(MAX_NUMBER_CHARS)
            .build())
        .build();
  }

  /**
   * The reason for a line the parser rejected, e.g. {@code invalid JSON at column 7: NaN is not a
   * JSON number}; {@code path} is where the parser was (named for nesting errors).
   */
  static String reason(JsonProcessingException e, String path) {
    String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().replace('\n', ' ');
    if (e instanceof StreamConstraintsException) {
      Matcher n = NUMBER_LENGTH.matcher(m);
      if (n.matches()) {
        return "a number of " + n.group(1) + " characters: longer than the " + MAX_NUMBER_CHARS + " allowed";
      }
      if (m.contains("nesting depth")) {
        return "nesting deeper than " + JsonRecordReader.MAX_DEPTH + " levels at " + path;
      }
    }
    int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
    Matcher token = NON_NUMERIC.matcher(m);
    if (token.matches()) {
      column -= token.group(1).length(); // the parser stands after the token: report where it starts
    }
    return "invalid JSON at column " + column + ": " + plain(m);
  }

  /** The parser's message with its hints about parser switches replaced by what is wrong. */
  static String plain(String m) {
    Matcher n = NON_NUMERIC.matcher(m);
    if (n.matches()) {
      return n.group(1) + " is not a JSON number";
    }
    if (m.contains("ALLOW_COMMENTS") || m.contains("ALLOW_YAML_COMMENTS")) {
      return "comments are not allowed in JSON";
    }
    if (m.contains("ALLOW_LEADING_PLUS_SIGN")) {
      return "a JSON number may not start with '+'";
    }
    Matcher c = CLOSE_MARKER.matcher(m);
    if (c.matches()) {
      return "the " + (c.group(1).equals("Array") ? "array" : "object") + " that starts at column "
          + c.group(2) + " is not closed";
    }
    if (m.equals("Unexpected end-of-input in VALUE_STRING")) {
      return "the line ends inside a string";
    }
    if (m.equals("Unexpected end-of-input in FIELD_NAME")) {
      return "the line ends inside a field name";
    }
    // any other hint about a switch: drop it, keep what the parser says is wrong
    return FEATURE_HINT.matcher(m).replaceAll("");
  }
}
