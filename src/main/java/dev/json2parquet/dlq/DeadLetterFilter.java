package dev.json2parquet.dlq;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which dead letters a {@code dlq} verb acts on; immutable and thread-safe. Each part is optional
 * (null matches everything); an envelope must match every part given.
 * <ul>
 *   <li>{@code source}: the envelope's source name, whole, as a glob: {@code *} matches any run of
 *       characters ({@code /} too), {@code ?} one character; without them it is an exact match.
 *   <li>{@code error}: a substring of the error text, case-sensitive.
 *   <li>{@code since}: the envelope's time is at or after this instant (an envelope whose time
 *       cannot be read never matches).
 * </ul>
 */
public final class DeadLetterFilter implements Predicate<DeadLetter> {
  public static final DeadLetterFilter ALL = new DeadLetterFilter(null, null, null);

  private final String source;
  private final Pattern sourceGlob;
  private final String error;
  private final Instant since;

  public DeadLetterFilter(String source, String error, Instant since) {
    this.source = source;
    this.sourceGlob = source == null ? null : glob(source);
    this.error = error;
    this.since = since;
  }

  public String source() {
    return source;
  }

  public String error() {
    return error;
  }

  public Instant since() {
    return since;
  }

  /** Whether this filter matches every envelope. */
  public boolean all() {
    return source == null && error == null && since == null;
  }

  @Override
  public boolean test(DeadLetter d) {
    if (sourceGlob != null && !sourceGlob.matcher(d.source()).matches()) {
      return false;
    }
    if (error != null && !d.error().contains(error)) {
      return false;
    }
    if (since != null) {
      Instant t = d.instant();
      return t != null && !t.isBefore(since);
    }
    return true;
  }

  static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    int literal = 0;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' || c == '?') {
        re.append(Pattern.quote(glob.substring(literal, i))).append(c == '*' ? ".*" : ".");
        literal = i + 1;
      }
    }
    re.append(Pattern.quote(glob.substring(literal)));
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  /**
   * Reads {@code --since}: an ISO-8601 instant ({@code 2026-11-25T04:07:05Z}), a date-time with an
   * offset ({@code 2026-11-25T05:07:05+01:00}) or a date ({@code 2026-11-25}, meaning its start in UTC).
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Instant parseSince(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      // not with an offset: try a date
    }
    try {
      return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("expected an ISO-8601 instant (2026-11-25T04:07:05Z) or a date (2026-11-25)");
    }
  }
}
