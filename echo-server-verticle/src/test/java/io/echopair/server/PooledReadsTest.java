package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.vertx.core.Future;
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

/**
 * The server reads into Netty's pooled buffers and gives every one back, on every path: {@link NettyLeaks}, which every
 * test class of this module runs with, fails the class if one is lost. This class drives the paths of a client that
 * takes none of its echoes: reads handled while its echoes pile up, reads held once the server stops reading it, and
 * the echoes lost when the server cuts it. ({@link EchoWriterTest} pins down an echo still queued in Vert.x then.)
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class PooledReadsTest extends ServerTestSupport {

  /** Small, so that the server stops reading the client early. */
  private static final int WRITE_QUEUE_MAX_BYTES = 4096;

  @Test
  @DisplayName("A client that takes no echoes, read, held and cut, leaves no pooled buffer behind")
  void clientThatTakesNoEchoes(Vertx vertx, VertxTestContext ctx) {
    log.atLevel(Level.DEBUG);
    // A small receive buffer, never read: the server's echoes pile up
    NetClient nonReader = vertx.createNetClient(new NetClientOptions().setReceiveBufferSize(4096));
    // The server cuts a client that takes no echoes for idleTimeoutSeconds
    JsonObject config = new JsonObject().put("writeQueueMaxBytes", WRITE_QUEUE_MAX_BYTES).put("logEvery", 0)
        .put("idleTimeoutSeconds", 1);
    // 150-byte writes: most reads end inside a frame, so a read's echoes are a run, a frame put together, a run
    Buffer frames = taggedFrames("gone", 0x90E, 100_000);
    deploy(vertx, config).onComplete(ctx.succeeding(server -> connect(nonReader, server.actualPort())
        .compose(socket -> {
          socket.pause();
          socket.exceptionHandler(failure -> { });
          Future<?> paused = log.awaitContaining("is not reading its echoes as fast as it sends: pausing reads");
          writeAll(socket, pieces(frames, 150));
          return paused.compose(stopped -> log.awaitContaining("disconnected (idle timeout, not reading its echoes)"));
        })
        .onComplete(ctx.succeeding(line -> ctx.verify(() -> {
          assertThat(server.stats().connectionsPausedForEchoes()).isZero();
          // The client's own unsent writes would hold up a graceful close
          nonReader.close().onComplete(closed -> ctx.completeNow());
        })))));
  }
}
