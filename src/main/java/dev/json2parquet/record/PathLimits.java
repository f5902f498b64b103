package dev.json2parquet.record;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Length limits of the names the layout makes, counted in UTF-8 bytes after escaping: a path
 * component (directory or file name) at most {@link #COMPONENT_BYTES} (NAME_MAX of ext4, XFS, btrfs
 * and APFS), a whole relative path at most {@link #PATH_BYTES} (the S3 object key limit).
 *
 * <p>A longer name is cut at a character boundary, never inside a UTF-8 sequence, a surrogate pair
 * or a {@code %XX} / {@code %uXXXX} escape, and given the suffix {@code ~} plus the first 128 bits of
 * the SHA-256 of the whole name in hex. So the same name always shortens the same way, and two
 * different names shorten to different ones (values never contain a bare {@code ~}: the escaping
 * turns it into {@code %7E}). Stateless and thread-safe.
 */
public final class PathLimits {
  private PathLimits() {}

  /** The longest path component, in bytes. */
  public static final int COMPONENT_BYTES = 255;
  /** The longest relative path, in bytes. */
  public static final int PATH_BYTES = 1024;
  /** {@code ~} and 32 hex digits. */
  public static final int SUFFIX_BYTES = 33;

  /** The UTF-8 length of {@code s} (an unpaired surrogate counts as the 3 bytes of its replacement). */
  public static int utf8Length(CharSequence s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * {@code name} itself when it is at most {@code maxBytes} UTF-8 bytes; otherwise its longest
   * prefix that ends at a character and escape boundary and leaves room for the hash suffix, plus
   * the suffix.
   *
   * @throws IllegalArgumentException when {@code maxBytes} leaves no room for the suffix
   */
  public static String fit(String name, int maxBytes) {
    if (utf8Length(name) <= maxBytes) {
      return name;
    }
    if (maxBytes < SUFFIX_BYTES) {
      throw new IllegalArgumentException("Cannot shorten a name to " + maxBytes + " bytes: the hash suffix alone takes "
          + SUFFIX_BYTES);
    }
    int budget = maxBytes - SUFFIX_BYTES;
    int bytes = 0;
    int end = 0;
    while (end < name.length()) {
      int token = tokenLength(name, end);
      int tokenBytes = utf8Length(name.substring(end, end + token));
      if (bytes + tokenBytes > budget) {
        break;
      }
      bytes += tokenBytes;
      end += token;
    }
    return name.substring(0, end) + "~" + hash(name);
  }

  /**
   * {@code path} ('/'-separated) with every component fitted to {@link #COMPONENT_BYTES}, and, when
   * the whole is still over {@code maxBytes}, the longest components shortened further to one common
   * cap (the largest that fits), each with its own hash suffix. Depends only on {@code path} and
   * {@code maxBytes}.
   *
   * @throws IllegalArgumentException when even components of {@link #SUFFIX_BYTES} bytes do not fit
   */
  public static String fitPath(String path, int maxBytes) {
    String[] parts = path.split("/", -1);
    int[] lengths = new int[parts.length];
    int total = parts.length - 1;
    for (int i = 0; i < parts.length; i++) {
      parts[i] = fit(parts[i], COMPONENT_BYTES);
      lengths[i] = utf8Length(parts[i]);
      total += lengths[i];
    }
    if (total > maxBytes) {
      // the largest cap C with sum(min(length, C)) + separators <= maxBytes; components over C are cut
      int cap = COMPONENT_BYTES;
      while (cap >= SUFFIX_BYTES && capped(lengths, cap) + parts.length - 1 > maxBytes) {
        cap--;
      }
      if (cap < SUFFIX_BYTES) {
        throw new IllegalArgumentException("Cannot fit a path of " + parts.length + " components into " + maxBytes
            + " bytes");
      }
      for (int i = 0; i < parts.length; i++) {
        if (lengths[i] > cap) {
          parts[i] = fit(parts[i], cap);
        }
      }
    }
    return String.join("/", parts);
  }

  private static long capped(int[] lengths, int cap) {
    long sum = 0;
    for (int l : lengths) {
      sum += Math.min(l, cap);
    }
    return sum;
  }

  /** The chars of the indivisible piece at {@code i}: an escape, a surrogate pair or one char. */
  private static int tokenLength(String s, int i) {
    char c = s.charAt(i);
    if (c == '%') {
      int len = i + 1 < s.length() && s.charAt(i + 1) == 'u' ? 6 : 3;
      return Math.min(len, s.length() - i);
    }
    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
      return 2;
    }
    return 1;
  }

  /** The first 128 bits of the SHA-256 of {@code name}'s UTF-8 bytes, in lower-case hex. */
  public static String hash(String name) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    StringBuilder hex = new StringBuilder(32);
    for (int i = 0; i < 16; i++) {
      hex.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
    }
    return hex.toString();
  }
}
