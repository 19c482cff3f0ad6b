package io.echopair.monitor;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.Launchable;
import io.echopair.runtime.launch.Usage;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;

/**
 * The monitor, as {@code monitor.jar} runs it (its manifest names this class): {@code java -jar monitor.jar --cluster
 * --conf conf/monitor.json}.
 */
public final class MonitorApplication implements Launchable {

  @Override
  public String name() {
    return "monitor";
  }

  @Override
  public Usage usage() {
    return Usage.of("monitor.jar", "the monitor: joins a cluster (run it with --cluster) and logs the frames its echo servers "
        + "publish on the event bus.", MonitorConfig.SCHEMA);
  }

  @Override
  public void validate(JsonObject conf, Overrides overrides) {
    MonitorConfig.from(MonitorConfig.SCHEMA.parse(conf, overrides));
  }

  @Override
  public Deployable newVerticle(ConfigSource source) {
    return new MonitorVerticle(source);
  }
}
