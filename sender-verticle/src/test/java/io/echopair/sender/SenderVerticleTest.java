package io.echopair.sender;

import static io.echopair.sender.SenderTesting.deploy;
import static io.echopair.sender.SenderTesting.fastConf;
import static io.echopair.sender.SenderTesting.range;
import static io.echopair.sender.SenderTesting.senderLog;
import static io.echopair.sender.SenderTesting.sequences;
import static io.echopair.sender.SenderTesting.sequencesBySender;
import static io.echopair.runtime.testing.Undeployments.whenUndeployed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.sender.TestEchoServer.Mode;
import io.echopair.sender.TestEchoServer.Received;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class SenderVerticleTest {

  private static final Logger LOG = LoggerFactory.getLogger(SenderVerticleTest.class);

  @RegisterExtension
  final LogCapture log = senderLog();

  @Test
  @DisplayName("With count 5 the server gets sequences 1 to 5 in order, with the message and one sender id, and the run ends with 0")
  void sendsCountFramesAtTheInterval(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("count", 5))
            .compose(SenderVerticle::completion)
            .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
              List<Received> frames = server.received();
              assertThat(status).isEqualTo(ExitStatus.OK);
              assertThat(sequences(frames)).containsExactly(1L, 2L, 3L, 4L, 5L);
              assertThat(frames).extracting(Received::text).containsOnly("This Msg From Client");
              assertThat(frames).extracting(Received::senderId).containsOnly(frames.get(0).senderId());
              assertThat(frames.get(0).senderId()).isNotZero();
              assertThat(log.lines()).contains(
                  "INFO Sender connecting to 127.0.0.1:" + server.port()
                      + " (1 connection, a frame every 20 ms, 5 frames per connection)",
                  "INFO Sender finished: produced 5, acknowledged 5, dropped on queue overflow 0, unacknowledged at exit 0");
              assertThat(log.lines()).anyMatch(line -> line.matches(
                  "INFO Connected to 127\\.0\\.0\\.1:" + server.port() + " \\(stream 1, sender id [0-9a-f]{16}\\)"));
              assertThat(LogCapture.fields(log.events(line -> line.startsWith("Sender finished")).get(0)))
                  .containsExactlyInAnyOrderEntriesOf(Map.of("produced", 5L, "acknowledged", 5L, "dropped", 0L,
                      "unacknowledged", 0L));
              ctx.completeNow();
            }))));
  }

  @Test
  @DisplayName("The stats line reports sent frames, acknowledgements and RTT percentiles")
  void logsStats(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 10).put("statsIntervalMs", 100)))
        .compose(sender -> log.awaitLine(line -> line.contains("Stats:") && line.contains("RTT p50")))
        .onComplete(ctx.succeeding(line -> ctx.verify(() -> {
          ILoggingEvent stats = log.events(message -> message.equals(line.substring("INFO ".length()))).get(0);
          assertThat(LogCapture.fields(stats)).containsKeys("sent", "sentPerSecond", "acknowledged", "pending",
                  "rttP50Ms", "rttP90Ms", "rttP99Ms", "rttMaxMs")
              .containsEntry("dropped", 0L).containsEntry("reconnects", 0L)
              .containsEntry("sent", Long.parseLong(line.replaceFirst("INFO Stats: sent (\\d+) .*", "$1")));
          assertThat(line).matches("INFO Stats: sent \\d+ \\(\\d+\\.\\d/s\\), acknowledged \\d+, pending \\d+, "
              + "dropped 0, reconnects 0; RTT p50 \\d+\\.\\d\\d ms, p90 \\d+\\.\\d\\d ms, p99 \\d+\\.\\d\\d ms, "
              + "max \\d+\\.\\d\\d ms");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Without acks, a server that never answers still lets a counted run end with 0 once all is written")
  void withoutAcksWrittenIsDone(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.SILENT)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 10).put("count", 5).put("acks", false))
            .compose(SenderVerticle::completion)
            .compose(status -> server.whenReceived(5).map(frames -> {
              ctx.verify(() -> {
                assertThat(status).isEqualTo(ExitStatus.OK);
                assertThat(sequences(frames)).containsExactly(1L, 2L, 3L, 4L, 5L);
                assertThat(log.lines()).contains("INFO Sender finished: produced 5, written 5, dropped on queue overflow 0, unwritten at exit 0");
              });
              return frames;
            })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("With acks, a server that never answers ends a counted run with 3 after drainTimeoutMs")
  void withAcksSilenceIsUnacknowledged(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.SILENT)
        .compose(server -> deploy(vertx,
            fastConf(server.port()).put("intervalMs", 10).put("count", 5).put("drainTimeoutMs", 200)))
        .compose(SenderVerticle::completion)
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).isEqualTo(ExitStatus.UNACKNOWLEDGED);
          assertThat(log.lines()).contains(
              "INFO Produced 5 frames per connection; waiting up to 200 ms for the last echoes",
              "INFO Sender finished: produced 5, acknowledged 0, dropped on queue overflow 0, unacknowledged at exit 5");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Three connections are three streams: distinct sender ids, each with its own sequence 1 to count")
  void connectionsAreIndependentStreams(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 10).put("count", 5).put("connections", 3))
            .compose(SenderVerticle::completion)
            .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
              Map<Long, List<Long>> bySender = sequencesBySender(server.received());
              assertThat(status).isEqualTo(ExitStatus.OK);
              assertThat(bySender).hasSize(3);
              assertThat(bySender.values()).allSatisfy(sequence -> assertThat(sequence).isEqualTo(range(1, 5)));
              assertThat(log.lines()).contains("INFO Sender finished: produced 15, acknowledged 15, dropped on queue overflow 0, unacknowledged at exit 0");
              ctx.completeNow();
            }))));
  }

  @Test
  @DisplayName("As a load source (1 ms, 100 frames a tick, 2 connections, 2000 each) every frame is acknowledged")
  void loadSource(Vertx vertx, VertxTestContext ctx) {
    long started = System.nanoTime();
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> deploy(vertx, fastConf(server.port())
            .put("intervalMs", 1).put("framesPerTick", 100).put("count", 2000).put("connections", 2))
            .compose(sender -> sender.completion().compose(status -> sender.stats().map(stats -> {
              double seconds = (System.nanoTime() - started) / 1e9;
              LOG.info("Load source: {} frames acknowledged in {} s", stats.completed(), String.format("%.2f", seconds));
              ctx.verify(() -> {
                assertThat(status).isEqualTo(ExitStatus.OK);
                assertThat(stats.completed()).isEqualTo(4000);
                assertThat(stats.dropped()).isZero();
                assertThat(sequencesBySender(server.received()).values())
                    .allSatisfy(sequence -> assertThat(sequence).isEqualTo(range(1, 2000)));
              });
              return stats;
            }))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Echoes that match nothing in flight (repeated, corrupted, another sender's) are warned about and counted")
  void countsUnexpectedEchoes(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.MISBEHAVING)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("intervalMs", 10).put("count", 2)))
        .compose(sender -> sender.completion().compose(status -> sender.stats().map(stats -> {
          ctx.verify(() -> {
            assertThat(status).as("every frame got its real echo").isEqualTo(ExitStatus.OK);
            assertThat(stats.completed()).isEqualTo(2);
            assertThat(stats.unexpected()).isEqualTo(6);
            List<String> warnings = log.linesContaining("Unexpected echo on stream 1");
            assertThat(warnings).hasSize(5);
            assertThat(warnings.get(0)).startsWith("WARN Unexpected echo on stream 1: sequence 1 is not in flight: Frame[seq=1");
            assertThat(warnings.get(1)).startsWith("WARN Unexpected echo on stream 1: bad checksum: ");
            assertThat(warnings.get(2)).matches("WARN Unexpected echo on stream 1: sender id [0-9a-f]{16} is not this stream's: .*");
            assertThat(warnings.get(4)).endsWith("(further unexpected echoes on this connection are only counted)");
          });
          return stats;
        })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("A configuration the schema accepts but the frame cannot carry fails the deployment with a ConfigException, before any connection")
  void badConfigFailsDeployment(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("message", "é".repeat(34)))
            .onComplete(ctx.failing(error -> ctx.verify(() -> {
              assertThat(error)
                  .isInstanceOf(ConfigException.class)
                  .hasMessageStartingWith("sender.message = ")
                  .hasMessageEndingWith("message is 68 bytes in UTF-8; a 100-byte frame holds at most 67");
              assertThat(server.connections()).isZero();
              assertThat(vertx.deploymentIDs()).isEmpty();
              ctx.completeNow();
            }))));
  }

  @Test
  @DisplayName("Embedded with its configuration in DeploymentOptions, a bad value fails the deployment with the launcher's one-line message")
  void embeddedBadConfigFailsWithTheSameMessage(Vertx vertx, VertxTestContext ctx) {
    JsonObject json = new JsonObject().put("port", 70000);
    String launcherMessage = catchThrowableOfType(
        () -> new SenderApplication().validate(json, Overrides.none()), ConfigException.class).getMessage();
    vertx.deployVerticle(new SenderVerticle(), new DeploymentOptions().setConfig(json))
        .onComplete(ctx.failing(error -> ctx.verify(() -> {
          assertThat(error).isInstanceOf(ConfigException.class)
              .hasMessage(launcherMessage)
              .hasMessage("sender.port = 70000: must be between 1 and 65535");
          assertThat(vertx.deploymentIDs()).isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Embedded with its configuration in DeploymentOptions, a sender that reached its count undeploys itself")
  void finishedSenderUndeploysItself(Vertx vertx, VertxTestContext ctx) {
    Context test = vertx.getOrCreateContext();
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> {
          SenderVerticle sender = new SenderVerticle();
          return vertx.deployVerticle(sender, new DeploymentOptions().setConfig(fastConf(server.port()).put("count", 3)))
              .compose(id -> sender.completion()
                  .compose(status -> whenUndeployed(test, id).map(status)));
        })
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).isEqualTo(ExitStatus.OK);
          assertThat(log.linesContaining("Sender finished")).hasSize(1);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("With two instances, each sends its count and the deployment ends once both have finished")
  void instancesEndTogether(Vertx vertx, VertxTestContext ctx) {
    Context test = vertx.getOrCreateContext();
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> vertx.deployVerticle(SenderVerticle.class.getName(), new DeploymentOptions().setInstances(2)
                .setConfig(fastConf(server.port()).put("count", 20)))
            .compose(id -> whenUndeployed(test, id))
            .map(undeployed -> server.received()))
        .onComplete(ctx.succeeding(frames -> ctx.verify(() -> {
          assertThat(sequencesBySender(frames)).hasSize(2)
              .allSatisfy((id, sequence) -> assertThat(sequence).isEqualTo(range(1, 20)));
          assertThat(log.linesContaining("Sender finished")).hasSize(2)
              .allMatch(line -> line.endsWith("produced 20, acknowledged 20, dropped on queue overflow 0, unacknowledged at exit 0"));
          ctx.completeNow();
        })));
  }
}
