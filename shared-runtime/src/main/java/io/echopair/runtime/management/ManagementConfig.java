package io.echopair.runtime.management;

import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.config.Overrides;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * The {@code management} section of a --conf file: where the jar serves {@code /metrics}, {@code /health} and
 * {@code /ready} over HTTP ({@link ManagementEndpoint}), off unless {@code port} is set.
 *
 * <p>One endpoint per JVM, whichever pieces it runs, so the section is the launcher's, beside {@code cluster}, and
 * only {@code ECHOPAIR_MANAGEMENT_*} and {@code -Dechopair.management.*} override it.
 *
 * @param host        the address to listen on
 * @param port        the port; 0: the OS chooses (the start line says which); {@link #OFF}: no endpoint
 * @param stopDelayMs after SIGTERM, how long {@code /ready} answers 503 while the pieces still serve, before they
 *                    stop and drain, so that load balancers stop sending first
 */
public record ManagementConfig(String host, int port, int stopDelayMs) {

  public static final String SECTION = ConfigSource.MANAGEMENT_SECTION;
  public static final int OFF = -1;

  public static final String HOST = "host";
  public static final String PORT = "port";
  public static final String STOP_DELAY_MS = "stopDelayMs";

  public static final ConfigSchema SCHEMA = ConfigSchema.section(SECTION)
      .withoutGenericOverrides()
      .string(HOST, "127.0.0.1", "Address of the management endpoint (/metrics, /health, /ready); 0.0.0.0 for all")
      .integer(PORT, OFF, OFF, 65535, "Port of the management endpoint; 0: the OS chooses; -1: no endpoint")
      .integer(STOP_DELAY_MS, 0, 0, 600_000, "After SIGTERM, how long /ready answers 503 while the pieces still "
          + "serve, before they stop and drain");

  /** No endpoint: what a --conf without a management section means. */
  public static final ManagementConfig DISABLED = new ManagementConfig("127.0.0.1", OFF, 0);

  /**
   * Reads the section of a whole --conf object, with the overrides over it.
   *
   * @param source     where {@code conf} came from, for error lines
   * @param appliedLog told one line per key an override set
   * @throws io.echopair.runtime.config.ConfigException when the section is not an object, or a key is unknown or
   *                                                    out of range
   */
  public static ManagementConfig of(ConfigSource source, JsonObject conf, Overrides overrides,
                                    Consumer<String> appliedLog) {
    JsonObject section = source.withSection(SECTION).selectSection(conf);
    ConfigValues values = SCHEMA.parse(SCHEMA.applyOverrides(section, overrides, appliedLog));
    return new ManagementConfig(values.string(HOST), values.integer(PORT), values.integer(STOP_DELAY_MS));
  }

  public boolean enabled() {
    return port != OFF;
  }
}
