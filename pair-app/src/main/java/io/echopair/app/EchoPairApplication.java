package io.echopair.app;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.Launchable;
import io.echopair.runtime.launch.Usage;
import io.echopair.sender.SenderApplication;
import io.echopair.sender.SenderConfig;
import io.echopair.server.EchoServerApplication;
import io.echopair.server.ServerConfig;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Both pieces in one JVM, as {@code echopair.jar} runs them (its manifest names this class): {@code java -jar
 * echopair.jar --conf conf/echopair.json}.
 */
public final class EchoPairApplication implements Launchable {

  /** The pieces' sections, and the launcher's (cluster, management) beside them. */
  private static final Set<String> SECTIONS = Set.of(EchoPairVerticle.SERVER_SECTION, EchoPairVerticle.SENDER_SECTION,
      ConfigSource.CLUSTER_SECTION, ConfigSource.MANAGEMENT_SECTION);

  @Override
  public String name() {
    return "echo pair";
  }

  @Override
  public Usage usage() {
    return Usage.ofSections("echopair.jar", "the echo server and the sender in one JVM; with the server's port 0, the "
        + "sender connects to the port the server got.", ServerConfig.SCHEMA, SenderConfig.SCHEMA);
  }

  @Override
  public void validate(JsonObject conf, Overrides overrides) {
    for (String key : conf.fieldNames()) {
      if (!SECTIONS.contains(key)) {
        throw new ConfigException("unknown section \"" + key + "\" (known sections: server, sender, cluster, management)");
      }
    }
    new EchoServerApplication().validate(section(conf, EchoPairVerticle.SERVER_SECTION), overrides);
    new SenderApplication().validate(section(conf, EchoPairVerticle.SENDER_SECTION), overrides);
  }

  @Override
  public Deployable newVerticle(ConfigSource source) {
    return new EchoPairVerticle(source);
  }

  private static JsonObject section(JsonObject conf, String name) {
    return ConfigSource.inline(conf).withSection(name).selectSection(conf);
  }
}
