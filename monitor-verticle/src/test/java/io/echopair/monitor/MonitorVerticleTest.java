package io.echopair.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.ReceivedMessage;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class MonitorVerticleTest {

  /** How often a test's file is looked at. */
  private static final long SCAN_MS = 50;

  @RegisterExtension
  final LogCapture log = LogCapture.of("io.echopair");

  @TempDir
  Path dir;

  @Test
  @DisplayName("The monitor logs one line per published message, and a count line per interval")
  void logsTheStream(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("statsIntervalMs", 200))
        .compose(monitor -> {
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, message("3fa2b7c1", 17L).toJson());
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, message("0badcafe", null).toJson());
          return log.awaitContaining("Stats: 2 messages in the last");
        })
        .onComplete(ctx.succeeding(count -> ctx.verify(() -> {
          assertThat(log.lines()).contains(
              "INFO [server 3fa2b7c1] 127.0.0.1:53422 seq=17: This Msg From Client",
              "INFO [server 0badcafe] 127.0.0.1:53422: This Msg From Client");
          assertThat(count.getFormattedMessage()).contains("from 2 servers; 2 in total");
          assertThat(LogCapture.fields(count)).containsEntry("messages", 2L).containsEntry("servers", 2)
              .containsEntry("total", 2L).containsEntry("malformed", 0L)
              .containsKeys("seconds", "messagesPerSecond");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A message that is not a received message is named once, counted, and does not stop the monitor")
  void ignoresMalformed(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("statsIntervalMs", 200))
        .compose(monitor -> {
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, "hello");
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, new JsonObject().put("text", "no peer"));
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, message("3fa2b7c1", 1L).toJson());
          return log.awaitContaining("Stats: 1 messages in the last");
        })
        .onComplete(ctx.succeeding(count -> ctx.verify(() -> {
          assertThat(log.linesContaining("WARN")).singleElement().asString()
              .startsWith("WARN Ignoring a message on echopair.messages that is not a received message");
          assertThat(count.getFormattedMessage()).endsWith("1 in total, 2 malformed ignored");
          assertThat(LogCapture.fields(count)).containsEntry("total", 1L).containsEntry("malformed", 2L);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("With logEvery 0 only the count lines are logged")
  void logEveryZero(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("statsIntervalMs", 200).put("logEvery", 0))
        .compose(monitor -> {
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, message("3fa2b7c1", 1L).toJson());
          return log.awaitContaining("Stats: 1 messages in the last");
        })
        .onComplete(ctx.succeeding(count -> ctx.verify(() -> {
          assertThat(log.linesContaining("[server")).isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A changed logEvery applies at once; a changed statsIntervalMs is reported as needing a restart")
  void liveChange(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = Files.writeString(dir.resolve("monitor.json"), "{\"logEvery\": 1, \"statsIntervalMs\": 60000}");
    vertx.deployVerticle(new MonitorVerticle(ConfigSource.file(file), Overrides.none(), SCAN_MS))
        .compose(monitor -> {
          replace(file, "{\"logEvery\": 2, \"statsIntervalMs\": 500}");
          return log.awaitContaining("Configuration changed: monitor.logEvery = 2 applied");
        })
        .compose(applied -> {
          for (long seq = 1; seq <= 4; seq++) {
            vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, message("3fa2b7c1", seq).toJson());
          }
          return log.awaitContaining("seq=4:");
        })
        .onComplete(ctx.succeeding(fourth -> ctx.verify(() -> {
          assertThat(log.linesContaining("[server")).as("every second message")
              .containsExactly("INFO [server 3fa2b7c1] 127.0.0.1:53422 seq=2: This Msg From Client",
                  "INFO [server 3fa2b7c1] 127.0.0.1:53422 seq=4: This Msg From Client");
          assertThat(log.lines()).contains(
              "WARN Configuration changed: monitor.statsIntervalMs = 500 needs a restart; still using 60000");
          assertThat(log.linesContaining("Stats:")).as("the interval in use stays 60 s").isEmpty();
          ctx.completeNow();
        })));
  }

  /** Replaces the file in one step, so that a scan never reads it half written. */
  private void replace(Path file, String content) {
    try {
      Files.move(Files.writeString(dir.resolve("next.json"), content), file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Future<String> deploy(Vertx vertx, JsonObject conf) {
    return vertx.deployVerticle(new MonitorVerticle(ConfigSource.inline(conf), Overrides.none(), SCAN_MS));
  }

  private static ReceivedMessage message(String serverId, Long sequence) {
    return new ReceivedMessage("This Msg From Client", sequence, sequence == null ? null : "00000000c0ffee00",
        "127.0.0.1:53422", serverId, Instant.now());
  }
}
