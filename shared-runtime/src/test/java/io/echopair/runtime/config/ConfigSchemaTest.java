package io.echopair.runtime.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("ConfigSchema")
class ConfigSchemaTest {

  static final ConfigSchema SCHEMA = ConfigSchema.section("sender")
      .string("host", "127.0.0.1", "Host of the echo server to connect to")
      .integer("port", 7777, 1, 65535, "Port of the echo server")
      .longInteger("intervalMs", 2000, 1, Long.MAX_VALUE, "Milliseconds between two ticks")
      .bool("acks", true, "Expect echoes")
      .string("mode", "echo", "What the server does", m -> m.equals("echo") || m.equals("drop"), "must be echo or drop");

  @Test
  @DisplayName("declares its keys in order, with their description and default")
  void declaresKeys() {
    assertThat(SCHEMA.section()).isEqualTo("sender");
    assertThat(SCHEMA.keys()).containsExactly("host", "port", "intervalMs", "acks", "mode");
    assertThat(SCHEMA.description("port")).isEqualTo("Port of the echo server");
    assertThat(SCHEMA.defaultValue("intervalMs")).isEqualTo(2000L);
  }

  @Test
  @DisplayName("gives every default when the JSON is null or empty")
  void defaults() {
    for (ConfigValues values : new ConfigValues[] {SCHEMA.parse(null), SCHEMA.parse(new JsonObject())}) {
      assertThat(values.string("host")).isEqualTo("127.0.0.1");
      assertThat(values.integer("port")).isEqualTo(7777);
      assertThat(values.longInteger("intervalMs")).isEqualTo(2000L);
      assertThat(values.bool("acks")).isTrue();
      assertThat(values.toJson()).isEqualTo(new JsonObject(
          "{\"host\":\"127.0.0.1\",\"port\":7777,\"intervalMs\":2000,\"acks\":true,\"mode\":\"echo\"}"));
    }
  }

  @Test
  @DisplayName("takes the given values in their Java types")
  void givenValues() {
    ConfigValues values = SCHEMA.parse(new JsonObject(
        "{\"host\":\"localhost\",\"port\":9000,\"intervalMs\":5000000000,\"acks\":false,\"mode\":\"drop\"}"));

    assertThat(values.string("host")).isEqualTo("localhost");
    assertThat(values.integer("port")).isEqualTo(9000);
    assertThat(values.longInteger("intervalMs")).isEqualTo(5_000_000_000L);
    assertThat(values.bool("acks")).isFalse();
    assertThat(values.string("mode")).isEqualTo("drop");
  }

  @Test
  @DisplayName("accepts a whole number written with a fraction or an exponent")
  void wholeNumbers() {
    ConfigValues values = SCHEMA.parse(new JsonObject("{\"port\": 9000.0, \"intervalMs\": 2e3}"));

    assertThat(values.integer("port")).isEqualTo(9000);
    assertThat(values.longInteger("intervalMs")).isEqualTo(2000L);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"prot\": 1}              | sender: unknown key \"prot\" (known keys: host, port, intervalMs, acks, mode)",
      "{\"port\": \"7777\"}       | sender.port = \"7777\": must be an integer",
      "{\"port\": 1.5}            | sender.port = 1.5: must be an integer",
      "{\"port\": 70000}          | sender.port = 70000: must be between 1 and 65535",
      "{\"port\": 0}              | sender.port = 0: must be between 1 and 65535",
      "{\"port\": 99999999999999999999} | sender.port = 99999999999999999999: must be between 1 and 65535",
      "{\"intervalMs\": 0}        | sender.intervalMs = 0: must be at least 1",
      "{\"intervalMs\": true}     | sender.intervalMs = true: must be an integer",
      "{\"host\": \"\"}           | sender.host = \"\": must not be empty",
      "{\"host\": 5}              | sender.host = 5: must be a string",
      "{\"host\": {\"a\": 1}}     | sender.host = {\"a\":1}: must be a string",
      "{\"acks\": \"yes\"}        | sender.acks = \"yes\": must be a boolean",
      "{\"mode\": \"loud\"}       | sender.mode = \"loud\": must be echo or drop",
      "{\"port\": null}           | sender.port = null: must be an integer (leave the key out to use the default 7777)",
      "{\"host\": null}           | sender.host = null: must be a string (leave the key out to use the default \"127.0.0.1\")",
  })
  @DisplayName("rejects a bad value with one line naming section, key, value and the problem")
  void rejects(String json, String message) {
    assertThatThrownBy(() -> SCHEMA.parse(new JsonObject(json)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
  }

  @Test
  @DisplayName("takes a path key as a string that is empty, and off, by default; an override may set or clear it")
  void pathKeys() {
    ConfigSchema schema = ConfigSchema.section("server").path("tlsCertPath", "PEM certificate chain");

    assertThat(schema.parse(null).string("tlsCertPath")).isEmpty();
    assertThat(schema.parse(new JsonObject("{\"tlsCertPath\": \"conf/server.crt\"}")).string("tlsCertPath"))
        .isEqualTo("conf/server.crt");
    assertThat(schema.parse(new JsonObject("{\"tlsCertPath\": \"conf/server.crt\"}"),
        new Overrides(java.util.Map.of("ECHOPAIR_TLS_CERT_PATH", ""), java.util.Map.of())).string("tlsCertPath"))
        .isEmpty();
    assertThatThrownBy(() -> schema.parse(new JsonObject("{\"tlsCertPath\": 5}")))
        .hasMessage("server.tlsCertPath = 5: must be a string");
  }

  @Test
  @DisplayName("refuses a default that breaks its own range, when the schema is declared")
  void badDefault() {
    assertThatThrownBy(() -> ConfigSchema.section("server").integer("port", 0, 1, 65535, "Port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
  }

  @Test
  @DisplayName("lists the keys that differ between two loads")
  void changedKeys() {
    ConfigValues before = SCHEMA.parse(null);
    ConfigValues after = SCHEMA.parse(new JsonObject("{\"port\": 9000, \"acks\": false, \"host\": \"127.0.0.1\"}"));

    assertThat(before.changedKeys(after)).containsExactly("port", "acks");
    assertThat(before.changedKeys(SCHEMA.parse(null))).isEmpty();
    assertThat(before).isEqualTo(SCHEMA.parse(new JsonObject())).isNotEqualTo(after);
  }

  @Test
  @DisplayName("refuses a getter that does not match the declared type")
  void wrongGetter() {
    ConfigValues values = SCHEMA.parse(null);

    assertThatThrownBy(() -> values.string("port")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> values.integer("nope")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("keeps a ConfigException message on one line")
  void oneLine() {
    assertThat(new ConfigException("x.json: not a JSON object (Unexpected character\n at [line: 1])").getMessage())
        .isEqualTo("x.json: not a JSON object (Unexpected character at [line: 1])");
  }
}
