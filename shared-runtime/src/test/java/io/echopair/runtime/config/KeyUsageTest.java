package io.echopair.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A schema's usage")
class KeyUsageTest {

  private static final ConfigSchema SCHEMA = ConfigSchema.section("usageDemo")
      .string("host", "127.0.0.1", "Host to connect to")
      .integer("port", 7777, 1, 65535, "Port to connect to")
      .longInteger("intervalMs", 2000, 1, Long.MAX_VALUE, "Milliseconds between ticks")
      .bool("acks", true, "Wait for echoes")
      .optionalString("tlsCaPath", "CA bundle; empty: plain TCP")
      .string("mode", "echo", "What to do", mode -> mode.equals("echo") || mode.equals("drop"), "must be echo or drop")
      // A key whose generic name would be the section usageDemo's: ECHOPAIR_USAGE_DEMO_PORT
      .integer("usageDemoPort", 1, 1, 9, "A key named like a section");

  @Test
  @DisplayName("gives each key's type, default and description, in declaration order")
  void keys() {
    assertThat(SCHEMA.usage()).extracting(KeyUsage::name, KeyUsage::type, KeyUsage::defaultValue)
        .containsExactly(
            tuple("host", "string", "\"127.0.0.1\""),
            tuple("port", "integer, between 1 and 65535", "7777"),
            tuple("intervalMs", "integer, at least 1", "2000"),
            tuple("acks", "boolean", "true"),
            tuple("tlsCaPath", "string, may be empty", "\"\""),
            tuple("mode", "string, must be echo or drop", "\"echo\""),
            tuple("usageDemoPort", "integer, between 1 and 9", "1"));
    assertThat(SCHEMA.usage().get(0).description()).isEqualTo("Host to connect to");
  }

  @Test
  @DisplayName("names the environment variables and -D properties of a key, lowest precedence first")
  void overrideNames() {
    assertThat(usageOf(SCHEMA, "intervalMs").overrideNames()).containsExactly("ECHOPAIR_INTERVAL_MS",
        "ECHOPAIR_USAGE_DEMO_INTERVAL_MS", "-Dechopair.intervalMs", "-Dechopair.usageDemo.intervalMs");
    assertThat(usageOf(SCHEMA, "usageDemoPort").overrideNames()).as("no generic name that is a section's")
        .containsExactly("ECHOPAIR_USAGE_DEMO_USAGE_DEMO_PORT", "-Dechopair.usageDemoPort",
            "-Dechopair.usageDemo.usageDemoPort");
    assertThat(usageOf(SCHEMA.withoutGenericOverrides(), "port").overrideNames())
        .containsExactly("ECHOPAIR_USAGE_DEMO_PORT", "-Dechopair.usageDemo.port");
  }

  @Test
  @DisplayName("names only what the schema reads: each name, set alone, overrides its key, and in that order")
  void namesAreRead() {
    for (ConfigSchema schema : List.of(SCHEMA, SCHEMA.withoutGenericOverrides())) {
      for (KeyUsage key : schema.usage()) {
        List<String> names = key.overrideNames();
        for (int i = 0; i < names.size(); i++) {
          List<String> applied = new ArrayList<>();
          // The names up to this one, each with its own value: the last one named must win
          JsonObject result = schema.applyOverrides(null, overridesUpTo(names, i, valuesOf(key)), applied::add);
          assertThat(applied).as("%s from %s", key.name(), names.get(i)).singleElement().asString()
              .endsWith("(from " + names.get(i) + ")");
          assertThat(ConfigException.render(result.getValue(key.name()))).isEqualTo(valuesOf(key).get(i % 2));
        }
      }
    }
  }

  private static KeyUsage usageOf(ConfigSchema schema, String key) {
    return schema.usage().stream().filter(usage -> usage.name().equals(key)).findFirst().orElseThrow();
  }

  /** Two valid values of the key, as JSON, that differ from each other. */
  private static List<String> valuesOf(KeyUsage key) {
    return switch (key.name()) {
      case "acks" -> List.of("false", "true");
      case "mode" -> List.of("\"drop\"", "\"echo\"");
      case "host", "tlsCaPath" -> List.of("\"a\"", "\"b\"");
      default -> List.of("2", "3");
    };
  }

  /** The overrides that set names 0..last, name i to value i % 2. */
  private static Overrides overridesUpTo(List<String> names, int last, List<String> values) {
    Map<String, String> env = new HashMap<>();
    Map<String, String> props = new HashMap<>();
    for (int i = 0; i <= last; i++) {
      String text = values.get(i % 2).replace("\"", "");
      if (names.get(i).startsWith("-D")) {
        props.put(names.get(i).substring(2), text);
      } else {
        env.put(names.get(i), text);
      }
    }
    return new Overrides(env, props);
  }
}
