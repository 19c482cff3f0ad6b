package io.echopair.runtime.logging;

import io.echopair.runtime.config.Overrides;

/**
 * One switch of conf/logback.xml as logback reads it: the system property, else the environment variable.
 *
 * @param value  what logback sees; null when neither is set
 * @param origin how a refusal names it: {@code -DLOG_FORMAT} or {@code LOG_FORMAT}
 */
public record LogSwitch(String value, String origin) {

  /** The switch {@code name}, e.g. {@code LOG_LEVEL}, in these overrides. */
  public static LogSwitch read(String name, Overrides overrides) {
    String property = overrides.systemProperties().get(name);
    if (property != null) {
      return new LogSwitch(property, "-D" + name);
    }
    return new LogSwitch(overrides.environment().get(name), name);
  }
}
