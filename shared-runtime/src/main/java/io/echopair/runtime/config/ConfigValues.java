package io.echopair.runtime.config;

import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The checked, effective values of one configuration section: every declared key, with its default when not given.
 * Immutable.
 */
public final class ConfigValues {

  private final String section;
  private final Map<String, Object> values;

  ConfigValues(String section, Map<String, Object> values) {
    this.section = section;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public String section() {
    return section;
  }

  public String string(String key) {
    return get(key, String.class);
  }

  public int integer(String key) {
    return get(key, Integer.class);
  }

  public long longInteger(String key) {
    return get(key, Long.class);
  }

  public boolean bool(String key) {
    return get(key, Boolean.class);
  }

  /** The effective values as a section object, in declaration order (e.g. to log them once at start). */
  public JsonObject toJson() {
    return new JsonObject(new LinkedHashMap<>(values));
  }

  /** The keys whose value differs in {@code other} (a later load of the same section), in declaration order. */
  public Set<String> changedKeys(ConfigValues other) {
    Set<String> changed = new LinkedHashSet<>();
    values.forEach((key, value) -> {
      if (!Objects.equals(value, other.values.get(key))) {
        changed.add(key);
      }
    });
    return changed;
  }

  private <T> T get(String key, Class<T> type) {
    Object value = values.get(key);
    if (!type.isInstance(value)) {
      // A programming error: the verticle asked for a key its schema does not declare with this type.
      throw new IllegalArgumentException(section + "." + key + " is not declared as " + type.getSimpleName());
    }
    return type.cast(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigValues other && section.equals(other.section) && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(section, values);
  }

  @Override
  public String toString() {
    return section + " " + toJson().encode();
  }
}
