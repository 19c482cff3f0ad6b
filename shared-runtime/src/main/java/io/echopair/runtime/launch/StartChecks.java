package io.echopair.runtime.launch;

import io.echopair.runtime.cluster.ClusterConfig;
import io.echopair.runtime.cluster.EventBusTls;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.management.ManagementConfig;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command line and its {@code --conf} say, checked before Vert.x starts: the JSON options, the piece's
 * configuration ({@link Launchable#validate}), the management section, and for {@code --cluster} the Hazelcast
 * configuration and the event bus's TLS. A refusal is a {@link ConfigException}, and nothing has been started.
 *
 * @param commandLine the JSON options read from the command line
 * @param cluster     what a {@code --cluster} start needs; null without {@code --cluster}
 * @param management  what the management endpoint needs; null when {@code management.port} is not set
 */
record StartChecks(CommandLineJson commandLine, ClusterStart cluster, ManagementStart management) {

  private static final Logger LOG = LoggerFactory.getLogger(StartChecks.class);

  /**
   * @throws ConfigException one line naming the option, file, key or value that is wrong
   */
  static StartChecks of(String[] args, Launchable launchable, Overrides overrides) {
    LogSwitches.check(overrides);
    CommandLineJson commandLine = CommandLineJson.of(args);
    ConfOption conf = commandLine.conf();
    // The cluster and management sections are the launcher's: the piece checks the rest
    EventBusTls tls = invalidIf(() -> EventBusTls.of(conf.source(), conf.json(), overrides, LOG::info));
    ManagementConfig managementConfig =
        invalidIf(() -> ManagementConfig.of(conf.source(), conf.json(), overrides, LOG::info));
    ManagementStart management = managementConfig.enabled() ? new ManagementStart(managementConfig) : null;
    invalidIf(() -> {
      launchable.validate(ConfigSource.withoutLauncherSections(conf.json()), overrides);
      return null;
    });
    if (!ClusterOption.requested(args)) {
      if (tls.enabled()) {
        LOG.warn("{} is set but this node is not started with --cluster: the cluster keys are not used",
            tls.firstKeySet());
      }
      return new StartChecks(commandLine, null, management);
    }
    ClusterConfig cluster = ClusterConfig.load();
    EventBusTls.Prepared eventBusTls = tls.enabled() ? invalidIf(() -> {
      tls.checkNoConflictWith(commandLine.vertxOptions());
      return tls.prepare();
    }) : null;
    return new StartChecks(commandLine, new ClusterStart(cluster, eventBusTls), management);
  }

  /** A refusal of the piece's configuration or of the cluster section, as the launcher's line says it. */
  private static <T> T invalidIf(Supplier<T> check) {
    try {
      return check.get();
    } catch (ConfigException invalid) {
      throw new ConfigException("Invalid configuration: " + invalid.getMessage());
    }
  }
}
