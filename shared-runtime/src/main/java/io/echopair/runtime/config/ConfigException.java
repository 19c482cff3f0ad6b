package io.echopair.runtime.config;

import io.vertx.core.json.Json;

/**
 * A configuration problem, told in one line that names the section, key, value and what is wrong.
 */
public final class ConfigException extends RuntimeException {

  /**
   * @param message what is wrong; line breaks (e.g. from a JSON parser) are folded so the message stays one line
   */
  public ConfigException(String message) {
    // No stack trace: the message alone is what an operator needs.
    super(oneLine(message), null, false, false);
  }

  /**
   * A value that is present but wrong: {@code sender.port = 70000: must be between 1 and 65535}.
   */
  public static ConfigException invalid(String section, String key, Object value, String reason) {
    return new ConfigException(section + "." + key + " = " + render(value) + ": " + reason);
  }

  /**
   * A value as it reads in JSON: strings quoted, numbers and booleans bare, {@code null} for null.
   */
  public static String render(Object value) {
    return value == null ? "null" : Json.encode(value);
  }

  private static String oneLine(String message) {
    return message == null ? "invalid configuration" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
