package dev.json2parquet.config;

import java.util.List;

/**
 * A usage or configuration error: each problem names the key (as the user spelled it), the value
 * and what is allowed. A config file's problems are collected and thrown together, one per line of
 * the message.
 */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(String message) {
    this(List.of(message));
  }

  /** @param problems one message per problem, at least one */
  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order found; never empty. */
  public List<String> problems() {
    return problems;
  }
}
