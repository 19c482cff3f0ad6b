package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.Overrides;
import java.util.List;
import java.util.Locale;

/**
 * The {@code LOG_LEVEL} switch of conf/logback.xml (the root logger's level), checked before Vert.x starts: logback
 * itself takes a level it does not know as DEBUG, without a word.
 */
final class LogLevelSwitch {

  static final String NAME = "LOG_LEVEL";
  private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  private LogLevelSwitch() {
  }

  /**
   * Checks the value logback reads: the system property, else the environment variable.
   *
   * @throws ConfigException {@code LOG_LEVEL = "LOUD": must be one of TRACE, DEBUG, INFO, WARN, ERROR or OFF}
   */
  static void check(Overrides overrides) {
    String value = overrides.systemProperties().get(NAME);
    String origin = "-D" + NAME;
    if (value == null) {
      value = overrides.environment().get(NAME);
      origin = NAME;
    }
    if (value != null && !LEVELS.contains(value.strip().toUpperCase(Locale.ROOT))) {
      throw new ConfigException(origin + " = \"" + value + "\": must be one of "
          + String.join(", ", LEVELS.subList(0, LEVELS.size() - 1)) + " or " + LEVELS.get(LEVELS.size() - 1)
          + " (the level of the root logger)");
    }
  }
}
