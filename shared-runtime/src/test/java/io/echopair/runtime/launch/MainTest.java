package io.echopair.runtime.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Main")
class MainTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("finds the Launchable the jar's manifest names")
  void readsTheManifest() throws IOException {
    Path classes = withManifest(dir.resolve("jar"), "Echopair-Launchable: " + Piece.class.getName() + "\n");

    try (URLClassLoader jar = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
      assertThat(Main.manifestAttribute(jar)).isEqualTo(Piece.class.getName());
    }
    assertThat(Main.named(Piece.class.getName())).isInstanceOf(Piece.class);
  }

  @Test
  @DisplayName("says in one line that a class path whose manifests name no Launchable is not a packaged jar")
  void noManifest() throws IOException {
    Path classes = withManifest(dir.resolve("other"), "Main-Class: some.Other\n");

    try (URLClassLoader jar = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
      assertThatThrownBy(() -> Main.manifestAttribute(jar)).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("No manifest on the class path has Echopair-Launchable: run a packaged jar");
    }
  }

  @Test
  @DisplayName("refuses a named class that is missing or not a Launchable, naming it")
  void notALaunchable() {
    assertThatThrownBy(() -> Main.named("java.lang.StringBuilder"))
        .hasMessage("Echopair-Launchable java.lang.StringBuilder is not a io.echopair.runtime.launch.Launchable");
    assertThatThrownBy(() -> Main.named("no.such.Piece"))
        .hasMessageStartingWith("Echopair-Launchable no.such.Piece cannot be created: java.lang.ClassNotFoundException");
  }

  private static Path withManifest(Path classes, String attributes) throws IOException {
    Files.createDirectories(classes.resolve("META-INF"));
    Files.writeString(classes.resolve("META-INF/MANIFEST.MF"), "Manifest-Version: 1.0\n" + attributes);
    return classes;
  }

  /** A Launchable as a jar's manifest names one: public, with a public no-argument constructor. */
  public static final class Piece implements Launchable {

    @Override
    public String name() {
      return "piece";
    }

    @Override
    public Usage usage() {
      return Usage.of("piece.jar", "a piece for tests.", ConfigSchema.section("piece"));
    }

    @Override
    public void validate(JsonObject conf, Overrides overrides) {
    }

    @Override
    public Deployable newVerticle(ConfigSource source) {
      throw new UnsupportedOperationException("never deployed here");
    }
  }
}
