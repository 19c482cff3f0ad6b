package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DisconnectTest extends ServerTestSupport {

  @Test
  @DisplayName("A client that closes is logged as 'peer closed' with its frame count and the incomplete frame it left")
  void peerClosedWithIncompleteFrame(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("before leaving", 21, 3);
    Buffer partial = taggedFrames("cut short", 21, 1).getBuffer(0, 17);
    deploy(vertx, new JsonObject()).compose(server -> connect(clients, server.actualPort())).compose(socket -> {
      String peer = "127.0.0.1:" + socket.localAddress().port();
      EchoCollector echo = EchoCollector.on(socket, frames.length());
      socket.write(Buffer.buffer().appendBuffer(frames).appendBuffer(partial));
      return echo.future()
          .compose(echoed -> socket.close())
          .compose(closed -> log.await(line -> line.startsWith("Client " + peer + " disconnected")));
    }).onComplete(ctx.succeeding(line -> ctx.verify(() -> {
      assertThat(line.getFormattedMessage()).matches(
          "Client 127\\.0\\.0\\.1:\\d+ disconnected \\(peer closed\\): 3 frames in \\d+\\.\\d s, "
              + "17 bytes of an incomplete frame discarded");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A client that sends nothing for idleTimeoutSeconds is closed after that long, not sooner, and logged "
      + "as 'idle timeout'")
  void idleClientIsClosed(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("then silence", 22, 2);
    Promise<Buffer> echoed = Promise.promise();
    long[] connectedAt = new long[1];
    long[] closedAt = new long[1];
    deploy(vertx, new JsonObject().put("idleTimeoutSeconds", 1)).compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> {
          connectedAt[0] = System.nanoTime();
          Promise<Void> closedByServer = Promise.promise();
          socket.closeHandler(closed -> {
            closedAt[0] = System.nanoTime();
            closedByServer.complete();
          });
          EchoCollector echo = EchoCollector.on(socket, frames.length());
          echo.future().onComplete(echoed);
          socket.write(frames);
          return Future.all(echoed.future(), closedByServer.future());
        })
        .compose(echoedAndClosed -> log.awaitContaining("disconnected (idle timeout)"))
        .onComplete(ctx.succeeding(line -> ctx.verify(() -> {
          assertThat(echoed.future().result()).isEqualTo(frames);
          assertThat(line.getFormattedMessage())
              .matches("Client 127\\.0\\.0\\.1:\\d+ disconnected \\(idle timeout\\): 2 frames in \\d+\\.\\d s");
          // The server's idle clock starts at its last read of our frames or write of their echoes, after connectedAt:
          // the full second must have passed. Its sweep runs every 250 ms here; the upper bound allows a slow machine.
          assertThat(TimeUnit.NANOSECONDS.toMillis(closedAt[0] - connectedAt[0]))
              .as("milliseconds from connect to the server's close")
              .isGreaterThanOrEqualTo(1000)
              .isLessThan(10_000);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A client that resets its connection is logged as 'reset by peer'")
  void resetByPeer(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("abortive close", 23, 1);
    // SO_LINGER 0 makes close() send a RST instead of a FIN
    NetClient resetting = vertx.createNetClient(new NetClientOptions().setSoLinger(0));
    deploy(vertx, new JsonObject()).compose(server -> connect(resetting, server.actualPort())).compose(socket -> {
      return sendAndAwaitEcho(socket, frames)
          .compose(echoed -> socket.close())
          .compose(closed -> log.awaitContaining(" disconnected ("));
    }).eventually(resetting::close).onComplete(ctx.succeeding(line -> ctx.verify(() -> {
      assertThat(line.getFormattedMessage())
          .matches("Client 127\\.0\\.0\\.1:\\d+ disconnected \\(reset by peer\\): 1 frames in \\d+\\.\\d s");
      ctx.completeNow();
    })));
  }
}
