package io.echopair.runtime.logging;

import io.echopair.runtime.config.Overrides;
import java.util.List;

/**
 * The {@code LOG_FORMAT} switch of conf/logback.xml: {@code text} (the default) or {@code json}, one JSON object per
 * line written by {@link JsonFieldsEncoder}.
 */
public final class LogFormat {

  public static final String NAME = "LOG_FORMAT";
  /** The values the jars accept, exactly as written: {@link #isJson} takes {@code JSON} for text. */
  public static final List<String> VALUES = List.of("text", "json");

  /**
   * Whether this JVM writes JSON lines, decided once: a line logged per frame attaches its fields only then, so that
   * text mode pays nothing for them.
   */
  public static final boolean JSON = isJson(LogSwitch.read(NAME, Overrides.fromProcess()).value());

  private LogFormat() {
  }

  /** Whether {@code value} asks for JSON lines: exactly {@code json}; anything else (null, text, JSON) is text. */
  static boolean isJson(String value) {
    return "json".equals(value);
  }
}
