package io.echopair.sender;

import static io.echopair.sender.SenderTesting.deploy;
import static io.echopair.sender.SenderTesting.fastConf;
import static io.echopair.sender.SenderTesting.senderLog;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.testing.LogCapture;
import io.echopair.sender.TestEchoServer.Mode;
import io.vertx.core.Vertx;
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
class BackpressureTest {

  @RegisterExtension
  final LogCapture log = senderLog();

  @Test
  @DisplayName("With acks, writing waits at maxInFlight: a server that never echoes holds at most queueCapacity + maxInFlight frames")
  void inFlightIsBounded(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.SILENT)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 1).put("framesPerTick", 50)
            .put("queueCapacity", 100).put("maxInFlight", 100).put("drainTimeoutMs", 100)))
        .compose(sender -> log.awaitContaining("Queue full on stream 1").compose(full -> sender.stats()))
        .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
          assertThat(stats.sent()).isEqualTo(100);
          assertThat(stats.outstanding()).isEqualTo(200);
          assertThat(stats.dropped()).isEqualTo(stats.produced() - 200);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A server that stops reading fills the socket: writing waits for drain and the oldest frames are dropped")
  void socketBackpressure(Vertx vertx, VertxTestContext ctx) {
    int queueCapacity = 1000;
    TestEchoServer.start(vertx, Mode.NOT_READING)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 1).put("framesPerTick", 500)
            .put("acks", false).put("queueCapacity", queueCapacity).put("maxInFlight", 1_000_000).put("drainTimeoutMs", 100)))
        .compose(sender -> log.awaitAfter("Connected to", "Queue full on stream 1").compose(full -> sender.stats()))
        .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
          assertThat(stats.sent()).isPositive();
          assertThat(stats.dropped()).isPositive();
          assertThat(stats.completed() + stats.dropped() + stats.outstanding()).isEqualTo(stats.produced());
          // Vert.x 5 reports writeQueueFull once Netty holds 64 KB and 16 more writes wait in its own queue
          int framesPerBatch = Connection.MAX_BATCH_BYTES / 100;
          assertThat(stats.outstanding()).isPositive().isLessThanOrEqualTo(queueCapacity + 18L * framesPerBatch);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Without acks, maxInFlight bounds the frames whose write has not completed")
  void unflushedIsBounded(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.NOT_READING)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 1).put("framesPerTick", 500)
            .put("acks", false).put("queueCapacity", 1000).put("maxInFlight", 100).put("drainTimeoutMs", 100)))
        .compose(sender -> log.awaitAfter("Connected to", "Queue full on stream 1").compose(full -> sender.stats()))
        .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
          assertThat(stats.sent()).isPositive();
          assertThat(stats.outstanding()).isPositive().isLessThanOrEqualTo(1000L + 100L);
          ctx.completeNow();
        })));
  }
}
