package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that try to hold the server's resources: too many connections, a frame that never ends, a flood that is
 * never read back. Each is refused or closed, and costs a bounded amount.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class HostileConnectionsTest extends ServerTestSupport {

  private static final int WRITE_QUEUE_MAX_BYTES = 65_536;
  /** What one read can bring: Netty reads at most 64 KB at a time. */
  private static final int ONE_READ = 64 * 1024;

  /** Connects from 127.0.0.2: another address on the same machine. */
  private NetClient elsewhere;
  /** A Vert.x of the test's own, with metrics on, closed after the test. */
  private Vertx metered;

  @BeforeEach
  void createElsewhere(Vertx vertx) {
    elsewhere = vertx.createNetClient(new NetClientOptions().setLocalAddress("127.0.0.2"));
  }

  @AfterEach
  void closeMetered() throws Exception {
    if (metered != null) {
      metered.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("Beyond maxConnectionsPerAddress a connection is refused, nothing it sends gets through, other addresses still connect")
  void perAddressLimit(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("maxConnectionsPerAddress", 2)).compose(server -> {
      int port = server.actualPort();
      return echoed(clients, port, "first").compose(first -> echoed(clients, port, "second"))
          .compose(second -> refused(clients, port, "third"))
          .compose(third -> echoed(elsewhere, port, "from elsewhere"))
          .map(server);
    }).onComplete(ctx.succeeding(server -> ctx.verify(() -> {
      assertThat(log.messages()).noneMatch(line -> line.startsWith("Recv Msg : third"));
      assertThat(log.linesContaining("Refused client")).singleElement().asString()
          .matches("WARN Refused client 127\\.0\\.0\\.1:\\d+: 2 connections from 127\\.0\\.0\\.1 open "
              + "\\(maxConnectionsPerAddress\\)");
      assertThat(server.stats().snapshot().refused()).isEqualTo(1);
      assertThat(server.stats().open()).isEqualTo(3);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("Beyond maxConnections any address is refused; a burst of refusals is one line a second")
  void totalLimitAndRateLimitedRefusals(Vertx vertx, VertxTestContext ctx) {
    long started = System.nanoTime();
    deploy(vertx, new JsonObject().put("maxConnections", 2)).compose(server -> {
      int port = server.actualPort();
      Future<Void> refusals = echoed(clients, port, "one").compose(one -> echoed(elsewhere, port, "two"))
          .compose(two -> Future.succeededFuture());
      for (int i = 0; i < 20; i++) {
        refusals = refusals.compose(previous -> refused(elsewhere, port, "refused"));
      }
      return refusals.map(server);
    }).onComplete(ctx.succeeding(server -> ctx.verify(() -> {
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      assertThat(log.messages()).noneMatch(line -> line.startsWith("Recv Msg : refused"));
      assertThat(server.stats().snapshot().refused()).isEqualTo(20);
      List<String> lines = log.linesContaining("Refused client");
      assertThat(lines).hasSizeBetween(1, (int) seconds + 2);
      assertThat(lines.get(0)).contains(": 2 connections open (maxConnections)");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A frame that is never finished closes the connection after frameTimeoutSeconds, even while bytes drip in")
  void frameTimeout(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("frameTimeoutSeconds", 1).put("idleTimeoutSeconds", 60))
        .compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> {
          Promise<Void> closed = Promise.promise();
          socket.closeHandler(closed::complete);
          socket.write(Buffer.buffer(new byte[37]).setString(0, "partial"));
          // One byte every 100 ms keeps it from being idle, never completes the frame in time
          long drip = vertx.setPeriodic(100, id -> socket.write(Buffer.buffer(new byte[] {'x'})));
          return closed.future().eventually(() -> {
            vertx.cancelTimer(drip);
            return Future.succeededFuture();
          });
        })
        .compose(closed -> log.await(line -> line.contains("disconnected")))
        .onComplete(ctx.succeeding(line -> ctx.verify(() -> {
          assertThat(line.getFormattedMessage())
              .matches("Client 127\\.0\\.0\\.1:\\d+ disconnected \\(frame timeout: \\d+ of 100 bytes of a frame in 1 s\\)"
                  + ": 0 frames in [\\d.]+ s, \\d+ bytes of an incomplete frame discarded");
          assertThat(log.countContaining("Recv Msg")).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A silent connection is closed by the idle timeout, which is on by default")
  void idleTimeoutIsOnByDefault(Vertx vertx, VertxTestContext ctx) {
    assertThat(ServerConfig.SCHEMA.defaultValue("idleTimeoutSeconds")).isEqualTo(60);
    deploy(vertx, new JsonObject().put("idleTimeoutSeconds", 1))
        .compose(server -> connect(clients, server.actualPort()))
        .compose(silent -> log.await(line -> line.contains("disconnected")))
        .onComplete(ctx.succeeding(line -> ctx.verify(() -> {
          assertThat(line.getFormattedMessage()).contains("disconnected (idle timeout)");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A client that floods and never reads is not read at all once paused, and holds at most the write queue and one read")
  void nonReaderCostsTheWriteQueueAndOneRead(VertxTestContext ctx) {
    // Vert.x's metrics count every byte Netty reads from a socket, also those Vert.x would queue and not hand over
    AtomicLong socketBytesRead = new AtomicLong();
    Vertx vertx = metered = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MetricsOptions().setEnabled(true)))
        .withMetrics(options -> new VertxMetrics() {
          @Override
          public TCPMetrics<?> createNetServerMetrics(NetServerOptions server, SocketAddress local) {
            return new TCPMetrics<Void>() {
              @Override
              public void bytesRead(Void socket, SocketAddress remote, long bytes) {
                socketBytesRead.addAndGet(bytes);
              }
            };
          }
        })
        .build();
    JsonObject config = new JsonObject().put("writeQueueMaxBytes", WRITE_QUEUE_MAX_BYTES).put("logEvery", 0)
        .put("closeTimeoutSeconds", 1);
    NetClient nonReaders = vertx.createNetClient(new NetClientOptions().setReceiveBufferSize(64 * 1024));
    deploy(vertx, config).compose(server -> connect(nonReaders, server.actualPort())
        .compose(socket -> {
          flood(socket);
          // The kernel takes echoes until its buffers are full: then the server stops reading the client for good
          return settled(vertx, socketBytesRead::get);
        })
        .compose(settled -> readings(vertx, 25, socketBytesRead::get))
        .compose(read -> server.retainedBytesPerConnection().map(retained -> {
          ctx.verify(() -> {
            assertThat(server.stats().connectionsPausedForEchoes()).isEqualTo(1);
            assertThat(read).as("bytes read from the socket while it is paused").containsOnly(read.get(0));
            // Vert.x reports the bytes of the last reads a little later: the two counts differ by less than a read
            assertThat(read.get(0) - server.stats().bytesIn()).as("read from the socket, not handled yet")
                .isBetween((long) -ONE_READ, (long) ONE_READ);
            assertThat(retained).singleElement().satisfies(bytes -> assertThat(bytes)
                .isPositive().isLessThanOrEqualTo(WRITE_QUEUE_MAX_BYTES + 2L * ONE_READ));
          });
          return server;
        }))
        .compose(checked -> vertx.undeploy(server.deploymentID())))
        .compose(undeployed -> nonReaders.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Writes frames as fast as the socket takes them, and never reads, until the connection closes. */
  private static void flood(NetSocket socket) {
    socket.pause();
    socket.exceptionHandler(failure -> { });
    Buffer chunk = taggedFrames("flood", 0xF100D, 655);
    AtomicBoolean open = new AtomicBoolean(true);
    socket.closeHandler(closed -> open.set(false));
    Runnable[] writeMore = new Runnable[1];
    writeMore[0] = () -> {
      while (open.get() && !socket.writeQueueFull()) {
        socket.write(chunk.copy());
      }
      socket.drainHandler(v -> writeMore[0].run());
    };
    writeMore[0].run();
  }

  /** One connection from {@code client} that sends one seed frame and gets it back. */
  private static Future<Void> echoed(NetClient client, int port, String text) {
    return connect(client, port).compose(socket -> sendAndAwaitEcho(socket, seedFrame(text))).mapEmpty();
  }

  /** One connection from {@code client} that the server closes at once: what it sends is never echoed. */
  private static Future<Void> refused(NetClient client, int port, String text) {
    return connect(client, port).compose(socket -> {
      Promise<Void> closed = Promise.promise();
      socket.handler(echo -> closed.tryFail(new AssertionError("a refused connection got an echo")))
          .exceptionHandler(failure -> { })
          .closeHandler(closed::tryComplete);
      socket.write(seedFrame(text));
      return closed.future();
    });
  }
}
