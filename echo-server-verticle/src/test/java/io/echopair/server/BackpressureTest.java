package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class BackpressureTest extends ServerTestSupport {

  private static final int WRITE_QUEUE_MAX_BYTES = 65_536;
  /** What the writer asks to send: far more than any buffer between it and the server holds. */
  private static final long WRITER_GOAL_BYTES = 256L * 1024 * 1024;
  /**
   * What the server may have read from a client that takes none of its echoes: the echoes sit in the server's write
   * queue, the server's kernel send buffer (at most tcp_wmem's maximum, 4 MB by default on Linux), the client's small
   * receive buffer and its paused Vert.x inbound queue (16 reads of up to 64 KB, and those of one more read loop).
   */
  private static final long SERVER_READ_BOUND_BYTES = tcpSendBufferMax() + 4L * 1024 * 1024 + WRITE_QUEUE_MAX_BYTES;

  private NetClient nonReaders;
  private NonReader writer;

  @BeforeEach
  void setUp(Vertx vertx) {
    // The server logs its pausing at DEBUG
    log.atLevel(Level.DEBUG);
    // A fixed small receive buffer: the kernel does not grow it for a client that does not read
    nonReaders = vertx.createNetClient(new NetClientOptions().setReceiveBufferSize(64 * 1024));
  }

  /**
   * The server goes first: closing the non-reader's client would wait for its unread writes, the server's stop cuts
   * the connection after closeTimeoutSeconds.
   */
  @AfterEach
  void tearDown(Vertx vertx, VertxTestContext ctx) {
    if (writer != null) {
      writer.stop();
    }
    Future.all(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
        .compose(undeployed -> nonReaders.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  private static long tcpSendBufferMax() {
    try {
      String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
      return Long.parseLong(wmem[2]);
    } catch (IOException | RuntimeException notLinux) {
      return 4L * 1024 * 1024;
    }
  }

  /** A client that writes {@link #WRITER_GOAL_BYTES} as fast as its own write queue allows and never reads. */
  private static final class NonReader {
    private final NetSocket socket;
    private final Buffer chunk = taggedFrames("flood", 0xF100D, 655);
    private long written;

    NonReader(NetSocket socket) {
      this.socket = socket;
      // Never read: Vert.x stops reading the socket once its inbound queue is full
      socket.pause();
      socket.exceptionHandler(failure -> { });
    }

    void stop() {
      written = WRITER_GOAL_BYTES;
    }

    void writeMore(Void ignored) {
      while (written < WRITER_GOAL_BYTES && !socket.writeQueueFull()) {
        socket.write(chunk.copy());
        written += chunk.length();
      }
      if (written < WRITER_GOAL_BYTES) {
        socket.drainHandler(this::writeMore);
      }
    }
  }

  @Test
  @DisplayName("A client that never reads its echoes is paused with bounded memory while another client is served")
  void clientThatNeverReadsIsPaused(Vertx vertx, VertxTestContext ctx) {
    JsonObject config = new JsonObject()
        .put("writeQueueMaxBytes", WRITE_QUEUE_MAX_BYTES)
        .put("logEvery", 0)
        .put("closeTimeoutSeconds", 1);
    Buffer frames = taggedFrames("served meanwhile", 0x5E4, 50);
    deploy(vertx, config).onComplete(ctx.succeeding(server -> {
      Promise<NonReader> flooding = Promise.promise();
      connect(nonReaders, server.actualPort()).onComplete(ctx.succeeding(socket -> {
        writer = new NonReader(socket);
        writer.writeMore(null);
        flooding.complete(writer);
      }));
      // Without backpressure the server never pauses and this never completes
      Future<?> paused = log.awaitContaining("is not reading its echoes as fast as it sends: pausing reads");
      Future.all(flooding.future(), paused)
          .compose(both -> connect(clients, server.actualPort()))
          .compose(socket -> sendAndAwaitEcho(socket, frames))
          // The kernel takes echoes until its buffers are full; then the non-reader stays paused. Until then the
          // server may resume and pause it again as echoes drain, so this waits for it and is not asked again below
          .compose(echoed -> when(vertx, () -> server.stats().connectionsPausedForEchoes() == 1).map(echoed))
          .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
            long readFromWriter = server.stats().bytesIn() - frames.length();
            System.out.printf("backpressure: server read %,d bytes from the non-reader, which wrote %,d%n",
                readFromWriter, writer.written);
            assertThat(echoed).isEqualTo(frames);
            assertThat(readFromWriter).isLessThan(SERVER_READ_BOUND_BYTES);
            assertThat(writer.written).as("bytes the non-reader could write").isLessThan(WRITER_GOAL_BYTES);
            ctx.completeNow();
          })));
    }));
  }
}
