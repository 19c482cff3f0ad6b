package io.echopair.runtime.config;

import io.vertx.config.ConfigStoreOptions;
import io.vertx.config.spi.ConfigStore;
import io.vertx.config.spi.ConfigStoreFactory;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * Makes the {@link ConfigFileStore} of a {@code ConfigStoreOptions} of type {@value #TYPE} ({@link #storeOptions});
 * found by vertx-config through META-INF/services.
 */
public final class ConfigFileStoreFactory implements ConfigStoreFactory {

  /** The store type, as a ConfigStoreOptions names it. */
  static final String TYPE = "echopair-file";
  /** The key of the file's path in the store's config. */
  private static final String PATH = "path";

  /**
   * The store of {@code file}, as a retriever is given it: what the store finds reaches the retriever through
   * vertx-config's raw format as one string, {@link FileReading#READING}.
   */
  static ConfigStoreOptions storeOptions(Path file) {
    JsonObject config = new JsonObject().put(PATH, file.toString())
        .put("raw.key", FileReading.READING).put("raw.type", "string");
    return new ConfigStoreOptions().setType(TYPE).setFormat("raw").setConfig(config);
  }

  @Override
  public String name() {
    return TYPE;
  }

  @Override
  public ConfigStore create(Vertx vertx, JsonObject configuration) {
    String path = configuration.getString(PATH);
    if (path == null) {
      throw new IllegalArgumentException("a " + TYPE + " store needs a \"" + PATH + "\"");
    }
    return new ConfigFileStore(vertx, Path.of(path));
  }
}
