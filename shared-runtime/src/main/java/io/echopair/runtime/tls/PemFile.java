package io.echopair.runtime.tls;

import java.nio.file.Path;

/**
 * A PEM file named by a configuration key, as error lines name it: {@code server.tlsKeyPath = "conf/server.key"}.
 *
 * @param key  the key with its section, e.g. {@code server.tlsKeyPath}
 * @param path the file
 */
public record PemFile(String key, Path path) {

  /** The file of {@code key}, or null when its value is empty (the setting is off). */
  public static PemFile of(String key, String value) {
    return value == null || value.isBlank() ? null : new PemFile(key, Path.of(value));
  }

  /** How an error line names it. */
  public String origin() {
    return key + " = \"" + path + "\"";
  }
}
