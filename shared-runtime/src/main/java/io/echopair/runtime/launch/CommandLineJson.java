package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;

/**
 * The options of a command line whose value is a JSON object, read and checked before Vert.x starts. VertxApplication
 * gets the command line without them ({@link #without}) and their objects through its hooks, so that it never reads
 * their files itself.
 *
 * @param conf              {@code --conf}
 * @param vertxOptions      {@code --options}, with the event bus defaults filled in; null when not given
 * @param deploymentOptions {@code --deployment-options}; null when not given
 */
record CommandLineJson(ConfOption conf, JsonObject vertxOptions, JsonObject deploymentOptions) {

  private static final JsonOption DEPLOYMENT_OPTIONS =
      new JsonOption("--deployment-options", "--deployment-options", "-deployment-options");

  /**
   * @throws ConfigException naming the option, its value and what is wrong
   */
  static CommandLineJson of(String[] args) {
    return new CommandLineJson(ConfOption.of(args), VertxOptionsJson.of(args), deploymentOptions(args));
  }

  /** The command line without these options and their values. */
  static String[] without(String[] args) {
    String[] rest = ConfOption.OPTION.removeFrom(args);
    rest = VertxOptionsJson.OPTION.removeFrom(rest);
    return DEPLOYMENT_OPTIONS.removeFrom(rest);
  }

  private static JsonObject deploymentOptions(String[] args) {
    JsonOption.Value value = DEPLOYMENT_OPTIONS.readIn(args);
    if (value == null) {
      return null;
    }
    try {
      new DeploymentOptions(value.json());
    } catch (RuntimeException refused) {
      throw new ConfigException(value.origin() + ": " + refused.getMessage());
    }
    return value.json();
  }
}
