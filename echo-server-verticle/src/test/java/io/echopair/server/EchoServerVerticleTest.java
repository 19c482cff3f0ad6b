package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EchoServerVerticleTest extends ServerTestSupport {

  private static final int CLIENTS = 5;
  private static final int FRAMES_PER_CLIENT = 50;

  /** What one client sent and got back, and the address the server knows it by. */
  private record Exchange(int client, String peer, Buffer sent, Buffer echoed) {
  }

  @Test
  @DisplayName("Five clients at once each get exactly their own frames back, however their writes are cut")
  void severalClientsGetTheirOwnFramesBack(Vertx vertx, VertxTestContext ctx) {
    // single bytes, odd pieces, everything coalesced, frames cut in halves, a mix
    int[][] writeSizes = {{1}, {1, 7, 13, 99, 101, 37, 263}, {FRAMES_PER_CLIENT * 100}, {250}, {1, 1, 3, 997, 5000}};
    deploy(vertx, new JsonObject()).compose(server -> {
      List<Future<Exchange>> exchanges = new ArrayList<>();
      for (int client = 0; client < CLIENTS; client++) {
        exchanges.add(exchange(vertx, server.actualPort(), client, writeSizes[client]));
      }
      return Future.all(exchanges).map(all -> all.<Exchange>list());
    }).onComplete(ctx.succeeding(exchanges -> ctx.verify(() -> {
      for (Exchange exchange : exchanges) {
        assertThat(exchange.echoed()).as("echo of client %d", exchange.client()).isEqualTo(exchange.sent());
        for (int seq = 1; seq <= FRAMES_PER_CLIENT; seq++) {
          String line = "Recv Msg : client " + exchange.client() + " frame " + seq
              + " (peer " + exchange.peer() + ", seq=" + seq + ")";
          assertThat(log.count(line::equals)).as(line).isEqualTo(1);
        }
      }
      assertThat(log.countContaining("Recv Msg : ")).isEqualTo(CLIENTS * FRAMES_PER_CLIENT);
      ctx.completeNow();
    })));
  }

  /** One client: sends its frames in pieces of the given sizes and collects the echo. */
  private Future<Exchange> exchange(Vertx vertx, int port, int client, int[] writeSizes) {
    Buffer frames = taggedFrames("client " + client + " frame", 0x1000 + client, FRAMES_PER_CLIENT);
    return connect(clients, port).compose(socket -> {
      EchoCollector echo = EchoCollector.on(socket, frames.length());
      String peer = "127.0.0.1:" + socket.localAddress().port();
      return writeAll(socket, pieces(frames, writeSizes))
          .compose(written -> echo.future())
          .map(echoed -> new Exchange(client, peer, frames, echoed))
          .eventually(socket::close);
    });
  }

  @Test
  @DisplayName("A frame from the seed's client is logged with the seed's words and echoed")
  void seedFrameIsLoggedAndEchoed(Vertx vertx, VertxTestContext ctx) {
    Buffer frame = seedFrame("This Msg From Client");
    deploy(vertx, new JsonObject()).compose(server -> connect(clients, server.actualPort())).compose(socket -> {
      EchoCollector echo = EchoCollector.on(socket, frame.length());
      socket.write(frame);
      String peer = "127.0.0.1:" + socket.localAddress().port();
      return echo.future().onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
        assertThat(echoed).isEqualTo(frame);
        assertThat(log.messages()).contains("Recv Msg : This Msg From Client (peer " + peer + ")");
        ctx.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("Control characters and bytes that are not UTF-8 are logged escaped on one line")
  void unprintableTextIsEscaped(Vertx vertx, VertxTestContext ctx) {
    byte[] text = {'a', '\n', 'b', '\t', 'c', 0x07, '\\', (byte) 0xC3, '(', (byte) 0xFF, 'z'};
    Buffer frame = tagged(text, 7, 1);
    deploy(vertx, new JsonObject()).compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> sendAndAwaitEcho(socket, frame))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(echoed).isEqualTo(frame);
          List<String> lines = log.messages().stream().filter(line -> line.startsWith("Recv Msg : ")).toList();
          assertThat(lines).hasSize(1);
          assertThat(lines.get(0))
              .startsWith("Recv Msg : a\\nb\\tc\\u0007\\\\\\xC3(\\xFFz (peer 127.0.0.1:")
              .endsWith(", seq=1)")
              .doesNotContain("\n", "\t", "\u0007");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A frame whose checksum does not match is logged as corrupt and not echoed; the next one is")
  void corruptFrameIsNotEchoed(Vertx vertx, VertxTestContext ctx) {
    Buffer corrupt = tagged("damaged on the way", 9, 1);
    corrupt.setByte(3, (byte) (corrupt.getByte(3) ^ 0x20));
    Buffer good = tagged("arrived intact", 9, 2);
    deploy(vertx, new JsonObject()).compose(server -> connect(clients, server.actualPort())).compose(socket -> {
      EchoCollector echo = EchoCollector.on(socket, good.length());
      socket.write(Buffer.buffer().appendBuffer(corrupt).appendBuffer(good));
      String peer = "127.0.0.1:" + socket.localAddress().port();
      return echo.future().onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
        // Echoes keep the order of the frames: an echoed corrupt frame would come first
        assertThat(echoed).isEqualTo(good);
        assertThat(log.messages())
            .contains("Corrupt frame from " + peer + " (seq=1): checksum mismatch, not echoed")
            .contains("Recv Msg : arrived intact (peer " + peer + ", seq=2)")
            .noneMatch(line -> line.startsWith("Recv Msg : ") && line.endsWith("seq=1)"));
        ctx.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("With logEvery 0 no frame is logged, and the stats still count every frame")
  void logEveryZeroLogsNoFrame(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("quiet", 11, 20);
    deploy(vertx, new JsonObject().put("logEvery", 0)).compose(server -> connect(clients, server.actualPort())
        .compose(socket -> sendAndAwaitEcho(socket, frames))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(echoed).isEqualTo(frames);
          assertThat(log.messages()).noneMatch(line -> line.startsWith("Recv Msg : "));
          assertThat(server.stats().snapshot().framesIn()).isEqualTo(20);
          assertThat(server.stats().snapshot().framesOut()).isEqualTo(20);
          ctx.completeNow();
        }))));
  }

  @Test
  @DisplayName("With logEvery 10 only every tenth frame of a connection is logged")
  void logEveryTenLogsEveryTenthFrame(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("sampled", 12, 30);
    deploy(vertx, new JsonObject().put("logEvery", 10)).compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> sendAndAwaitEcho(socket, frames))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(log.messages().stream().filter(line -> line.startsWith("Recv Msg : ")))
              .hasSize(3)
              .allMatch(line -> line.matches("Recv Msg : sampled (10|20|30) \\(peer .*, seq=\\1\\)"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("With echo off frames are logged and counted but nothing is written back")
  void echoOffWritesNothing(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("silent", 13, 3);
    deploy(vertx, new JsonObject().put("echo", false)).compose(server -> connect(clients, server.actualPort())
        .compose(socket -> {
          socket.write(frames);
          socket.close();
          // Logged after the server handled every frame of the connection
          return log.awaitContaining("disconnected (peer closed): 3 frames");
        })
        .onComplete(ctx.succeeding(disconnected -> ctx.verify(() -> {
          assertThat(log.messages().stream().filter(line -> line.startsWith("Recv Msg : silent"))).hasSize(3);
          assertThat(server.stats().snapshot().framesIn()).isEqualTo(3);
          assertThat(server.stats().snapshot().framesOut()).isZero();
          assertThat(server.stats().snapshot().bytesOut()).isZero();
          ctx.completeNow();
        }))));
  }
}
