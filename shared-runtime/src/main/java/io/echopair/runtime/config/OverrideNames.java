package io.echopair.runtime.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finds the environment variables and system properties that name the keys of one section, by the naming rules of
 * {@link ConfigSchema#applyOverrides}.
 */
final class OverrideNames {

  private static final String ENV_PREFIX = "ECHOPAIR_";
  private static final String PROPERTY_PREFIX = "echopair.";

  /** One override found: where it came from (as an operator would type it) and its text. */
  record Found(String source, String text) {
  }

  private final String section;
  private final boolean generic;
  private final String sectionEnvPrefix;
  private final String sectionPropertyPrefix;
  /** {@code ECHOPAIR_SERVER_}, ...: the environment prefixes of every section declared in this JVM. */
  private final List<String> declaredSectionPrefixes;
  private final Map<String, Map.Entry<String, String>> environmentByUpperName;
  private final Map<String, Map.Entry<String, String>> propertiesByLowerName;

  /**
   * @param generic whether the generic names ({@code ECHOPAIR_PORT}, {@code -Dechopair.port}) apply to this section
   */
  OverrideNames(String section, Overrides overrides, boolean generic) {
    this.section = section;
    this.generic = generic;
    this.sectionEnvPrefix = ENV_PREFIX + ConfigKey.environmentName(section) + "_";
    this.sectionPropertyPrefix = (PROPERTY_PREFIX + section + ".").toLowerCase(Locale.ROOT);
    this.declaredSectionPrefixes = ConfigSchema.declaredSections().stream()
        .map(declared -> ENV_PREFIX + ConfigKey.environmentName(declared) + "_").toList();
    this.environmentByUpperName = byName(overrides.environment(), ENV_PREFIX, name -> name.toUpperCase(Locale.ROOT));
    this.propertiesByLowerName = byName(overrides.systemProperties(), PROPERTY_PREFIX, name -> name.toLowerCase(Locale.ROOT));
  }

  /** One name that may override a key: an environment variable, or a system property (without {@code -D}). */
  private record Name(String text, boolean environment) {

    /** As an operator types it: {@code ECHOPAIR_PORT}, {@code -Dechopair.port}. */
    String spelled() {
      return environment ? text : "-D" + text;
    }
  }

  /** The overrides of one key, from the lowest precedence to the highest. */
  List<Found> lowestToHighest(ConfigKey key) {
    List<Found> found = new ArrayList<>(4);
    for (Name name : namesLowestToHighest(key)) {
      Map.Entry<String, String> entry = name.environment()
          ? environmentByUpperName.get(name.text())
          : propertiesByLowerName.get(name.text().toLowerCase(Locale.ROOT));
      if (entry != null) {
        found.add(new Found(name.environment() ? entry.getKey() : "-D" + entry.getKey(), entry.getValue()));
      }
    }
    return found;
  }

  /** Every name read for one key, lowest precedence first, as an operator types it. */
  List<String> spelledLowestToHighest(ConfigKey key) {
    return namesLowestToHighest(key).stream().map(Name::spelled).toList();
  }

  private List<Name> namesLowestToHighest(ConfigKey key) {
    List<Name> names = new ArrayList<>(4);
    String genericEnv = ENV_PREFIX + key.environmentName();
    if (generic && !isSectionSpecific(genericEnv)) {
      names.add(new Name(genericEnv, true));
    }
    names.add(new Name(sectionEnvPrefix + key.environmentName(), true));
    if (generic) {
      names.add(new Name(PROPERTY_PREFIX + key.name(), false));
    }
    names.add(new Name(PROPERTY_PREFIX + section + "." + key.name(), false));
    return names;
  }

  /** A section-specific name that matches no key of this section is a typo. */
  void rejectUnknown(Set<String> keyNames, String knownKeys) {
    Set<String> envNames = keyNames.stream().map(ConfigKey::environmentName).collect(Collectors.toSet());
    Set<String> lowerNames = keyNames.stream().map(k -> k.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    environmentByUpperName.forEach((upper, entry) -> {
      if (upper.startsWith(sectionEnvPrefix) && !envNames.contains(upper.substring(sectionEnvPrefix.length()))) {
        throw unknown(entry.getKey(), knownKeys);
      }
    });
    propertiesByLowerName.forEach((lower, entry) -> {
      if (lower.startsWith(sectionPropertyPrefix) && !lowerNames.contains(lower.substring(sectionPropertyPrefix.length()))) {
        throw unknown("-D" + entry.getKey(), knownKeys);
      }
    });
  }

  /** Whether the name belongs to a section: this one, or any other whose schema is declared in this JVM. */
  private boolean isSectionSpecific(String envName) {
    return envName.startsWith(sectionEnvPrefix) || declaredSectionPrefixes.stream().anyMatch(envName::startsWith);
  }

  private ConfigException unknown(String name, String knownKeys) {
    return new ConfigException(name + ": unknown key of section " + section + " (known keys: " + knownKeys + ")");
  }

  /** The variables whose name starts with {@code prefix}, keyed by their normalized name. */
  private static Map<String, Map.Entry<String, String>> byName(Map<String, String> variables, String prefix,
                                                               Function<String, String> normalize) {
    // Only our prefix matters; the rest of the environment is none of our business.
    return variables.entrySet().stream()
        .filter(e -> normalize.apply(e.getKey()).startsWith(prefix))
        .collect(Collectors.toMap(e -> normalize.apply(e.getKey()), e -> Map.entry(e.getKey(), e.getValue()),
            (first, second) -> first));
  }
}
