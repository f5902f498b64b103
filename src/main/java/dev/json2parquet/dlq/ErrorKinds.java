package dev.json2parquet.dlq;

import java.util.regex.Pattern;

/**
 * Folds the variable parts of an error text, so that errors of one kind group together:
 * quoted strings become {@code "…"} (or {@code '…'}), numbers become {@code N}, array indexes in
 * JSON paths become {@code [N]}. So {@code $.audit: expected boolean, got string "x"} and
 * {@code ... "y"} are one kind, as are {@code line of 70000 bytes ...} and {@code line of 80000 bytes ...}.
 * The field names of a path are kept: they say which field is wrong.
 */
public final class ErrorKinds {
  private ErrorKinds() {}

  private static final Pattern DOUBLE_QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*+\"");
  private static final Pattern SINGLE_QUOTED = Pattern.compile("'(?:[^'\\\\]|\\\\.)*+'");
  // a number not inside a word (UTF-8, int64, 64-bit) or a field name
  private static final Pattern NUMBER = Pattern.compile("(?<![\\w.\\-])-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?(?![\\w\\-])");

  /** The kind of {@code error}: the text with its variable parts folded. */
  public static String of(String error) {
    String s = DOUBLE_QUOTED.matcher(error).replaceAll("\"…\"");
    s = SINGLE_QUOTED.matcher(s).replaceAll("'…'");
    return NUMBER.matcher(s).replaceAll("N");
  }
}
