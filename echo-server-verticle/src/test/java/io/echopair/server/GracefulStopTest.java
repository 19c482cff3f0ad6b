package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class GracefulStopTest extends ServerTestSupport {

  /** 10 MB: more than the kernel buffers hold, so part of the echoes waits in the server's write queue. */
  private static final int FRAMES = 100_000;

  /** A small receive buffer keeps most of the echoes queued in the server while the client does not read. */
  @Override
  NetClientOptions clientOptions() {
    return new NetClientOptions().setReceiveBufferSize(64 * 1024);
  }

  @Test
  @DisplayName("Undeploying flushes the pending echoes before closing, then logs the final stats")
  void undeployFlushesPendingEchoes(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("before the stop", 0x570B, FRAMES);
    // Large enough that the server reads every frame without pausing; logs only the last frame.
    // Checked: with closeTimeoutSeconds 0 (cut at once) the client misses echoes and this test fails.
    JsonObject config = new JsonObject().put("writeQueueMaxBytes", 16 * 1024 * 1024).put("logEvery", FRAMES);
    Promise<Void> clientClosed = Promise.promise();
    deploy(vertx, config).compose(server -> connect(clients, server.actualPort()).compose(socket -> {
      socket.pause();
      EchoCollector echo = EchoCollector.on(socket, frames.length());
      // Collected before the close: the close handler sees whether every echo came first
      socket.closeHandler(closed -> clientClosed.complete());
      return writeAll(socket, pieces(frames, 64 * 1024))
          .compose(written -> log.await(line -> line.startsWith("Recv Msg : before the stop " + FRAMES + " ")))
          .compose(allReceived -> {
            Future<Void> undeployed = vertx.undeploy(server.deploymentID());
            socket.resume();
            return Future.all(undeployed, echo.future(), clientClosed.future()).map(done -> echo);
          });
    })).onComplete(ctx.succeeding(echo -> ctx.verify(() -> {
      assertThat(echo.future().result()).isEqualTo(frames);
      List<String> lines = log.messages();
      String disconnect = lines.stream().filter(line -> line.contains(" disconnected (")).findFirst().orElseThrow();
      assertThat(disconnect).matches("Client 127\\.0\\.0\\.1:\\d+ disconnected \\(server stopping\\): "
          + FRAMES + " frames in \\d+\\.\\d s");
      assertThat(lines.get(lines.size() - 1))
          .startsWith("Final stats: 0 connections open, 1 accepted, 0 refused; in " + FRAMES + " frames (")
          .contains("out " + FRAMES + " frames (")
          .endsWith("; 0 corrupt, 0 undecodable; 0 duplicates, 0 gaps, 1 sender tracked");
      // The same figures as fields, which JSON lines write
      assertThat(LogCapture.fields(log.events(line -> line.startsWith("Final stats: ")).get(0)))
          .containsEntry("connections", 0L).containsEntry("accepted", 1L).containsEntry("refused", 0L)
          .containsEntry("framesIn", (long) FRAMES).containsEntry("bytesIn", (long) frames.length())
          .containsEntry("framesOut", (long) FRAMES).containsEntry("bytesOut", (long) frames.length())
          .containsEntry("corrupt", 0L).containsEntry("undecodable", 0L).containsEntry("duplicates", 0L)
          .containsEntry("gaps", 0L).containsEntry("trackedSenders", 1)
          .hasEntrySatisfying("framesInPerSecond", rate -> assertThat((Double) rate).isPositive());
      assertThat(vertx.sharedData().getLocalMap("io.echopair.server.stats")).isEmpty();
      assertThat(vertx.sharedData().getLocalMap("io.echopair.server.ledger")).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A client that never reads cannot hold the stop longer than closeTimeoutSeconds")
  void clientThatNeverReadsIsCutAtStop(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("never read", 0xDEAF, FRAMES);
    JsonObject config = new JsonObject()
        .put("writeQueueMaxBytes", 16 * 1024 * 1024)
        .put("logEvery", FRAMES)
        .put("closeTimeoutSeconds", 1);
    deploy(vertx, config).compose(server -> connect(clients, server.actualPort()).compose(socket -> {
      socket.pause();
      return writeAll(socket, pieces(frames, 64 * 1024))
          .compose(written -> log.await(line -> line.startsWith("Recv Msg : never read " + FRAMES + " ")))
          .compose(allReceived -> vertx.undeploy(server.deploymentID()));
    })).onComplete(ctx.succeeding(undeployed -> ctx.verify(() -> {
      assertThat(log.messages())
          .anyMatch(line -> line.matches("Client 127\\.0\\.0\\.1:\\d+ disconnected \\(server stopping\\): "
              + FRAMES + " frames in \\d+\\.\\d s, echoes not flushed within 1 s dropped"))
          .last().asString().startsWith("Final stats: 0 connections open, 1 accepted, 0 refused;");
      ctx.completeNow();
    })));
  }
}
