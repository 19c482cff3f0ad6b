package io.echopair.app;

import static io.echopair.runtime.testing.Undeployments.whenUndeployed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Context;
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
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EchoPairVerticleTest {

  @RegisterExtension
  final LogCapture log = LogCapture.of("io.echopair");

  @Test
  @DisplayName("in one JVM the sender reaches the server on the port the OS chose, handed over in code, and count ends the pair with status 0")
  void pairInOneVertx(Vertx vertx, VertxTestContext ctx) {
    JsonObject conf = new JsonObject()
        .put("server", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("sender", new JsonObject().put("intervalMs", 20).put("count", 3));
    EchoPairVerticle pair = new EchoPairVerticle();
    Context test = vertx.getOrCreateContext();

    vertx.deployVerticle(pair, new DeploymentOptions().setConfig(conf))
        .compose(id -> pair.completion().compose(status -> whenUndeployed(test, id).map(status)))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).isZero();
          // The server and the sender went with the pair
          assertThat(vertx.deploymentIDs()).isEmpty();
          String handed = log.linesContaining("the sender connects to port").get(0);
          String port = handed.substring(handed.lastIndexOf(' ') + 1);
          assertThat(log.lines()).anyMatch(line -> line.startsWith("INFO Sender connecting to 127.0.0.1:" + port + " "));
          // Not as if a user had overridden sender.port
          assertThat(log.lines()).noneMatch(line -> line.contains("sender.port"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("the one-JVM file rejects an unknown section and checks both sections")
  void validation() {
    EchoPairApplication app = new EchoPairApplication();
    assertThatThrownBy(() -> app.validate(new JsonObject().put("sendr", new JsonObject()), Overrides.none()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown section \"sendr\" (known sections: server, sender, cluster, management)");
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
