package io.echopair.runtime.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("ConfigSource")
class ConfigSourceTest {

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"", "   ", "null", "[1, 2]", "5", "\"text\"", "{\"port\": 1,,}", "{\"port\": 1}\n{}"})
  @DisplayName("refuses any text that is not one JSON object, in one line")
  void notAnObject(String text) {
    assertThatThrownBy(() -> ConfigSource.parseObject("conf/x.json", text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("conf/x.json: not a JSON object (")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("REDACTED");
  }

  @Test
  @DisplayName("points at the line and column of a syntax error")
  void syntaxError() {
    assertThatThrownBy(() -> ConfigSource.parseObject("conf/x.json", "{\n  \"port\": 1,,\n}"))
        .hasMessageEndingWith("at [line: 2, column: 13])");
  }

  @Test
  @DisplayName("reads a section, an absent section as empty, and refuses a section that is not an object")
  void sections() {
    JsonObject whole = new JsonObject("{\"sender\": {\"port\": 1}, \"server\": 5}");

    assertThat(ConfigSource.inline(whole).withSection("sender").selectSection(whole)).isEqualTo(new JsonObject().put("port", 1));
    assertThat(ConfigSource.inline(whole).withSection("pair").selectSection(whole)).isEqualTo(new JsonObject());
    assertThat(ConfigSource.inline(whole).selectSection(whole)).isEqualTo(whole);
    assertThatThrownBy(() -> ConfigSource.file(Path.of("conf/echopair.json")).withSection("server").selectSection(whole))
        .hasMessage("server = 5: must be a JSON object (in conf/echopair.json)");
  }

  @Test
  @DisplayName("keeps the launcher's cluster section from a piece that reads the whole object")
  void clusterSection() {
    JsonObject whole = new JsonObject("{\"port\": 1, \"cluster\": {\"tlsCaPath\": \"ca.pem\"}}");

    assertThat(ConfigSource.inline(whole).selectSection(whole)).isEqualTo(new JsonObject().put("port", 1));
    assertThat(whole.containsKey("cluster")).as("the given object is left alone").isTrue();
    assertThat(ConfigSource.inline(whole).withSection("cluster").selectSection(whole))
        .isEqualTo(new JsonObject().put("tlsCaPath", "ca.pem"));
  }

  @Test
  @DisplayName("is either a file or an inline object, and says which in log lines")
  void describe() {
    assertThat(ConfigSource.file(Path.of("conf/echopair.json")).withSection("sender").describe())
        .isEqualTo("conf/echopair.json (section sender)");
    assertThat(ConfigSource.inline(null).describe()).isEqualTo("inline configuration");
    assertThatThrownBy(() -> new ConfigSource(Path.of("a.json"), new JsonObject(), null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
