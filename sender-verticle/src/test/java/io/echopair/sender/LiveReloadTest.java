package io.echopair.sender;

import static io.echopair.sender.SenderTesting.fastConf;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.LiveConfig;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.sender.TestEchoServer.Mode;
import io.echopair.sender.TestEchoServer.Received;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class LiveReloadTest {

  private static final long SCAN_PERIOD_MS = 100;

  /** LiveConfig says what a change did. */
  @RegisterExtension
  final LogCapture log = LogCapture.of(LiveConfig.class);

  @Test
  @DisplayName("A changed message and intervalMs apply at once; a changed port is logged as needing a restart")
  void appliesLiveKeysAndWarnsAboutOthers(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    Path file = dir.resolve("sender.json");
    TestEchoServer.start(vertx, Mode.ECHO).compose(server -> {
      JsonObject first = fastConf(server.port()).put("message", "first");
      JsonObject second = first.copy().put("message", "second").put("intervalMs", 10);
      JsonObject third = second.copy().put("port", server.port() + 1);
      SenderVerticle sender = new SenderVerticle(ConfigSource.file(file), Overrides.none(), SCAN_PERIOD_MS);
      return write(vertx, file, first)
          .compose(written -> vertx.deployVerticle(sender))
          .compose(deployed -> server.whenReceived(frames -> frames.stream().anyMatch(f -> f.text().equals("first"))))
          .compose(firstSeen -> write(vertx, file, second))
          .compose(written -> server.whenReceived(frames -> frames.stream().anyMatch(f -> f.text().equals("second"))))
          .compose(secondSeen -> log.awaitContaining("sender.intervalMs = 10 applied"))
          .compose(applied -> write(vertx, file, third))
          .compose(written -> log.awaitLine(line -> line.contains("sender.port")))
          .map(portLine -> {
            ctx.verify(() -> {
              assertThat(portLine).isEqualTo("WARN Configuration changed: sender.port = " + (server.port() + 1)
                  + " needs a restart; still using " + server.port());
              assertThat(log.lines()).contains("INFO Configuration changed: sender.message = \"second\" applied",
                  "INFO Configuration changed: sender.intervalMs = 10 applied");
              // Still sending to the old port, in order, without a gap when the message changed
              assertThat(server.received()).extracting(Received::sequence).isSorted().doesNotHaveDuplicates();
              assertThat(server.received()).extracting(Received::text).containsOnly("first", "second");
            });
            return portLine;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("A change that would not fit a frame is logged and ignored; the sender keeps its message")
  void ignoresInvalidChange(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    Path file = dir.resolve("sender.json");
    TestEchoServer.start(vertx, Mode.ECHO).compose(server -> {
      JsonObject first = fastConf(server.port()).put("message", "first");
      JsonObject tooLong = first.copy().put("message", "x".repeat(68));
      SenderVerticle sender = new SenderVerticle(ConfigSource.file(file), Overrides.none(), SCAN_PERIOD_MS);
      return write(vertx, file, first)
          .compose(written -> vertx.deployVerticle(sender))
          .compose(deployed -> server.whenReceived(1))
          .compose(seen -> write(vertx, file, tooLong))
          .compose(written -> log.awaitLine(line -> line.contains("Configuration change ignored")))
          .compose(ignored -> {
            int before = server.received().size();
            return server.whenReceived(before + 3).map(frames -> {
              ctx.verify(() -> {
                assertThat(ignored).startsWith("WARN Configuration change ignored: sender.message = \"xxx");
                assertThat(frames).extracting(Received::text).containsOnly("first");
              });
              return frames;
            });
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Void> write(Vertx vertx, Path file, JsonObject json) {
    return vertx.fileSystem().writeFile(file.toString(), json.toBuffer());
  }
}
