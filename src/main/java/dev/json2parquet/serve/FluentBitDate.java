package dev.json2parquet.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.json2parquet.pipeline.Pipeline;
import java.io.IOException;
import java.util.Set;

/**
 * Fluent Bit's {@code out_http} adds the record time under {@code json_date_key} (default
 * {@code date}, a double of epoch seconds by default): when a record has no {@code time} (nor one of
 * {@code timeNames}), its top-level {@code date} is renamed {@code time}, so that the event time places
 * the record. Lines whose first member is the time, or without the bytes {@code "date"}, pass
 * untouched without being parsed; a line
 * that is not valid JSON passes untouched too (the record reader dead-letters it with the reason).
 * Thread-safe.
 */
final class FluentBitDate implements Pipeline.LineRewrite {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] DATE = "\"date\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] TIME = "\"time\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private final Set<String> timeNames;

  FluentBitDate(Set<String> timeNames) {
    this.timeNames = timeNames;
  }

  @Override
  public byte[] rewrite(byte[] buf, int off, int len) {
    // most records name their time first ({"time": ...}): nothing to rename, and no need to look
    // through the whole line (searching every line for "date" was half of serve's HTTP CPU)
    if (firstNameIsTime(buf, off, len) || !contains(buf, off, len)) {
      return null;
    }
    try {
      long at = -1;
      try (JsonParser p = JSON.createParser(buf, off, len)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          if (timeNames.contains(name)) {
            return null;
          }
          if (at < 0 && name.equals("date")) {
            at = p.currentTokenLocation().getByteOffset();
          }
          p.nextToken();
          p.skipChildren();
        }
      }
      // the name's bytes are renamed in place (same length), so every other byte stays as written
      if (at < 0 || at + DATE.length > len || !matches(buf, off + (int) at)) {
        return null;
      }
      byte[] copy = java.util.Arrays.copyOfRange(buf, off, off + len);
      System.arraycopy(TIME, 0, copy, (int) at, TIME.length);
      return copy;
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean matches(byte[] buf, int at) {
    for (int j = 0; j < DATE.length; j++) {
      if (buf[at + j] != DATE[j]) {
        return false;
      }
    }
    return true;
  }

  /** Whether the object's first member name, read as plain bytes (no escapes), is one of timeNames. */
  private boolean firstNameIsTime(byte[] buf, int off, int len) {
    int end = off + len;
    int i = skipSpace(buf, off, end);
    if (i >= end || buf[i] != '{') {
      return false;
    }
    i = skipSpace(buf, i + 1, end);
    if (i >= end || buf[i] != '"') {
      return false;
    }
    int from = i + 1;
    for (int j = from; j < end && j - from <= 32; j++) {
      byte b = buf[j];
      if (b == '"') {
        return timeNames.contains(new String(buf, from, j - from, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      if (b == '\\' || b < 0) {
        return false; // an escape or a non-ASCII name: let the parser decide
      }
    }
    return false;
  }

  private static int skipSpace(byte[] buf, int i, int end) {
    while (i < end && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) {
      i++;
    }
    return i;
  }

  private static boolean contains(byte[] buf, int off, int len) {
    outer:
    for (int i = off; i <= off + len - DATE.length; i++) {
      for (int j = 0; j < DATE.length; j++) {
        if (buf[i + j] != DATE[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
