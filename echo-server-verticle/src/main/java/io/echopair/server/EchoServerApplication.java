package io.echopair.server;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.EchoPairLauncher;
import io.echopair.runtime.launch.Launchable;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;

/**
 * The echo-server.jar entry point: {@code java -jar echo-server.jar --conf conf/echo-server.json [--instances N]}.
 */
public final class EchoServerApplication implements Launchable {

  public static void main(String[] args) {
    EchoPairLauncher.launch(args, new EchoServerApplication());
  }

  @Override
  public String name() {
    return "echo server";
  }

  @Override
  public void validate(JsonObject conf, Overrides overrides) {
    ServerConfig config = ServerConfig.from(ServerConfig.SCHEMA.parse(conf, overrides));
    if (config.tls()) {
      ServerTls.check(config);
    }
  }

  @Override
  public Deployable newVerticle(ConfigSource source) {
    return new EchoServerVerticle(source);
  }
}
