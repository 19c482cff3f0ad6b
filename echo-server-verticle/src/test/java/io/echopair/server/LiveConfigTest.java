package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.LiveConfig;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
class LiveConfigTest extends ServerTestSupport {

  private static final long SCAN_PERIOD_MS = 100;

  /** The lines of the one helper that applies live changes, for the server as for the other pieces. */
  @RegisterExtension
  final LogCapture changes = LogCapture.of(LiveConfig.class);

  @Test
  @DisplayName("A changed file applies logEvery and statsIntervalMs at once and warns that port and echo need a restart")
  void changedFileAppliesLiveKeysAndWarnsAboutTheOthers(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    Path file = dir.resolve("echo-server.json");
    JsonObject initial = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("statsIntervalMs", 60_000);
    JsonObject changed = initial.copy().put("port", 7778).put("echo", false).put("logEvery", 0)
        .put("statsIntervalMs", 100);
    Buffer frames = taggedFrames("after the change", 31, 2);
    EchoServerVerticle server = new EchoServerVerticle(ConfigSource.file(file), SCAN_PERIOD_MS);
    vertx.fileSystem().writeFile(file.toString(), initial.toBuffer())
        .compose(written -> vertx.deployVerticle(server))
        .compose(deployed -> vertx.fileSystem().writeFile(file.toString(), changed.toBuffer()))
        .compose(rewritten -> Future.all(
            changes.awaitContaining("Configuration changed: server.port = 7778 needs a restart; still using 0"),
            changes.awaitContaining("Configuration changed: server.echo = false needs a restart; still using true"),
            changes.awaitContaining("Configuration changed: server.logEvery = 0 applied"),
            changes.awaitContaining("Configuration changed: server.statsIntervalMs = 100 applied")))
        // Every 100 ms now instead of every minute
        .compose(logged -> log.await(line -> line.startsWith("Stats: "), 2))
        .compose(stats -> connect(clients, server.actualPort()))
        .compose(socket -> sendAndAwaitEcho(socket, frames))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          // Still echoing (echo needs a restart) but no longer logging frames (logEvery applied)
          assertThat(echoed).isEqualTo(frames);
          assertThat(log.messages()).noneMatch(line -> line.startsWith("Recv Msg : "));
          assertThat(server.settings().logEvery()).isZero();
          assertThat(server.settings().echo()).isTrue();
          assertThat(changes.events(line -> line.contains("needs a restart")))
              .allMatch(event -> event.getLevel().toString().equals("WARN"))
              .hasSize(2);
          ctx.completeNow();
        })));
  }
}
