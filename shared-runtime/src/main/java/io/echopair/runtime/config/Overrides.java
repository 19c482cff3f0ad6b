package io.echopair.runtime.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The environment variables and system properties that may override configuration keys, without editing a file.
 *
 * <p>See {@link ConfigSchema#applyOverrides} for the names that are read and their precedence.
 */
public record Overrides(Map<String, String> environment, Map<String, String> systemProperties) {

  public Overrides {
    environment = Map.copyOf(environment);
    systemProperties = Map.copyOf(systemProperties);
  }

  /** The environment and system properties of this JVM, as they are now. */
  public static Overrides fromProcess() {
    return new Overrides(System.getenv(), asMap(System.getProperties()));
  }

  /** No overrides: the configuration is the defaults and the JSON alone. */
  public static Overrides none() {
    return new Overrides(Map.of(), Map.of());
  }

  /** These overrides plus the system property {@code name}, as if the command line said {@code -Dname=value}. */
  public Overrides withSystemProperty(String name, String value) {
    Map<String, String> properties = new HashMap<>(systemProperties);
    properties.put(name, value);
    return new Overrides(environment, properties);
  }

  private static Map<String, String> asMap(Properties properties) {
    return properties.stringPropertyNames().stream()
        .collect(Collectors.toMap(name -> name, properties::getProperty));
  }
}
