package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.Overrides;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server deployed without our launcher, with no configuration at all: what VertxApplication does when its -conf
 * names no readable file. It runs on its defaults and says so.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class StandaloneStartTest extends ServerTestSupport {

  private static final String ON_DEFAULTS = "No configuration given: the deployment's config() is empty, so every "
      + "server key takes its default (did -conf name a readable JSON file?)";

  /** Defaults but for loopback and a port the OS chooses, given as -D overrides would be. */
  private static EchoServerVerticle onLoopback() {
    Overrides overrides = Overrides.none().withSystemProperty("echopair.host", LOOPBACK)
        .withSystemProperty("echopair.port", "0");
    return new EchoServerVerticle(null, overrides, LayeredConfig.DEFAULT_SCAN_PERIOD_MS);
  }

  @Test
  @DisplayName("Deployed without a configuration in its options, the server warns once that every key takes its "
      + "default, then listens")
  void noConfigurationIsSaid(Vertx vertx, VertxTestContext ctx) {
    vertx.deployVerticle(onLoopback(), new DeploymentOptions())
        .onComplete(ctx.succeeding(id -> ctx.verify(() -> {
          assertThat(log.messages()).anyMatch(line -> line.startsWith("Echo server listening on 127.0.0.1:"));
          assertThat(log.events(ON_DEFAULTS::equals)).singleElement()
              .satisfies(warning -> assertThat(warning.getLevel().toString()).isEqualTo("WARN"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Deployed with an empty configuration object, as VertxApplication hands it, the server warns too")
  void emptyConfigurationIsSaid(Vertx vertx, VertxTestContext ctx) {
    vertx.deployVerticle(onLoopback(), new DeploymentOptions().setConfig(new JsonObject()))
        .onComplete(ctx.succeeding(id -> ctx.verify(() -> {
          assertThat(log.count(ON_DEFAULTS::equals)).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Deployed with a configuration, the server does not warn")
  void givenConfigurationIsNotQuestioned(Vertx vertx, VertxTestContext ctx) {
    vertx.deployVerticle(onLoopback(), new DeploymentOptions().setConfig(new JsonObject().put("echo", true)))
        .onComplete(ctx.succeeding(id -> ctx.verify(() -> {
          assertThat(log.messages()).anyMatch(line -> line.startsWith("Echo server listening on 127.0.0.1:"));
          assertThat(log.count(ON_DEFAULTS::equals)).isZero();
          ctx.completeNow();
        })));
  }
}
