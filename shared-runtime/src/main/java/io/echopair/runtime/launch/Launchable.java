package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;

/**
 * What one runnable jar deploys, as {@link EchoPairLauncher} sees it.
 */
public interface Launchable {

  /** How log lines name this piece: "echo server", "sender", "echo pair". */
  String name();

  /** What {@code --help} says of this jar: its file name, what it does, and its configuration's schemas. */
  Usage usage();

  /**
   * Checks the --conf JSON (with the overrides applied) before Vert.x starts.
   *
   * @param conf the whole --conf object, {@code {}} without --conf
   * @throws ConfigException naming what is wrong; the launcher logs it and exits with {@link ExitStatus#CONFIG}
   */
  void validate(JsonObject conf, Overrides overrides);

  /**
   * One new verticle; called once per {@code --instances}.
   *
   * @param source the --conf file (to watch) when --conf named a file, else the inline --conf JSON or {@code {}}
   */
  Deployable newVerticle(ConfigSource source);
}
