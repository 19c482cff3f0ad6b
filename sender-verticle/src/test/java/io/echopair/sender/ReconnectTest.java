package io.echopair.sender;

import static io.echopair.sender.SenderTesting.deploy;
import static io.echopair.sender.SenderTesting.fastConf;
import static io.echopair.sender.SenderTesting.range;
import static io.echopair.sender.SenderTesting.senderLog;
import static io.echopair.sender.SenderTesting.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.sender.TestEchoServer.Mode;
import io.echopair.sender.TestEchoServer.Received;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ReconnectTest {

  @RegisterExtension
  final LogCapture log = senderLog();

  @Test
  @DisplayName("When the server goes away and comes back, the frames made meanwhile arrive after the reconnect, none missing")
  void reconnectsAndResends(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO).compose(server ->
        deploy(vertx, fastConf(server.port()).put("count", 20))
            .compose(sender -> server.whenReceived(5)
                .compose(firstFive -> server.closeHoldingPort())
                // Failed attempts: the server is really gone and ticks went on meanwhile
                .compose(closed -> log.awaitLine(line -> line.matches("WARN Reconnecting stream 1 in \\d+ ms \\(attempt 3\\): .*")))
                .compose(down -> server.listenAgain())
                .compose(up -> sender.completion())
                .compose(status -> sender.stats().map(stats -> {
                  List<Received> frames = server.received();
                  ctx.verify(() -> {
                    assertThat(status).isEqualTo(ExitStatus.OK);
                    assertThat(sequences(frames).stream().distinct().sorted().toList()).isEqualTo(range(1, 20));
                    // In order on each connection; a frame may come twice across connections (at-least-once)
                    Map<Integer, List<Long>> byConnection = frames.stream().collect(Collectors.groupingBy(
                        Received::connection, Collectors.mapping(Received::sequence, Collectors.toList())));
                    assertThat(byConnection).hasSizeGreaterThanOrEqualTo(2);
                    assertThat(byConnection.values()).allSatisfy(sequence -> assertThat(sequence).isSorted().doesNotHaveDuplicates());
                    assertThat(stats.reconnects()).isGreaterThanOrEqualTo(1);
                    assertThat(log.lines()).anyMatch(line -> line.startsWith("WARN Lost connection on stream 1 to 127.0.0.1:" + server.port()));
                  });
                  return stats;
                }))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("With the server down and queueCapacity 5, the oldest frames are dropped and only the newest 5 arrive later")
  void dropsOldestWhenQueueIsFull(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.reservePort(vertx, Mode.ECHO).compose(server ->
        deploy(vertx, fastConf(server.port()).put("intervalMs", 10).put("count", 12).put("queueCapacity", 5))
            .compose(sender -> log.awaitContaining("Produced 12 frames per connection")
                .compose(produced -> sender.stats())
                .compose(whileDown -> {
                  ctx.verify(() -> {
                    assertThat(whileDown.dropped()).isEqualTo(7);
                    assertThat(whileDown.outstanding()).isEqualTo(5);
                    assertThat(log.linesContaining("Queue full")).containsExactly(
                        "WARN Queue full on stream 1: dropping oldest frames");
                  });
                  return server.listenAgain();
                })
                .compose(up -> sender.completion())
                .map(status -> {
                  ctx.verify(() -> {
                    assertThat(status).as("frames were dropped").isEqualTo(ExitStatus.UNACKNOWLEDGED);
                    assertThat(sequences(server.received())).containsExactly(8L, 9L, 10L, 11L, 12L);
                    assertThat(log.lines()).contains(
                        "INFO Sender finished: produced 12, acknowledged 5, dropped on queue overflow 7, unacknowledged at exit 0");
                  });
                  return status;
                })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("A sender started while the server is down deploys anyway and keeps retrying")
  void startsWithoutServer(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.reservePort(vertx, Mode.ECHO).compose(server ->
        deploy(vertx, fastConf(server.port()))
            .compose(sender -> log.awaitLine(line -> line.matches("WARN Reconnecting stream 1 in \\d+ ms \\(attempt 3\\): .*"))
                .compose(retrying -> server.listenAgain())
                .compose(up -> server.whenReceived(1))
                .compose(frames -> log.awaitContaining("Connected to 127.0.0.1:" + server.port()))
                .compose(connected -> sender.stats())
                .map(stats -> {
                  ctx.verify(() -> assertThat(stats.reconnects()).isEqualTo(1));
                  return stats;
                })))
        .onComplete(ctx.succeedingThenComplete());
  }
}
