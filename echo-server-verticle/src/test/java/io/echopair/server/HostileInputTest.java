package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that send what no client makes: random bytes, a stream out of step with the frames, damaged frames. Each
 * costs a bounded number of log lines, none of it is logged or echoed as a message, and garbage closes the connection.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class HostileInputTest extends ServerTestSupport {

  @Test
  @DisplayName("A megabyte of random bytes is a few WARN lines, no message and no echo, and closes as garbage")
  void randomBytesCloseTheConnection(Vertx vertx, VertxTestContext ctx) {
    byte[] noise = new byte[1 << 20];
    new Random(7).nextBytes(noise);
    deploy(vertx, new JsonObject())
        .compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> sendUntilClosed(socket, Buffer.buffer(noise)))
        .compose(echoed -> log.await(line -> line.contains("disconnected")).map(echoed))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(echoed).as("echo bytes").isZero();
          assertThat(log.countContaining("Recv Msg")).isZero();
          assertThat(log.linesContaining("Undecodable frame from 127.0.0.1:")).hasSize(FrameIntake.BAD_FRAME_LINES);
          assertThat(log.linesContaining("disconnected")).singleElement().asString().contains(
              "(mostly garbage: " + FrameIntake.GARBAGE_SCORE + " of " + FrameIntake.GARBAGE_SCORE
                  + " frames undecodable or corrupt)");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("One stray byte puts every later frame out of step: the connection closes as garbage, logging none")
  void misalignedStreamCloses(Vertx vertx, VertxTestContext ctx) {
    Buffer shifted = Buffer.buffer(new byte[] {42}).appendBuffer(taggedFrames("shifted", 0x5A, 200));
    deploy(vertx, new JsonObject())
        .compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> sendUntilClosed(socket, shifted))
        .compose(echoed -> log.await(line -> line.contains("disconnected")).map(echoed))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(echoed).isZero();
          assertThat(log.countContaining("Recv Msg")).isZero();
          assertThat(log.countContaining("Undecodable frame")).isEqualTo(FrameIntake.BAD_FRAME_LINES);
          assertThat(log.linesContaining("disconnected")).singleElement().asString().contains("mostly garbage");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Damaged frames among good ones are logged at a bounded rate, counted, and keep the connection open")
  void occasionalCorruptionIsRateLimited(Vertx vertx, VertxTestContext ctx) {
    Buffer mixed = Buffer.buffer();
    Buffer expectedEcho = Buffer.buffer();
    for (int seq = 1; seq <= 160; seq++) {
      Buffer frame = tagged("mixed " + seq, 0x3C, seq);
      if (seq % 4 == 0) {
        // Damaged on the way: the checksum no longer matches
        frame.setByte(3, (byte) (frame.getByte(3) ^ 0x20));
      } else {
        expectedEcho.appendBuffer(frame);
      }
      mixed.appendBuffer(frame);
    }
    deploy(vertx, new JsonObject())
        .compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> {
          EchoCollector echo = EchoCollector.on(socket, expectedEcho.length());
          socket.write(mixed);
          return echo.future().eventually(socket::close);
        })
        .compose(echoed -> log.await(line -> line.contains("disconnected")).map(echoed))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(echoed).isEqualTo(expectedEcho);
          assertThat(log.countContaining("Recv Msg")).isEqualTo(120);
          assertThat(log.countContaining("Corrupt frame from")).isEqualTo(FrameIntake.BAD_FRAME_LINES);
          assertThat(log.linesContaining("disconnected")).singleElement().asString()
              .contains("(peer closed): 160 frames")
              .contains("40 corrupt, " + (40 - FrameIntake.BAD_FRAME_LINES) + " warnings not logged");
          ctx.completeNow();
        })));
  }

  /** Writes {@code bytes} and completes with the number of bytes echoed once the server has closed the connection. */
  private static Future<Integer> sendUntilClosed(NetSocket socket, Buffer bytes) {
    Promise<Integer> closed = Promise.promise();
    int[] echoed = {0};
    socket.handler(chunk -> echoed[0] += chunk.length())
        .exceptionHandler(failure -> { })
        .closeHandler(v -> closed.complete(echoed[0]));
    writeAll(socket, pieces(bytes, 64 * 1024));
    return closed.future();
  }
}
