package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.logging.LogFormat;
import io.echopair.runtime.logging.LogSwitch;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The switches of conf/logback.xml, {@code LOG_LEVEL} (the root logger's level) and {@code LOG_FORMAT}, checked
 * before Vert.x starts: logback itself takes a level it does not know as DEBUG, and a format it does not know as text,
 * without a word.
 */
final class LogSwitches {

  static final String LEVEL = "LOG_LEVEL";
  private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  private LogSwitches() {
  }

  /**
   * Checks the values logback reads: the system property, else the environment variable.
   *
   * @throws ConfigException {@code LOG_LEVEL = "LOUD": must be one of TRACE, DEBUG, INFO, WARN, ERROR or OFF} or
   *                         {@code LOG_FORMAT = "xml": must be text or json}
   */
  static void check(Overrides overrides) {
    refuseUnless(LogSwitch.read(LEVEL, overrides), value -> LEVELS.contains(value.strip().toUpperCase(Locale.ROOT)),
        oneOf(LEVELS) + " (the level of the root logger)");
    refuseUnless(LogSwitch.read(LogFormat.NAME, overrides), LogFormat.VALUES::contains,
        oneOf(LogFormat.VALUES) + " (the format of the log lines)");
  }

  private static void refuseUnless(LogSwitch logSwitch, Predicate<String> valid, String must) {
    String value = logSwitch.value();
    if (value != null && !valid.test(value)) {
      throw new ConfigException(logSwitch.origin() + " = \"" + value + "\": must be " + must);
    }
  }

  /** {@code one of A, B or C}, or {@code A or B}. */
  private static String oneOf(List<String> values) {
    String choice = String.join(", ", values.subList(0, values.size() - 1)) + " or " + values.get(values.size() - 1);
    return values.size() > 2 ? "one of " + choice : choice;
  }
}
