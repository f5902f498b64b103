package dev.json2parquet.generate;

import static dev.json2parquet.generate.JsonLineWriter.bytes;
import static dev.json2parquet.generate.LogValues.*;
import static dev.json2parquet.generate.LogVocabulary.*;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generates synthetic JSON-lines log records in the "Log" shape, for load testing. The output is
 * a pure function of the {@link Options}: the same options always give byte-identical output.
 *
 * <p>Valid records carry the seven required fields, a unique {@code message_id} and optional
 * fields at varying rates. A {@link Options#badRatio() fraction} of lines is deliberately
 * invalid, cycling through eight kinds: truncated JSON, not JSON, a JSON array, a JSON scalar,
 * trailing garbage, a wrong type for a column, invalid UTF-8, and nesting 200 levels deep. Every
 * line, good or bad, is a single line ending in {@code '\n'}.
 */
public final class LogGenerator {

  /**
   * What to generate.
   *
   * @param count number of lines to write
   * @param seed seed of the pseudo-random generator
   * @param keys number of distinct (business_capability, business_domain, business_service,
   *     application_service) tuples to choose among
   * @param badRatio fraction of lines that are invalid, 0 to 1
   * @param startTime time of the first record
   * @param rate records per second of event time: record {@code i} is stamped {@code i / rate}
   *     seconds after {@code startTime} (2% of them up to 2 s earlier, as late arrivals); the default
   *     {@link #DEFAULT_RATE} puts 1M records in about 17 minutes, as a busy service would
   */
  public record Options(long count, long seed, int keys, double badRatio, Instant startTime, double rate) {
    /** Records per second of event time unless told otherwise. */
    public static final double DEFAULT_RATE = 1_000;
    private static final Instant MIN_START = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant MAX_START = Instant.parse("9000-01-01T00:00:00Z");

    public Options {
      if (count < 0) {
        throw invalid("--count must be at least 0, got " + count);
      }
      if (keys < 1) {
        throw invalid("--keys must be at least 1, got " + keys);
      }
      if (!(badRatio >= 0 && badRatio <= 1)) {
        throw invalid("--bad-ratio must be between 0 and 1, got " + badRatio);
      }
      if (startTime == null) {
        throw invalid("--start-time is required");
      }
      if (startTime.isBefore(MIN_START) || !startTime.isBefore(MAX_START)) {
        throw invalid("--start-time must be between " + MIN_START + " and " + MAX_START
            + ", got " + startTime);
      }
      if (!(rate >= 0.001 && rate <= 1e9)) {
        throw invalid("--rate must be between 0.001 and 1e9 records per second, got " + rate);
      }
    }

    /** At {@link #DEFAULT_RATE}. */
    public Options(long count, long seed, int keys, double badRatio, Instant startTime) {
      this(count, seed, keys, badRatio, startTime, DEFAULT_RATE);
    }

    private static IllegalArgumentException invalid(String reason) {
      return new IllegalArgumentException("Cannot generate: " + reason);
    }
  }

  private static final int FLUSH_THRESHOLD = 1 << 16;
  private static final int BAD_KINDS = 8;
  private static final int DEEP_NESTING_LEVELS = 200;
  /** Multiplier that scrambles key indices over KEY_SPACE; coprime to it, so a bijection. */
  private static final long KEY_SCRAMBLE = 7919;

  // Ways to spoil an otherwise valid record.
  private static final int NONE = 0;
  private static final int BAD_TIME_TYPE = 1;
  private static final int BAD_LEVEL_TYPE = 2;
  private static final int BAD_AUDIT_TYPE = 3;
  private static final int BAD_AUTO_INDEX_TYPE = 4;
  private static final int BAD_UTF8 = 5;
  private static final int DEEP_NESTING = 6;

  private static final byte[] F_TIME = bytes("{\"time\":");
  private static final byte[] F_LEVEL = bytes(",\"level\":");
  private static final byte[] F_MESSAGE = bytes(",\"message\":\"");
  private static final byte[] F_CAPABILITY = bytes("\",\"business_capability\":\"");
  private static final byte[] F_DOMAIN = bytes("\",\"business_domain\":\"");
  private static final byte[] F_SERVICE = bytes("\",\"business_service\":\"");
  private static final byte[] F_APPLICATION = bytes("\",\"application_service\":\"");
  private static final byte[] F_MESSAGE_ID = bytes("\",\"message_id\":\"");
  private static final byte[] F_CORRELATION_ID = bytes(",\"correlation_id\":\"");
  private static final byte[] F_SESSION_ID = bytes(",\"session_id\":\"s-");
  private static final byte[] F_PERSON_ID = bytes(",\"person_id\":\"P");
  private static final byte[] F_USER_ID = bytes(",\"user_id\":\"");
  private static final byte[] F_DEVICE_ID = bytes(",\"device_id\":\"");
  private static final byte[] F_RESOURCE_TYPE = bytes(",\"resource_type\":\"");
  private static final byte[] F_CLOUD_PROVIDER = bytes(",\"cloud_provider\":\"");
  private static final byte[] F_SOURCE_ID = bytes(",\"source_id\":\"src-");
  private static final byte[] F_HTTP_RESPONSE = bytes(",\"http_response\":\"");
  private static final byte[] F_ERROR_CODE = bytes(",\"error_code\":\"");
  private static final byte[] F_STACK_TRACE = bytes(",\"stack_trace\":\"");
  private static final byte[] F_DURATION = bytes(",\"duration\":\"");
  private static final byte[] F_REGION = bytes(",\"region\":\"");
  private static final byte[] F_AZ = bytes(",\"az\":\"");
  private static final byte[] F_TRANSACTION_REF = bytes(",\"transaction_message_reference\":\"TMR-");
  private static final byte[] F_TTL = bytes(",\"ttl\":\"");
  private static final byte[] F_LOGGER_NAME = bytes(",\"logger_name\":\"");
  private static final byte[] F_THREAD_NAME = bytes(",\"thread_name\":\"");
  private static final byte[] F_AUDIT = bytes(",\"audit\":");
  private static final byte[] F_AUTO_INDEX = bytes(",\"auto_index\":");
  private static final byte[] F_TRACE_IP = bytes(",\"trace_ip\":[");
  private static final byte[] F_TAGS = bytes(",\"tags\":[");
  private static final byte[] F_ARGS = bytes(",\"args\":");
  private static final byte[] F_EXTRA_FIELDS = bytes(",\"extra_fields\":{");
  private static final byte[] TRUE = bytes("true");
  private static final byte[] FALSE = bytes("false");
  private static final byte[] DEEP_LEAF = bytes("\"deep\"");
  private static final byte[] PLAIN_TEXT_LEVEL = bytes(" INFO [main] ");
  private static final byte[] ZONE = bytes("zone-");

  private final Options options;
  private final long startMillis;
  private final double logKeysPlusOne;
  private final long messageIdSalt;

  public LogGenerator(Options options) {
    this.options = Objects.requireNonNull(options, "options");
    this.startMillis = options.startTime().toEpochMilli();
    this.logKeysPlusOne = Math.log(options.keys() + 1.0);
    this.messageIdSalt = mix(options.seed() ^ 0x6a09e667f3bcc909L);
  }

  /**
   * Writes {@code options.count()} lines (each ending in '\n') as UTF-8 to {@code out}; does not
   * close {@code out}. Returns the number of invalid lines written.
   */
  public long write(OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    SplittableRandom r = new SplittableRandom(options.seed());
    JsonLineWriter w = new JsonLineWriter(FLUSH_THRESHOLD * 2);
    double badRatio = options.badRatio();
    double millisPerRecord = 1000 / options.rate();
    long bad = 0;
    for (long i = 0; i < options.count(); i++) {
      long base = startMillis + (long) (i * millisPerRecord);
      long millis = base;
      if (r.nextInt(100) < 2) { // a late arrival: slightly out of order
        millis = Math.max(startMillis, base - r.nextInt(2000));
      }
      if (r.nextDouble() < badRatio) {
        writeBadLine(w, r, i, millis, bad++);
      } else {
        writeRecord(w, r, i, millis, NONE);
      }
      w.raw('\n');
      if (w.length() >= FLUSH_THRESHOLD) {
        w.flushTo(out);
      }
      // draws kept from when time advanced by them (~3 records/s): the other fields stay as they were
      if (r.nextInt(100) < 10) {
        r.nextInt(4);
      } else {
        r.nextInt(700);
      }
    }
    w.flushTo(out);
    return bad;
  }

  private void writeBadLine(JsonLineWriter w, SplittableRandom r, long index, long millis,
      long ordinal) {
    switch ((int) (ordinal % BAD_KINDS)) {
      case 0 -> { // truncated: keep at least '{', drop at least the closing '}'
        int start = w.length();
        writeRecord(w, r, index, millis, NONE);
        int recordLength = w.length() - start;
        w.truncate(start + 1 + r.nextInt(recordLength - 1));
      }
      case 1 -> {
        if (r.nextBoolean()) { // a plain-text log line
          w.timestamp(millis);
          w.raw(PLAIN_TEXT_LEVEL);
          w.raw(pick(r, MESSAGES));
        } else {
          w.raw(pick(r, NOT_JSON));
        }
      }
      case 2 -> {
        if (r.nextBoolean()) {
          w.raw('[');
          writeRecord(w, r, index, millis, NONE);
          w.raw(']');
        } else {
          w.raw(pick(r, ARRAY_LINES));
        }
      }
      case 3 -> w.raw(pick(r, SCALAR_LINES));
      case 4 -> {
        writeRecord(w, r, index, millis, NONE);
        w.raw(pick(r, TRAILING_GARBAGE));
      }
      case 5 -> writeRecord(w, r, index, millis, BAD_TIME_TYPE + r.nextInt(4));
      case 6 -> writeRecord(w, r, index, millis, BAD_UTF8);
      default -> writeRecord(w, r, index, millis, DEEP_NESTING);
    }
  }

  private void writeRecord(JsonLineWriter w, SplittableRandom r, long index, long millis,
      int spoil) {
    w.raw(F_TIME);
    if (spoil == BAD_TIME_TYPE) {
      w.raw(pick(r, BAD_TIME));
    } else {
      w.raw('"');
      w.timestamp(millis);
      w.raw('"');
    }
    int level = pickLevel(r);
    w.raw(F_LEVEL);
    w.raw(spoil == BAD_LEVEL_TYPE ? pick(r, BAD_LEVEL) : LEVELS[level]);
    w.raw(F_MESSAGE);
    writeMessage(w, r, level);
    if (spoil == BAD_UTF8) {
      w.raw(pick(r, INVALID_UTF8));
    }
    writeKey(w, pickKey(r));
    w.raw(F_MESSAGE_ID);
    long id = mix(index + messageIdSalt);
    w.uuid(id, mix(id ^ messageIdSalt));
    w.raw('"');

    if (chance(r, 800)) {
      w.raw(F_CORRELATION_ID);
      w.uuid(r.nextLong() & 0xFFFFFFFFFFFF0FFFL | 0x4000L, r.nextLong() >>> 2 | Long.MIN_VALUE);
      w.raw('"');
    }
    if (chance(r, 400)) {
      w.raw(F_SESSION_ID);
      w.hex(r.nextLong(), 16);
      w.raw('"');
    }
    if (chance(r, 50)) {
      w.raw(F_PERSON_ID);
      w.decimalPadded(r.nextInt(100_000_000), 8);
      w.raw('"');
    }
    if (chance(r, 300)) {
      w.raw(F_USER_ID);
      if (r.nextBoolean()) {
        w.raw(pick(r, USERS));
      } else {
        w.raw('u');
        w.decimal(r.nextInt(1_000_000));
      }
      w.raw('"');
    }
    if (chance(r, 150)) {
      w.raw(F_DEVICE_ID);
      w.raw(pick(r, DEVICE_PREFIXES));
      w.hex(r.nextLong(), 12);
      w.raw('"');
    }
    optional(w, r, 250, F_RESOURCE_TYPE, RESOURCE_TYPES);
    optional(w, r, 350, F_CLOUD_PROVIDER, CLOUD_PROVIDERS);
    if (chance(r, 200)) {
      w.raw(F_SOURCE_ID);
      w.decimal(r.nextInt(500));
      w.raw('"');
    }
    optional(w, r, 300, F_HTTP_RESPONSE, HTTP_RESPONSES);
    if (chance(r, level == ERROR ? 900 : level == WARN ? 300 : 10)) {
      w.raw(F_ERROR_CODE);
      w.raw(pick(r, ERROR_CODE_PREFIXES));
      w.decimalPadded(r.nextInt(10_000), 4);
      w.raw('"');
    }
    if (chance(r, level == ERROR ? 600 : level == WARN ? 50 : 2)) {
      w.raw(F_STACK_TRACE);
      writeStackTrace(w, r);
      w.raw('"');
    }
    if (chance(r, 400)) {
      w.raw(F_DURATION);
      writeDuration(w, r);
      w.raw('"');
    }
    if (chance(r, 500)) {
      byte[] region = pick(r, REGIONS);
      w.raw(F_REGION);
      w.raw(region);
      w.raw('"');
      if (chance(r, 700)) {
        w.raw(F_AZ);
        w.raw(region);
        w.raw((char) ('a' + r.nextInt(3)));
        w.raw('"');
      }
    } else if (chance(r, 30)) { // an az without a region
      w.raw(F_AZ);
      w.raw(ZONE);
      w.decimal(1 + r.nextInt(3));
      w.raw('"');
    }
    if (chance(r, 100)) {
      w.raw(F_TRANSACTION_REF);
      w.hex(r.nextLong(), 16);
      w.raw('"');
    }
    optional(w, r, 200, F_TTL, TTLS);
    optional(w, r, 700, F_LOGGER_NAME, LOGGERS);
    if (chance(r, 600)) {
      w.raw(F_THREAD_NAME);
      w.raw(pick(r, THREAD_PREFIXES));
      w.decimal(1 + r.nextInt(64));
      w.raw('"');
    }
    if (spoil == BAD_AUDIT_TYPE) {
      w.raw(F_AUDIT);
      w.raw(pick(r, BAD_BOOLEAN));
    } else if (chance(r, 150)) {
      w.raw(F_AUDIT);
      w.raw(r.nextInt(4) == 0 ? FALSE : TRUE);
    }
    if (spoil == BAD_AUTO_INDEX_TYPE) {
      w.raw(F_AUTO_INDEX);
      w.raw(pick(r, BAD_BOOLEAN));
    } else if (chance(r, 100)) {
      w.raw(F_AUTO_INDEX);
      w.raw(r.nextBoolean() ? FALSE : TRUE);
    }
    if (chance(r, 250)) {
      w.raw(F_TRACE_IP);
      writeIps(w, r, r.nextInt(5));
      w.raw(']');
    }
    if (chance(r, 500)) {
      w.raw(F_TAGS);
      writeDistinct(w, r, TAGS, r.nextInt(5), 7);
      w.raw(']');
    }
    if (spoil == DEEP_NESTING) {
      w.raw(F_ARGS);
      w.repeat(DEEP_OPEN, DEEP_NESTING_LEVELS);
      w.raw(DEEP_LEAF);
      for (int i = 0; i < DEEP_NESTING_LEVELS; i++) {
        w.raw('}');
      }
    } else if (chance(r, 300)) {
      w.raw(F_ARGS);
      w.raw('{');
      writeMap(w, r, ARG_KEYS, r.nextInt(6));
      w.raw('}');
    }
    if (chance(r, 200)) {
      w.raw(F_EXTRA_FIELDS);
      writeMap(w, r, EXTRA_KEYS, r.nextInt(6));
      w.raw('}');
    }
    w.raw('}');
  }

  /** INFO 70%, DEBUG 15%, WARN 11%, ERROR 4%. */
  private static int pickLevel(SplittableRandom r) {
    int roll = r.nextInt(100);
    return roll < 70 ? INFO : roll < 85 ? DEBUG : roll < 96 ? WARN : ERROR;
  }

  /** A Zipf-like (s = 1) choice among the key indices: index 0 most often. */
  private int pickKey(SplittableRandom r) {
    int rank = (int) Math.exp(r.nextDouble() * logKeysPlusOne) - 1;
    return Math.max(0, Math.min(options.keys() - 1, rank));
  }

  /**
   * Writes the key tuple number {@code key} (ending the message string before it). Tuples below
   * KEY_SPACE are distinct word combinations; above it the application service gets a suffix.
   */
  private static void writeKey(JsonLineWriter w, int key) {
    long j = key % KEY_SPACE * KEY_SCRAMBLE % KEY_SPACE;
    long suffix = key / KEY_SPACE;
    w.raw(F_CAPABILITY);
    w.raw(CAPABILITIES[(int) (j % CAPABILITIES.length)]);
    j /= CAPABILITIES.length;
    w.raw(F_DOMAIN);
    w.raw(DOMAINS[(int) (j % DOMAINS.length)]);
    j /= DOMAINS.length;
    w.raw(F_SERVICE);
    w.raw(SERVICES[(int) (j % SERVICES.length)]);
    j /= SERVICES.length;
    w.raw(F_APPLICATION);
    w.raw(APPLICATION_SERVICES[(int) j]);
    if (suffix > 0) {
      w.raw('-');
      w.decimal(suffix);
    }
  }


  /** A bijective 64-bit mixer (xor-shift-multiply), so distinct inputs give distinct outputs. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
