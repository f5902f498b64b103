package dev.json2parquet.generate;

import static dev.json2parquet.generate.JsonLineWriter.bytes;
import static dev.json2parquet.generate.LogVocabulary.*;

import java.util.SplittableRandom;

/** Writers for the composite values of {@link LogGenerator}'s records, each drawn from a PRNG. */
final class LogValues {

  private static final byte[] QUOTE_COLON_QUOTE = bytes("\":\"");
  private static final byte[] MORE = bytes(" more");
  private static final byte[] IPV6_PREFIX = bytes("2001:db8::");

  private LogValues() {}

  static void writeMessage(JsonLineWriter w, SplittableRandom r, int level) {
    int roll = r.nextInt(1000);
    if (roll < 30) {
      w.raw(pick(r, ESCAPE_MESSAGES));
      return;
    }
    w.raw(pick(r, level >= WARN ? PROBLEM_MESSAGES : MESSAGES));
    if (roll < 600) {
      w.raw(' ');
      w.raw(pick(r, DETAIL_KEYS));
      w.raw('=');
      w.decimal(r.nextInt(100_000));
    }
    if (roll >= 990) { // occasionally a long message, a few KB
      w.repeat(LONG_CHUNK, 10 + r.nextInt(40));
    }
  }

  static void writeStackTrace(JsonLineWriter w, SplittableRandom r) {
    w.raw(pick(r, EXCEPTIONS));
    writeFrames(w, r, 2 + r.nextInt(14));
    if (chance(r, 300)) {
      w.raw(CAUSED_BY);
      w.raw(pick(r, CAUSES));
      writeFrames(w, r, 1 + r.nextInt(4));
      w.raw(MORE_PREFIX);
      w.decimal(3 + r.nextInt(30));
      w.raw(MORE);
    }
  }

  static void writeFrames(JsonLineWriter w, SplittableRandom r, int frames) {
    for (int f = 0; f < frames; f++) {
      w.raw(FRAME_SEPARATOR);
      w.raw(pick(r, FRAMES));
      w.decimal(10 + r.nextInt(900));
      w.raw(')');
    }
  }

  static void writeDuration(JsonLineWriter w, SplittableRandom r) {
    int roll = r.nextInt(10);
    if (roll < 7) {
      w.decimal(r.nextInt(r.nextInt(10) == 0 ? 60_000 : 500));
      w.raw('m');
      w.raw('s');
    } else if (roll < 9) {
      w.decimal(r.nextInt(120));
      w.raw('.');
      w.decimalPadded(r.nextInt(1000), 3);
      w.raw('s');
    } else {
      w.raw('P');
      w.raw('T');
      w.decimal(r.nextInt(60));
      w.raw('.');
      w.decimalPadded(r.nextInt(1000), 3);
      w.raw('S');
    }
  }

  static void writeIps(JsonLineWriter w, SplittableRandom r, int n) {
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        w.raw(',');
      }
      w.raw('"');
      if (r.nextInt(10) == 0) {
        w.raw(IPV6_PREFIX);
        w.hex(r.nextInt(0x10000), 4);
      } else {
        w.decimal(r.nextBoolean() ? 10 : 1 + r.nextInt(223));
        for (int octet = 0; octet < 3; octet++) {
          w.raw('.');
          w.decimal(r.nextInt(256));
        }
      }
      w.raw('"');
    }
  }

  /** Writes n distinct quoted entries of {@code words}, comma-separated; step must be coprime to words.length. */
  static void writeDistinct(JsonLineWriter w, SplittableRandom r, byte[][] words, int n,
      int step) {
    int start = r.nextInt(words.length);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        w.raw(',');
      }
      w.raw('"');
      w.raw(words[(start + i * step) % words.length]);
      w.raw('"');
    }
  }

  /**
   * Writes n distinct map entries (keys {@code keys[(start + i * 5) % keys.length]}, so the key
   * list.s size must be coprime to 5), each valued with a word or a random token.
   */
  static void writeMap(JsonLineWriter w, SplittableRandom r, byte[][] keys, int n) {
    int start = r.nextInt(keys.length);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        w.raw(',');
      }
      w.raw('"');
      w.raw(keys[(start + i * 5) % keys.length]);
      w.raw(QUOTE_COLON_QUOTE);
      int roll = r.nextInt(3);
      if (roll == 0) {
        w.raw(pick(r, ARG_VALUES));
      } else if (roll == 1) {
        w.decimal(r.nextInt(1_000_000));
      } else {
        w.hex(r.nextLong(), 4 + r.nextInt(9));
      }
      w.raw('"');
    }
  }

  static void optional(JsonLineWriter w, SplittableRandom r, int permille, byte[] field,
      byte[][] values) {
    if (chance(r, permille)) {
      w.raw(field);
      w.raw(pick(r, values));
      w.raw('"');
    }
  }

  static boolean chance(SplittableRandom r, int permille) {
    return r.nextInt(1000) < permille;
  }

  static byte[] pick(SplittableRandom r, byte[][] values) {
    return values[r.nextInt(values.length)];
  }
}
