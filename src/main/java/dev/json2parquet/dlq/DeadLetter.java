package dev.json2parquet.dlq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;

/**
 * One dead-letter envelope as read back from a store (the shape {@link FileDeadLetterQueue} writes).
 *
 * @param error why the line was rejected
 * @param source the input it came from
 * @param line its 1-based line number in {@code source}
 * @param time when it was rejected (ISO-8601 text as stored)
 * @param raw the line's bytes (decoded from {@code raw_base64} when stored so); only a prefix when {@code truncated}
 * @param base64 whether the bytes were stored as {@code raw_base64} (they are not valid UTF-8)
 * @param truncated whether {@code raw} is only the first bytes of a longer line ({@code raw_truncated})
 * @param rawBytes the whole line's length in bytes ({@code raw_bytes}, else {@code raw.length})
 * @param envelope the envelope's JSON text exactly as stored, without its line break
 */
public record DeadLetter(String error, String source, long line, String time, byte[] raw, boolean base64,
    boolean truncated, long rawBytes, byte[] envelope) {
  /**
   * Parses one stored envelope.
   *
   * @throws IOException when {@code envelope} is not JSON or lacks {@code raw}/{@code raw_base64}
   */
  public static DeadLetter parse(byte[] envelope) throws IOException {
    Map<String, Object> n = FlatJson.read(envelope);
    byte[] raw;
    boolean base64 = n.get("raw_base64") instanceof String;
    if (base64) {
      try {
        raw = Base64.getDecoder().decode((String) n.get("raw_base64"));
      } catch (IllegalArgumentException e) {
        throw new IOException("raw_base64 is not base64: " + e.getMessage());
      }
    } else if (n.get("raw") instanceof String r) {
      raw = r.getBytes(StandardCharsets.UTF_8);
    } else {
      throw new IOException("neither raw nor raw_base64");
    }
    boolean truncated = Boolean.TRUE.equals(n.get("raw_truncated"));
    long rawBytes = n.get("raw_bytes") instanceof Long b ? b : raw.length;
    return new DeadLetter(text(n, "error"), text(n, "source"), n.get("line") instanceof Long l ? l : 0,
        text(n, "time"), raw, base64, truncated, rawBytes, envelope);
  }

  private static String text(Map<String, Object> n, String field) {
    Object v = n.get(field);
    return v == null ? "" : v.toString();
  }

  /** {@link #time()} as an instant, or null when it is not ISO-8601. */
  public Instant instant() {
    try {
      return Instant.parse(time);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Whether the line can be converted again: its bytes are whole and not blank (a blank line is
   * skipped by the line reader, so it would vanish rather than be converted or rejected).
   */
  public boolean replayable() {
    return whyNotReplayable() == null;
  }

  /** Why the line cannot be converted again, or null when it can. */
  public String whyNotReplayable() {
    if (truncated) {
      return "only the first " + raw.length + " of its " + rawBytes + " bytes were kept";
    }
    boolean blank = true;
    for (byte b : raw) {
      if (b == '\n') {
        return "it holds a line break";
      }
      blank &= b == ' ' || b == '\t' || b == '\r';
    }
    if (!blank) {
      return null;
    }
    return "it is blank";
  }

  /**
   * The line for a terminal in at most {@code maxChars} characters (marks included): printable
   * characters as they are, control characters and (in a {@code raw_base64} line) bytes that are
   * not printable ASCII as {@code \xNN} escapes, cut with {@code …}; prefixed with {@code [base64]}
   * and {@code [truncated: K of N bytes]} marks where they apply.
   */
  public String preview(int maxChars) {
    StringBuilder s = new StringBuilder();
    if (base64) {
      s.append("[base64] ");
    }
    if (truncated) {
      s.append("[truncated: ").append(raw.length).append(" of ").append(rawBytes).append(" bytes] ");
    }
    int limit = Math.max(s.length() + 1, maxChars);
    if (base64) {
      int i = 0;
      for (; i < raw.length && s.length() < limit; i++) {
        int b = raw[i] & 0xFF;
        if (b >= 0x20 && b < 0x7F) {
          s.append((char) b);
        } else {
          hex(s, b);
        }
      }
      return i < raw.length || truncated ? cut(s, limit) : s.toString();
    }
    return printable(s, new String(raw, StandardCharsets.UTF_8), limit, truncated);
  }

  /** {@code text} cut to {@code maxChars} characters with {@code …}, control characters escaped. */
  public static String printable(String text, int maxChars) {
    return printable(new StringBuilder(), text, Math.max(1, maxChars), false);
  }

  private static String printable(StringBuilder s, String text, int limit, boolean more) {
    int i = 0;
    while (i < text.length() && s.length() < limit) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
        if (cp < 0x100) {
          hex(s, cp);
        } else {
          s.append("\\u").append(Integer.toHexString(0x10000 | cp).substring(1));
        }
      } else {
        s.appendCodePoint(cp);
      }
    }
    return i < text.length() || more ? cut(s, limit) : s.toString();
  }

  private static void hex(StringBuilder s, int b) {
    s.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
  }

  private static String cut(StringBuilder s, int limit) {
    int end = Math.min(s.length(), limit - 1); // may split an escape: it is only a preview
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    s.setLength(end);
    return s.append('…').toString();
  }
}
