package io.echopair.server;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.Launchable;
import io.echopair.runtime.launch.Usage;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;

/**
 * The echo server, as {@code echo-server.jar} runs it (its manifest names this class): {@code java -jar
 * echo-server.jar --conf conf/echo-server.json [--instances N]}.
 */
public final class EchoServerApplication implements Launchable {

  @Override
  public String name() {
    return "echo server";
  }

  @Override
  public Usage usage() {
    return Usage.of("echo-server.jar", "the echo server: listens for frames over TCP, logs each one (Recv Msg) and writes it "
        + "back to its sender.", ServerConfig.SCHEMA);
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
