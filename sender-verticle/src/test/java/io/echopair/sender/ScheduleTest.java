package io.echopair.sender;

import static io.echopair.sender.SenderTesting.deploy;
import static io.echopair.sender.SenderTesting.fastConf;
import static io.echopair.sender.SenderTesting.range;
import static io.echopair.sender.SenderTesting.senderLog;
import static io.echopair.sender.SenderTesting.sequencesBySender;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.sender.TestEchoServer.Mode;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ScheduleTest {

  @RegisterExtension
  final LogCapture log = senderLog();

  @Test
  @DisplayName("200 connections on one schedule: each sends its sequence 1 to count in order, every frame acknowledged")
  void manyConnectionsKeepTheirOrder(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 50).put("framesPerTick", 3)
            .put("count", 12).put("connections", 200))
            .compose(SenderVerticle::completion)
            .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
              Map<Long, List<Long>> bySender = sequencesBySender(server.received());
              assertThat(status).isEqualTo(ExitStatus.OK);
              assertThat(bySender).hasSize(200);
              assertThat(bySender.values()).allSatisfy(sequence -> assertThat(sequence).isEqualTo(range(1, 12)));
              assertThat(log.lines()).contains("INFO Sender finished: produced 2400, acknowledged 2400, "
                  + "dropped on queue overflow 0, unacknowledged at exit 0");
              ctx.completeNow();
            }))));
  }

  @Test
  @DisplayName("With each stats line comes a Ticks line: how many connection ticks ran and how late, in ms")
  void reportsTheDrift(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 10).put("connections", 3)
            .put("statsIntervalMs", 200)))
        .compose(sender -> log.awaitLine(line -> line.startsWith("INFO Ticks: ") && !line.contains("n/a")))
        .onComplete(ctx.succeeding(line -> ctx.verify(() -> {
          ILoggingEvent ticks = log.events(message -> message.equals(line.substring("INFO ".length()))).get(0);
          assertThat(line).matches("INFO Ticks: \\d+, drift p50 \\d+\\.\\d\\d ms, p90 \\d+\\.\\d\\d ms, "
              + "p99 \\d+\\.\\d\\d ms, max \\d+\\.\\d\\d ms");
          long count = Long.parseLong(line.replaceFirst("INFO Ticks: (\\d+),.*", "$1"));
          // 3 connections every 10 ms for about 200 ms: more than one round
          assertThat(count).isGreaterThanOrEqualTo(6L);
          assertThat(LogCapture.fields(ticks)).containsEntry("ticks", count)
              .containsKeys("driftP50Ms", "driftP90Ms", "driftP99Ms", "driftMaxMs");
          ctx.completeNow();
        })));
  }
}
