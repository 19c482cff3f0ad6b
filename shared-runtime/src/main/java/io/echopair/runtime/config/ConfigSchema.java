package io.echopair.runtime.config;

import io.echopair.runtime.config.ConfigKey.Type;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Declares the keys of one configuration section in one place (type, default, range, description) and turns JSON
 * plus overrides into checked {@link ConfigValues}.
 *
 * <p>Each builder method returns a new schema, so a {@code static final} schema is immutable and thread-safe:
 * <pre>{@code
 * static final ConfigSchema SCHEMA = ConfigSchema.section("sender")
 *     .string("host", "127.0.0.1", "Host of the echo server to connect to")
 *     .integer("port", 7777, 1, 65535, "Port of the echo server");
 * }</pre>
 */
public final class ConfigSchema {

  /** Every section a schema was declared for in this JVM: the pieces say which sections exist, not a list here. */
  private static final Set<String> DECLARED_SECTIONS = ConcurrentHashMap.newKeySet();

  private final String section;
  private final Map<String, ConfigKey> keys;
  private final boolean genericOverrides;

  private ConfigSchema(String section, Map<String, ConfigKey> keys, boolean genericOverrides) {
    this.section = section;
    this.keys = Collections.unmodifiableMap(keys);
    this.genericOverrides = genericOverrides;
  }

  /** Starts the schema of the section {@code name} (e.g. {@code "sender"}), with no keys yet. */
  public static ConfigSchema section(String name) {
    if (name == null || !name.matches("[a-z][A-Za-z0-9]*")) {
      throw new IllegalArgumentException("section name must be a camelCase word: " + name);
    }
    DECLARED_SECTIONS.add(name);
    return new ConfigSchema(name, new LinkedHashMap<>(), true);
  }

  /**
   * The same schema, overridden by its section's names only ({@code ECHOPAIR_CLUSTER_TLS_CERT_PATH}), never by the
   * generic ones ({@code ECHOPAIR_TLS_CERT_PATH}), which belong to the pieces: for keys that share a piece's name but
   * not its meaning.
   */
  public ConfigSchema withoutGenericOverrides() {
    return new ConfigSchema(section, new LinkedHashMap<>(keys), false);
  }

  /** A non-empty string key; {@link #optionalString} for one that may be empty. */
  public ConfigSchema string(String key, String defaultValue, String description) {
    return with(new ConfigKey(key, Type.STRING, defaultValue, 0, 0, description, null, null));
  }

  /**
   * A non-empty string key with an extra check, e.g. {@code .string("mode", "echo", "...", m -> m.equals("echo") ||
   * m.equals("drop"), "must be echo or drop")}.
   *
   * @param requirement what the check demands, as the end of the error line ({@code sender.mode = "x": must be ...})
   */
  public ConfigSchema string(String key, String defaultValue, String description,
                             Predicate<String> check, String requirement) {
    return with(new ConfigKey(key, Type.STRING, defaultValue, 0, 0, description, check, requirement));
  }

  /** A string key that may be empty, its default: an empty value means the setting is off (e.g. a file path). */
  public ConfigSchema optionalString(String key, String description) {
    return with(new ConfigKey(key, Type.OPTIONAL_STRING, "", 0, 0, description, null, null));
  }

  /** An int key whose value must lie in {@code [min, max]}. */
  public ConfigSchema integer(String key, int defaultValue, int min, int max, String description) {
    return with(new ConfigKey(key, Type.INTEGER, defaultValue, min, max, description, null, null));
  }

  /** A long key whose value must lie in {@code [min, max]}. */
  public ConfigSchema longInteger(String key, long defaultValue, long min, long max, String description) {
    return with(new ConfigKey(key, Type.LONG_INTEGER, defaultValue, min, max, description, null, null));
  }

  /** A boolean key. */
  public ConfigSchema bool(String key, boolean defaultValue, String description) {
    return with(new ConfigKey(key, Type.BOOLEAN, defaultValue, 0, 0, description, null, null));
  }

  public String section() {
    return section;
  }

  /** The sections of every schema declared in this JVM so far (the pieces' and the launcher's). */
  static Set<String> declaredSections() {
    return Set.copyOf(DECLARED_SECTIONS);
  }

  /** The declared keys, in declaration order. */
  public Set<String> keys() {
    return keys.keySet();
  }

  public String description(String key) {
    return key(key).description();
  }

  public Object defaultValue(String key) {
    return key(key).defaultValue();
  }

  /** Every key as a usage text shows it, in declaration order, with the override names this JVM reads for it. */
  public List<KeyUsage> usage() {
    OverrideNames names = new OverrideNames(section, Overrides.none(), genericOverrides);
    return keys.values().stream()
        .map(key -> new KeyUsage(key.name(), key.typeDescription(), ConfigException.render(key.defaultValue()),
            key.description(), names.spelledLowestToHighest(key)))
        .toList();
  }

  /**
   * Checks a section's JSON and fills in the defaults.
   *
   * @param json the section object; null means every key takes its default
   * @throws ConfigException on an unknown key, a wrong JSON type (a string or a fraction for an integer, null for
   *                         anything), a value out of range or an empty string
   */
  public ConfigValues parse(JsonObject json) {
    JsonObject given = json == null ? new JsonObject() : json;
    for (String name : given.fieldNames()) {
      if (!keys.containsKey(name)) {
        throw new ConfigException(section + ": unknown key \"" + name + "\" (known keys: " + knownKeys() + ")");
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigKey key : keys.values()) {
      Object value = given.containsKey(key.name()) ? key.valueOf(section, given.getValue(key.name())) : key.defaultValue();
      values.put(key.name(), value);
    }
    return new ConfigValues(section, values);
  }

  /**
   * Puts the environment variables and system properties that name a key of this section over {@code base}.
   *
   * <p>For a key {@code intervalMs} of the section {@code sender}, precedence from lowest to highest is:
   * the schema default, {@code base} (the --conf JSON), env {@code ECHOPAIR_INTERVAL_MS}, env
   * {@code ECHOPAIR_SENDER_INTERVAL_MS}, {@code -Dechopair.intervalMs}, {@code -Dechopair.sender.intervalMs}.
   * Names are matched ignoring case. The text is converted to the key's type. Generic names that match no key are
   * ignored (the environment is shared by the server and the sender); a section-specific name that matches no key
   * of this section is a typo and an error. An environment name that starts with the name of a declared section
   * ({@code ECHOPAIR_SERVER_PORT} once a {@code server} schema exists) is that section's, never a generic name. Every layer is checked, not only the one that wins: a wrong value in
   * {@code base} is an error even when an override replaces it.
   *
   * @param base       the section's JSON (null for none); not modified
   * @param appliedLog told one line per key that an override set, e.g. {@code sender.port = 9000 (from ECHOPAIR_PORT)}
   * @return a copy of {@code base} with the overridden keys set
   * @throws ConfigException when {@code base} does not {@link #parse} (naming its key and value), or when a name is
   *                         unknown or a text does not convert (naming the variable or property)
   */
  public JsonObject applyOverrides(JsonObject base, Overrides overrides, Consumer<String> appliedLog) {
    // The file's own mistakes first: an override must not hide them until the day it is removed
    parse(base);
    OverrideNames names = new OverrideNames(section, overrides, genericOverrides);
    names.rejectUnknown(keys.keySet(), knownKeys());
    JsonObject result = base == null ? new JsonObject() : base.copy();
    for (ConfigKey key : keys.values()) {
      OverrideNames.Found winner = null;
      for (OverrideNames.Found found : names.lowestToHighest(key)) {
        // Every given text must convert, not only the winner: a typo in a masked layer is still a typo.
        Object value = key.valueOfText(section, found.source(), found.text());
        result.put(key.name(), value);
        winner = found;
      }
      if (winner != null) {
        appliedLog.accept(section + "." + key.name() + " = " + ConfigException.render(result.getValue(key.name()))
            + " (from " + winner.source() + ")");
      }
    }
    return result;
  }

  /** {@code parse(applyOverrides(json, overrides, ...))} without reporting the applied overrides. */
  public ConfigValues parse(JsonObject json, Overrides overrides) {
    return parse(applyOverrides(json, overrides, line -> { }));
  }

  private ConfigSchema with(ConfigKey key) {
    if (keys.containsKey(key.name())) {
      throw new IllegalArgumentException(section + "." + key.name() + " is declared twice");
    }
    if (key.type() == Type.INTEGER && (key.min() < Integer.MIN_VALUE || key.max() > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(section + "." + key.name() + ": range outside int");
    }
    // A bad default is a programming error, found when the schema class loads.
    String problem = key.problemWith(key.defaultValue());
    if (problem != null) {
      throw new IllegalArgumentException("default of " + section + "." + key.name() + " " + problem);
    }
    Map<String, ConfigKey> copy = new LinkedHashMap<>(keys);
    copy.put(key.name(), key);
    return new ConfigSchema(section, copy, genericOverrides);
  }

  ConfigKey key(String name) {
    ConfigKey key = keys.get(name);
    if (key == null) {
      throw new IllegalArgumentException(section + " declares no key " + name);
    }
    return key;
  }

  private String knownKeys() {
    return String.join(", ", keys.keySet());
  }
}
