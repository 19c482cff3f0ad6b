package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("JsonOption")
class JsonOptionTest {

  private static final JsonOption CONF = ConfOption.OPTION;

  @TempDir
  Path dir;

  @Test
  @DisplayName("finds the value in every spelling picocli accepts, up to --")
  void spellings() {
    assertThat(CONF.valueIn(new String[] {"--conf", "a.json"})).isEqualTo("a.json");
    assertThat(CONF.valueIn(new String[] {"--instances", "2", "-CONF", "a.json"})).isEqualTo("a.json");
    assertThat(CONF.valueIn(new String[] {"--Conf={\"a\": 1}"})).isEqualTo("{\"a\": 1}");
    assertThat(CONF.valueIn(new String[] {"-conf=a=b.json"})).isEqualTo("a=b.json");
    assertThat(CONF.valueIn(new String[] {"--", "--conf", "a.json"})).isNull();
    assertThat(CONF.valueIn(new String[] {"--config", "a.json"})).isNull();
    assertThat(CONF.valueIn(new String[] {"--conf"})).isNull();
  }

  @Test
  @DisplayName("takes the option off the command line, unless it is given twice, which picocli refuses")
  void removal() {
    assertThat(CONF.removeFrom(new String[] {"--instances", "2", "--conf", "a.json", "--cluster"}))
        .containsExactly("--instances", "2", "--cluster");
    assertThat(CONF.removeFrom(new String[] {"--conf=a.json", "--cluster"})).containsExactly("--cluster");
    assertThat(CONF.removeFrom(new String[] {"--conf", "a.json", "-conf", "b.json"}))
        .containsExactly("--conf", "a.json", "-conf", "b.json");
    assertThat(CONF.removeFrom(new String[] {"--cluster"})).containsExactly("--cluster");
    assertThat(CommandLineJson.without(new String[] {"--conf", "a.json", "--options", "{}", "--deployment-options={}", "-c"}))
        .containsExactly("-c");
  }

  @Test
  @DisplayName("reads a file it names, else JSON text, and refuses anything else in one line")
  void values() throws IOException {
    Path file = Files.writeString(dir.resolve("a.json"), "{\"a\": 1}");

    assertThat(CONF.readIn(new String[] {"--conf", file.toString()}))
        .isEqualTo(new JsonOption.Value("--conf " + file, file, new JsonObject().put("a", 1)));
    assertThat(CONF.readIn(new String[] {"--conf", " {\"a\": 2}"}))
        .isEqualTo(new JsonOption.Value("--conf  {\"a\": 2}", null, new JsonObject().put("a", 2)));
    assertThat(CONF.readIn(new String[0])).isNull();
    assertThatThrownBy(() -> CONF.readIn(new String[] {"--conf", "missing.json"})).isInstanceOf(ConfigException.class)
        .hasMessage("--conf missing.json: no such file");
    assertThatThrownBy(() -> CONF.readIn(new String[] {"--conf", dir.toString()}))
        .hasMessage("--conf " + dir + ": not a regular file (a directory)");
  }
}
