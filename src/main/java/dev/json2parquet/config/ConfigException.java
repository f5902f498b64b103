package dev.json2parquet.config;

/** A usage or configuration error: the message names the key, the value and what is allowed. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
