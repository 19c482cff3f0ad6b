package io.echopair.runtime.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("ConfigSchema.applyOverrides")
class OverridesTest {

  static final ConfigSchema SCHEMA = ConfigSchema.section("sender")
      .integer("port", 7777, 1, 65535, "Port of the echo server")
      .longInteger("intervalMs", 2000, 1, Long.MAX_VALUE, "Milliseconds between two ticks")
      .bool("acks", true, "Expect echoes")
      .string("message", "hello", "Text of each frame")
      .integer("serverPort", 1, 1, 65535, "A key whose environment name starts with another section");
  /** Another piece's section, declared in this JVM as its jar would: its names are never the sender's generic ones. */
  static final ConfigSchema SERVER = ConfigSchema.section("server").integer("port", 7777, 1, 65535, "Port");

  private final Map<String, String> env = new HashMap<>();
  private final Map<String, String> props = new HashMap<>();
  private final List<String> applied = new ArrayList<>();

  @Test
  @DisplayName("lets each layer win over the ones below it: default < JSON < env < env of section < -D < -D of section")
  void precedence() {
    JsonObject conf = new JsonObject().put("port", 1001);
    env.put("ECHOPAIR_PORT", "1002");
    env.put("ECHOPAIR_SENDER_PORT", "1003");
    props.put("echopair.port", "1004");
    props.put("echopair.sender.port", "1005");

    assertThat(port(conf)).isEqualTo(1005);
    assertThat(applied).containsExactly("sender.port = 1005 (from -Dechopair.sender.port)");

    props.remove("echopair.sender.port");
    assertThat(port(conf)).isEqualTo(1004);
    props.remove("echopair.port");
    assertThat(port(conf)).isEqualTo(1003);
    env.remove("ECHOPAIR_SENDER_PORT");
    assertThat(port(conf)).isEqualTo(1002);
    assertThat(applied).last().isEqualTo("sender.port = 1002 (from ECHOPAIR_PORT)");
    env.remove("ECHOPAIR_PORT");
    assertThat(port(conf)).isEqualTo(1001);
    assertThat(port(null)).isEqualTo(7777);
  }

  @Test
  @DisplayName("converts the text by the key's type: a string stays a string, numbers and booleans are parsed")
  void conversion() {
    env.put("ECHOPAIR_MESSAGE", "123");
    env.put("ECHOPAIR_INTERVAL_MS", " 5000000000 ");
    props.put("echopair.acks", "FALSE");

    ConfigValues values = resolve(null);

    assertThat(values.string("message")).isEqualTo("123");
    assertThat(values.longInteger("intervalMs")).isEqualTo(5_000_000_000L);
    assertThat(values.bool("acks")).isFalse();
    assertThat(applied).containsExactly(
        "sender.intervalMs = 5000000000 (from ECHOPAIR_INTERVAL_MS)",
        "sender.acks = false (from -Dechopair.acks)",
        "sender.message = \"123\" (from ECHOPAIR_MESSAGE)");
  }

  @Test
  @DisplayName("names the variable whose text does not convert or is out of range")
  void badText() {
    env.put("ECHOPAIR_PORT", "abc");
    assertThatThrownBy(() -> resolve(null)).isInstanceOf(ConfigException.class)
        .hasMessage("ECHOPAIR_PORT = \"abc\": sender.port must be an integer");

    env.clear();
    props.put("echopair.sender.port", "70000");
    assertThatThrownBy(() -> resolve(null)).hasMessage(
        "-Dechopair.sender.port = \"70000\": sender.port must be between 1 and 65535");

    props.clear();
    env.put("ECHOPAIR_ACKS", "yes");
    assertThatThrownBy(() -> resolve(null)).hasMessage("ECHOPAIR_ACKS = \"yes\": sender.acks must be a boolean");
  }

  @Test
  @DisplayName("rejects a bad text even in a layer that a higher one masks")
  void maskedTypo() {
    env.put("ECHOPAIR_PORT", "abc");
    props.put("echopair.sender.port", "9000");

    assertThatThrownBy(() -> resolve(null)).hasMessageStartingWith("ECHOPAIR_PORT = \"abc\"");
  }

  @Test
  @DisplayName("rejects a wrong or out-of-range value of the file even when an override replaces it, naming the file's key")
  void maskedFileValue() {
    env.put("ECHOPAIR_PORT", "7000");
    props.put("echopair.sender.port", "7001");

    assertThatThrownBy(() -> resolve(new JsonObject().put("port", "abc"))).isInstanceOf(ConfigException.class)
        .hasMessage("sender.port = \"abc\": must be an integer");
    assertThatThrownBy(() -> resolve(new JsonObject().put("port", 70000)))
        .hasMessage("sender.port = 70000: must be between 1 and 65535");
    assertThat(applied).isEmpty();
    assertThat(port(new JsonObject().put("port", 1001))).isEqualTo(7001);
  }

  @Test
  @DisplayName("ignores generic names that match no key and names of the other section")
  void ignoresOthers() {
    env.put("ECHOPAIR_FOO", "1");
    env.put("ECHOPAIR_SERVER_ECHO", "maybe");
    props.put("echopair.foo", "1");
    props.put("echopair.server.echo", "maybe");
    env.put("PATH", "/usr/bin");

    assertThat(resolve(null)).isEqualTo(SCHEMA.parse(null));
    assertThat(applied).isEmpty();
  }

  @Test
  @DisplayName("rejects a name of this section that matches no key, as a typo")
  void rejectsSectionTypos() {
    env.put("ECHOPAIR_SENDER_PROT", "9000");
    assertThatThrownBy(() -> resolve(null)).isInstanceOf(ConfigException.class).hasMessage(
        "ECHOPAIR_SENDER_PROT: unknown key of section sender (known keys: port, intervalMs, acks, message, serverPort)");

    env.clear();
    props.put("echopair.sender.prot", "9000");
    assertThatThrownBy(() -> resolve(null)).hasMessageStartingWith("-Dechopair.sender.prot: unknown key of section sender");
  }

  @Test
  @DisplayName("never reads ECHOPAIR_SERVER_* as generic once a server schema exists, even when it spells a key here")
  void sectionPrefixIsNotGeneric() {
    env.put("ECHOPAIR_SERVER_PORT", "9001");
    assertThat(resolve(null).integer("serverPort")).isEqualTo(1);

    env.put("ECHOPAIR_SENDER_SERVER_PORT", "9002");
    assertThat(resolve(null).integer("serverPort")).isEqualTo(9002);
  }

  @Test
  @DisplayName("never reads ECHOPAIR_CLUSTER_* as a generic name, and a section without generic names reads only its own")
  void sectionOnly() {
    env.put("ECHOPAIR_CLUSTER_SERVER_PORT", "9003");
    assertThat(resolve(null).integer("serverPort")).isEqualTo(1);

    ConfigSchema own = SCHEMA.withoutGenericOverrides();
    env.put("ECHOPAIR_PORT", "9004");
    props.put("echopair.message", "generic");
    props.put("echopair.sender.acks", "false");
    ConfigValues values = own.parse(own.applyOverrides(null, new Overrides(env, props), applied::add));
    assertThat(values.integer("port")).isEqualTo(7777);
    assertThat(values.string("message")).isEqualTo("hello");
    assertThat(values.bool("acks")).isFalse();
    assertThat(applied).containsExactly("sender.acks = false (from -Dechopair.sender.acks)");
  }

  @Test
  @DisplayName("knows the sections from the schemas declared, not from a list: a new piece's section is never generic")
  void sectionsComeFromTheSchemas() {
    env.put("ECHOPAIR_AUDITOR_PORT", "9005");
    ConfigSchema withAuditorKey = ConfigSchema.section("probe").integer("auditorPort", 1, 1, 65535, "A key");
    assertThat(withAuditorKey.parse(withAuditorKey.applyOverrides(null, new Overrides(env, props), applied::add))
        .integer("auditorPort")).as("no auditor section yet: a generic name").isEqualTo(9005);

    ConfigSchema.section("auditor").integer("port", 1, 1, 65535, "Port");

    assertThat(withAuditorKey.parse(withAuditorKey.applyOverrides(null, new Overrides(env, props), applied::add))
        .integer("auditorPort")).as("the auditor section declared: its name").isEqualTo(1);
  }

  @Test
  @DisplayName("matches names ignoring case and leaves the given JSON untouched")
  void ignoresCase() {
    JsonObject conf = new JsonObject().put("intervalMs", 10);
    props.put("echopair.SENDER.intervalms", "20");

    assertThat(resolve(conf).longInteger("intervalMs")).isEqualTo(20L);
    assertThat(conf).isEqualTo(new JsonObject().put("intervalMs", 10));
  }

  private int port(JsonObject conf) {
    return resolve(conf).integer("port");
  }

  private ConfigValues resolve(JsonObject conf) {
    return SCHEMA.parse(SCHEMA.applyOverrides(conf, new Overrides(env, props), applied::add));
  }
}
