package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.runtime.config.ConfigException;
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

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EchoPairVerticleTest {

  @Test
  @DisplayName("in one JVM the sender reaches the server on the port the OS chose, and count completes with status 0")
  void pairInOneVertx(Vertx vertx, VertxTestContext ctx) {
    JsonObject conf = new JsonObject()
        .put("server", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("sender", new JsonObject().put("intervalMs", 20).put("count", 3));
    EchoPairVerticle pair = new EchoPairVerticle();

    vertx.deployVerticle(pair, new DeploymentOptions().setConfig(conf))
        .compose(id -> pair.completion())
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("the one-JVM file rejects an unknown section and checks both sections")
  void validation() {
    EchoPairApplication app = new EchoPairApplication();
    assertThatThrownBy(() -> app.validate(new JsonObject().put("sendr", new JsonObject()), Overrides.none()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown section \"sendr\" (known sections: server, sender, cluster)");
    assertThatThrownBy(() -> app.validate(
        new JsonObject().put("sender", new JsonObject().put("intervalMs", 0)), Overrides.none()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sender.intervalMs = 0");
    assertThatThrownBy(() -> app.validate(
        new JsonObject().put("server", new JsonObject().put("port", "7777")), Overrides.none()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.port = \"7777\"");
  }
}
