package dev.json2parquet.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * JSON scalars to the long values of INT64, DOUBLE, TIMESTAMP and DATE columns, exactly or not at
 * all: a value that would change on the way is a {@link RecordException} whose message (without the
 * JSON path, which the caller adds) says why. Rules: an {@code integer} is a JSON integer within 64
 * bits, or a number with a zero fraction ({@code 3.0}, {@code 1e2}; JSON Schema 2020-12 validation,
 * section 6.1.1, counts those as integers); a {@code number} is the nearest double, rejected when that
 * is infinite (RFC 8259 section 6 leaves such ranges to implementations) or zero for a non-zero
 * number, and {@code -0} stays -0.0; timestamps and dates follow {@link EventTime}. Stateless.
 */
final class JsonScalars {
  private JsonScalars() {}

  /** The column value of {@code v} (the parser's current token) for a column of {@code type}. */
  static long toLong(JsonParser p, JsonToken v, FieldType type) throws IOException, RecordException {
    return switch (type) {
      case INT64 -> integer(p, v);
      case DOUBLE -> Double.doubleToRawLongBits(number(p, v));
      case TIMESTAMP -> timestamp(p, v);
      case DATE -> date(p, v);
      default -> throw new IllegalArgumentException("Cannot convert a JSON scalar to " + type);
    };
  }

  static RecordException mismatch(String expected, JsonToken v, JsonParser p) throws IOException {
    return new RecordException("expected " + expected + ", got " + describe(v, p));
  }

  /** A JSON integer, or a number with a zero fraction, within 64 bits. */
  private static long integer(JsonParser p, JsonToken v) throws IOException, RecordException {
    if (v == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        return p.getLongValue();
      }
    } else if (v == JsonToken.VALUE_NUMBER_FLOAT) {
      java.math.BigDecimal d = p.getDecimalValue();
      if (d.signum() == 0) {
        return 0;
      }
      if (d.precision() - d.scale() <= 0 || d.stripTrailingZeros().scale() > 0) {
        throw mismatch("integer", v, p);
      }
      if (d.precision() - d.scale() <= 19) {
        try {
          return d.longValueExact();
        } catch (ArithmeticException beyond64Bits) {
          // reported below
        }
      }
    } else {
      throw mismatch("integer", v, p);
    }
    throw new RecordException("integer " + p.getText() + " is outside the 64-bit range");
  }

  /** A JSON number as the nearest double; rejects overflow to infinity and underflow of a non-zero to zero. */
  private static double number(JsonParser p, JsonToken v) throws IOException, RecordException {
    if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
      throw mismatch("number", v, p);
    }
    double d = p.getDoubleValue();
    if (Double.isInfinite(d)) {
      throw new RecordException("number " + p.getText() + " is outside the range of a 64-bit double");
    }
    if (d == 0) {
      String text = p.getText();
      if (nonZeroMantissa(text)) {
        throw new RecordException("number " + text + " is too small for a 64-bit double (it would be 0)");
      }
      return text.charAt(0) == '-' ? -0.0 : 0.0;
    }
    return d;
  }

  private static boolean nonZeroMantissa(String number) {
    for (int i = 0; i < number.length(); i++) {
      char c = number.charAt(i);
      if (c == 'e' || c == 'E') {
        return false;
      }
      if (c >= '1' && c <= '9') {
        return true;
      }
    }
    return false;
  }

  private static long timestamp(JsonParser p, JsonToken v) throws IOException, RecordException {
    long micros = EventTime.INVALID;
    if (v == JsonToken.VALUE_STRING) {
      micros = EventTime.parseMicros(p.getText());
    } else if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      micros = EventTime.fromEpochNumber(p.getLongValue());
    } else if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
      micros = EventTime.fromEpochNumber(p.getDecimalValue());
    } else {
      throw mismatch("timestamp", v, p);
    }
    if (micros == EventTime.INVALID) {
      throw new RecordException("expected a timestamp, got " + describe(v, p));
    }
    return micros;
  }

  private static long date(JsonParser p, JsonToken v) throws IOException, RecordException {
    if (v != JsonToken.VALUE_STRING) {
      throw mismatch("date (yyyy-MM-dd)", v, p);
    }
    byte[] b = p.getText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long day = EventTime.parseDate(b, 0, b.length);
    if (day == EventTime.INVALID) {
      throw new RecordException("expected a date (yyyy-MM-dd), got " + describe(v, p));
    }
    return day;
  }

  static String describe(JsonToken t, JsonParser p) throws IOException {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      case VALUE_STRING -> "string " + quote(p.getText());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + p.getText();
      case VALUE_TRUE, VALUE_FALSE -> "boolean " + p.getText();
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }

  private static String quote(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return '"' + Utf8.escapeUnpaired(cut.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")) + '"';
  }
}
