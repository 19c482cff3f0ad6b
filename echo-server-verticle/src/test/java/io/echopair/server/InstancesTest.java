package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class InstancesTest extends ServerTestSupport {

  private static final int STATS_INTERVAL_MS = 100;

  @Test
  @DisplayName("Two instances share one port 0 and one set of stats, which one of them reports")
  void twoInstancesShareAPortAndTheStats(Vertx vertx, VertxTestContext ctx) {
    List<EchoServerVerticle> instances = new CopyOnWriteArrayList<>();
    DeploymentOptions twoInstances = new DeploymentOptions()
        .setInstances(2)
        .setConfig(config(new JsonObject().put("statsIntervalMs", STATS_INTERVAL_MS)));
    vertx.deployVerticle(() -> {
      EchoServerVerticle instance = new EchoServerVerticle();
      instances.add(instance);
      return instance;
    }, twoInstances).compose(id -> {
      ctx.verify(() -> {
        assertThat(instances).hasSize(2);
        assertThat(instances.get(0).actualPort()).isPositive().isEqualTo(instances.get(1).actualPort());
        assertThat(instances.get(0).stats()).isSameAs(instances.get(1).stats());
      });
      int port = instances.get(0).actualPort();
      return Future.all(exchange(port, "first"), exchange(port, "second"));
    }).compose(exchanged -> log.await(
            line -> line.startsWith("Stats: 2 connections open, 2 accepted, 0 refused; in 20 frames")))
        .onComplete(ctx.succeeding(counted -> ctx.verify(() -> {
          // One instance reports for the deployment; a second reporter would log every line twice
          assertThat(instances).filteredOn(EchoServerVerticle::reportsStats).hasSize(1);
          assertThat(log.countContaining("Echo server listening on 127.0.0.1:" + instances.get(0).actualPort()))
              .isEqualTo(1);
          ctx.completeNow();
        })));
  }

  private Future<Buffer> exchange(int port, String name) {
    Buffer frames = taggedFrames(name, name.hashCode(), 10);
    return connect(clients, port)
        .compose(socket -> sendAndAwaitEcho(socket, frames))
        .map(echoed -> {
          if (!echoed.equals(frames)) {
            throw new AssertionError(name + ": echo differs from the frames sent");
          }
          return echoed;
        });
  }
}
