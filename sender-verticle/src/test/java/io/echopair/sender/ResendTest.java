package io.echopair.sender;

import static io.echopair.sender.SenderTesting.deploy;
import static io.echopair.sender.SenderTesting.fastConf;
import static io.echopair.sender.SenderTesting.senderLog;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.FrameDecoder;
import io.echopair.protocol.FrameFormat;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.sender.TestEchoServer.Mode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ResendTest {

  @RegisterExtension
  final LogCapture log = senderLog();

  /**
   * Echoes frame by frame, except that it swallows the first copy of each sequence in {@code swallowed}, as the echo
   * server does with a corrupt frame; records every sequence it receives.
   */
  private static final class SwallowingServer {
    final List<Long> received = new CopyOnWriteArrayList<>();
    /** Each copy received: "3" the first time, "3 resent" for a copy marked resent, "3 bad" for a broken checksum. */
    final List<String> copies = new CopyOnWriteArrayList<>();
    final Set<Long> toSwallow = ConcurrentHashMap.newKeySet();
    NetServer server;

    static Future<SwallowingServer> start(Vertx vertx, Long... swallowed) {
      SwallowingServer s = new SwallowingServer();
      s.toSwallow.addAll(List.of(swallowed));
      s.server = vertx.createNetServer().connectHandler(s::handle);
      return s.server.listen(0, "127.0.0.1").map(listening -> s);
    }

    int port() {
      return server.actualPort();
    }

    private void handle(NetSocket socket) {
      FrameDecoder decoder = new FrameDecoder(FrameFormat.DEFAULT, frame -> {
        received.add(frame.sequence());
        copies.add(frame.sequence() + (frame.isResent() ? " resent" : "") + (frame.checksumValid() ? "" : " bad"));
        if (!toSwallow.remove(frame.sequence())) {
          socket.write(frame.copy());
        }
      });
      socket.handler(decoder::handle).endHandler(v -> socket.close()).exceptionHandler(e -> socket.close());
    }
  }

  private static List<String> copiesOf(SwallowingServer server, long seq) {
    return server.copies.stream().filter(copy -> copy.split(" ")[0].equals(String.valueOf(seq))).toList();
  }

  @Test
  @DisplayName("An echo that skips an older frame gets the connection dropped and the frame resent in order, marked resent")
  void skippedEchoIsResent(Vertx vertx, VertxTestContext ctx) {
    SwallowingServer.start(vertx, 3L)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("count", 6))
            .compose(SenderVerticle::completion)
            .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
              assertThat(status).isEqualTo(ExitStatus.OK);
              assertThat(server.received).containsSubsequence(1L, 2L, 3L, 4L, 3L).contains(5L, 6L);
              // The second write of a frame says so, with a checksum that covers the flag; the first never does
              assertThat(server.copies).containsSubsequence("3", "4", "3 resent");
              for (long seq = 1; seq <= 6; seq++) {
                List<String> ofSeq = copiesOf(server, seq);
                String resent = seq + " resent";
                assertThat(ofSeq.get(0)).as("first copy of seq %d", seq).isEqualTo(String.valueOf(seq));
                assertThat(ofSeq.subList(1, ofSeq.size())).as("later copies of seq %d", seq).allMatch(resent::equals);
              }
              assertThat(log.lines()).anyMatch(line -> line.startsWith("WARN Lost connection on stream 1 to 127.0.0.1:"
                  + server.port() + ": no echo of seq 3 though seq 4, written after it, was echoed"));
              assertThat(log.lines()).contains(
                  "INFO Sender finished: produced 6, acknowledged 6, dropped on queue overflow 0, unacknowledged at exit 0");
              ctx.completeNow();
            }))));
  }

  @Test
  @DisplayName("The last frame's echo missing, ackTimeoutMs drops the connection and the frame is resent")
  void ackTimeoutResends(Vertx vertx, VertxTestContext ctx) {
    SwallowingServer.start(vertx, 4L)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("count", 4).put("ackTimeoutMs", 200))
            .compose(SenderVerticle::completion)
            .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
              assertThat(status).isEqualTo(ExitStatus.OK);
              assertThat(server.received).containsExactly(1L, 2L, 3L, 4L, 4L);
              assertThat(log.lines()).anyMatch(line -> line.endsWith(": no echo of seq 4 within 200 ms (1 unacknowledged frame goes back to the queue)"));
              ctx.completeNow();
            }))));
  }

  @Test
  @DisplayName("Undeployed while frames await their echo, the sender waits drainTimeoutMs, reports them and asks for 3")
  void undeployWithUnacknowledgedFrames(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.SILENT)
        .compose(server -> deploy(vertx, fastConf(server.port()).put("drainTimeoutMs", 300))
            .compose(sender -> server.whenReceived(3)
                .compose(three -> vertx.undeploy(sender.deploymentID()))
                .compose(undeployed -> sender.completion())))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).isEqualTo(ExitStatus.UNACKNOWLEDGED);
          assertThat(log.lines()).anyMatch(line -> line.matches("INFO Sender finished: produced (\\d+), acknowledged 0, "
              + "dropped on queue overflow 0, unacknowledged at exit \\1"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Undeployed with every frame acknowledged, the sender asks for 0")
  void undeployAllAcknowledged(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO)
        .compose(server -> deploy(vertx, fastConf(server.port()))
            .compose(sender -> server.whenReceived(3)
                .compose(three -> vertx.undeploy(sender.deploymentID()))
                .compose(undeployed -> sender.completion())))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).isEqualTo(ExitStatus.OK);
          assertThat(log.lines()).anyMatch(line -> line.matches("INFO Sender finished: produced (\\d+), acknowledged \\1, "
              + "dropped on queue overflow 0, unacknowledged at exit 0"));
          ctx.completeNow();
        })));
  }
}
