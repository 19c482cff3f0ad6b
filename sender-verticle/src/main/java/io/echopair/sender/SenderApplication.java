package io.echopair.sender;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.Launchable;
import io.echopair.runtime.launch.Usage;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;

/**
 * The sender, as {@code sender.jar} runs it (its manifest names this class): {@code java -jar sender.jar --conf
 * conf/sender.json}.
 */
public final class SenderApplication implements Launchable {

  @Override
  public String name() {
    return "sender";
  }

  @Override
  public Usage usage() {
    return Usage.of("sender.jar", "the sender: connects to an echo server, sends it numbered frames and matches each echo "
        + "to its frame, reconnecting and resending when the server goes away.", SenderConfig.SCHEMA);
  }

  @Override
  public void validate(JsonObject conf, Overrides overrides) {
    SenderConfig config = SenderConfig.from(SenderConfig.SCHEMA.parse(conf, overrides));
    if (config.usesTls()) {
      // Unreadable or mismatched TLS files stop the start here, before Vert.x; the verticle reads them again
      config.tls().load();
    }
  }

  @Override
  public Deployable newVerticle(ConfigSource source) {
    return new SenderVerticle(source);
  }
}
