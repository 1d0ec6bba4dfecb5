package dev.tessera.config;

/** A configuration value Tessera cannot run with; the message names the key so one log line is enough. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super("configuration error: " + key + ": " + problem);
  }
}
