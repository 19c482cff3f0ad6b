package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.config.ConfigSchema;
import io.echopair.sender.SenderConfig;
import io.echopair.server.ServerConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The files in conf/ and the README stay true to the schemas, where the defaults are stated. */
class ShippedConfigurationTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  @DisplayName("conf/echo-server.json and conf/sender.json hold every key with its default")
  void filesHoldTheDefaults() throws IOException {
    assertThat(read("conf/echo-server.json")).isEqualTo(defaults(ServerConfig.SCHEMA));
    assertThat(read("conf/sender.json")).isEqualTo(defaults(SenderConfig.SCHEMA));
  }

  @Test
  @DisplayName("conf/echopair.json holds the same two configurations as sections")
  void pairFileHoldsBoth() throws IOException {
    assertThat(read("conf/echopair.json")).isEqualTo(new JsonObject()
        .put("server", defaults(ServerConfig.SCHEMA))
        .put("sender", defaults(SenderConfig.SCHEMA)));
  }

  @Test
  @DisplayName("README.md lists every key of both pieces with its default")
  void readmeListsEveryKey() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (ConfigSchema schema : new ConfigSchema[] {ServerConfig.SCHEMA, SenderConfig.SCHEMA}) {
      for (String key : schema.keys()) {
        Object value = schema.defaultValue(key);
        String shown = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
        assertThat(readme).as("README row for %s.%s", schema.section(), key)
            .containsPattern("\\| `" + key + "` \\| `" + Pattern.quote(shown) + "` \\|");
      }
    }
  }

  private static JsonObject defaults(ConfigSchema schema) {
    return schema.parse(new JsonObject()).toJson();
  }

  private static JsonObject read(String file) throws IOException {
    return new JsonObject(Files.readString(ROOT.resolve(file)));
  }
}
