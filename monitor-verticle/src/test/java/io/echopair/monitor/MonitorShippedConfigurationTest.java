package io.echopair.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** conf/monitor.json and the README stay true to the monitor's schema, where the defaults are stated. */
class MonitorShippedConfigurationTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  @DisplayName("conf/monitor.json holds every key of the monitor with its default")
  void fileHoldsTheDefaults() throws IOException {
    assertThat(new JsonObject(Files.readString(ROOT.resolve("conf/monitor.json"))))
        .isEqualTo(MonitorConfig.SCHEMA.parse(new JsonObject()).toJson());
  }

  @Test
  @DisplayName("README.md lists every key of the monitor with its default")
  void readmeListsEveryKey() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (String key : MonitorConfig.SCHEMA.keys()) {
      Object value = MonitorConfig.SCHEMA.defaultValue(key);
      String shown = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
      assertThat(readme).as("README row for monitor.%s", key)
          .containsPattern("\\| `" + key + "` \\| `" + Pattern.quote(shown) + "` \\|");
    }
  }
}
