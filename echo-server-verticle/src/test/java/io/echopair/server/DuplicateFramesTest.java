package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.echopair.protocol.FrameEncoder;
import io.echopair.protocol.FrameFormat;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DuplicateFramesTest extends ServerTestSupport {

  private static final long SENDER = 0x5eedL;
  private static final String SENDER_HEX = "0000000000005eed";

  @Test
  @DisplayName("Frames resent on a new connection are echoed again but logged once, and counted as duplicates")
  void resentFramesAreLoggedOnce(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject()).compose(server -> {
      int port = server.actualPort();
      return exchange(port, frames(1, 5))
          .compose(first -> exchange(port, frames(3, 8)))
          .compose(second -> log.await(line -> line.contains("disconnected") && line.contains("3 duplicates")))
          .onComplete(ctx.succeeding(disconnected -> ctx.verify(() -> {
            assertThat(recvSequences()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(disconnected.getFormattedMessage()).matches(
                "Client 127\\.0\\.0\\.1:\\d+ disconnected \\(peer closed\\): 6 frames in [\\d.]+ s, 3 duplicates");
            assertThat(log.countContaining("Gap from")).isZero();
            assertThat(server.stats().snapshot().framesOut()).as("duplicates are echoed").isEqualTo(11);
            ctx.completeNow();
          })));
    });
  }

  @Test
  @DisplayName("A jump ahead is one WARN naming the missing range; the frames that fill it later are new")
  void gapIsLoggedAndFilled(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject()).compose(server -> {
      int port = server.actualPort();
      return exchange(port, frames(1, 4).appendBuffer(frames(8, 9)))
          .compose(first -> exchange(port, frames(5, 9)))
          .compose(second -> log.await(line -> line.contains("disconnected") && line.contains("2 duplicates")))
          .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
            assertThat(recvSequences()).containsExactly(1L, 2L, 3L, 4L, 8L, 9L, 5L, 6L, 7L);
            assertThat(log.linesContaining("Gap from")).containsExactly(
                "WARN Gap from sender " + SENDER_HEX + ": seq 5..7 not received (got 8)");
            ctx.completeNow();
          })));
    });
  }

  @Test
  @DisplayName("A sender first seen past seq 1 (it was sending before this server started) is one INFO line, not a gap")
  void senderFirstSeenMidStream(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject()).compose(server -> exchange(server.actualPort(), frames(5, 6).appendBuffer(frames(1, 6))))
        .compose(sent -> log.await(line -> line.contains("disconnected")))
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          assertThat(recvSequences()).containsExactly(5L, 6L, 1L, 2L, 3L, 4L);
          assertThat(log.lines()).contains(
              "INFO First frame from sender " + SENDER_HEX + " is seq 5: seq 1..4 not received by this server");
          assertThat(log.countContaining("Gap from")).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("The stats line counts duplicates, gaps and the senders tracked")
  void statsLineCountsDuplicates(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("statsIntervalMs", 100)).compose(server -> {
      int port = server.actualPort();
      return exchange(port, frames(1, 3).appendBuffer(frames(5, 5)))
          .compose(first -> exchange(port, frames(2, 5)))
          .compose(second -> log.await(line -> line.startsWith("Stats: ") && line.contains("3 duplicates")))
          .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
            assertThat(stats.getFormattedMessage()).endsWith("; 3 duplicates, 1 gap, 1 sender tracked");
            ctx.completeNow();
          })));
    });
  }

  @Test
  @DisplayName("With two instances a sender reconnecting to the other event loop is still recognised")
  void instancesShareTheLedger(Vertx vertx, VertxTestContext ctx) {
    List<EchoServerVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
    DeploymentOptions twoInstances = new DeploymentOptions().setInstances(2).setConfig(config(new JsonObject()));
    vertx.deployVerticle(() -> {
      EchoServerVerticle instance = new EchoServerVerticle();
      instances.add(instance);
      return instance;
    }, twoInstances).compose(id -> {
      int port = instances.get(0).actualPort();
      // Consecutive connections go round-robin over the instances
      return exchange(port, frames(1, 10))
          .compose(first -> exchange(port, frames(1, 20)))
          .compose(second -> exchange(port, frames(15, 25)));
    }).compose(third -> log.await(line -> line.contains("disconnected"), 3))
        .onComplete(ctx.succeeding(last -> ctx.verify(() -> {
          assertThat(recvSequences()).isEqualTo(IntStream.rangeClosed(1, 25).mapToObj(Long::valueOf).toList());
          List<String> threads = log.events(line -> line.contains(" connected (")).stream()
              .map(ILoggingEvent::getThreadName).distinct().toList();
          assertThat(threads).as("connections on both event loops").hasSize(2);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Beyond maxTrackedSenders the least recently seen sender is forgotten, with one WARN")
  void boundedSenders(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("maxTrackedSenders", 2)).compose(server -> {
      int port = server.actualPort();
      Buffer three = frames(1, 1, 1).appendBuffer(frames(2, 1, 1)).appendBuffer(frames(3, 1, 1));
      // Sender 1 was forgotten when sender 3 came: its repeat is new again; sender 3's is recognised
      Buffer repeats = frames(1, 1, 1).appendBuffer(frames(3, 1, 1));
      return exchange(port, three).compose(first -> exchange(port, repeats))
          .compose(second -> log.await(line -> line.contains("disconnected"), 2));
    }).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      assertThat(log.countContaining("Recv Msg : ")).isEqualTo(4);
      assertThat(log.linesContaining("forgetting")).singleElement().asString().startsWith(
          "WARN Tracking the sequences of 2 senders at most: forgetting the least recently seen (sender 0000000000000001)");
      ctx.completeNow();
    })));
  }

  /** One connection: sends {@code frames}, waits for their echo and closes. */
  private Future<Buffer> exchange(int port, Buffer frames) {
    return connect(clients, port).compose(socket -> sendAndAwaitEcho(socket, frames).eventually(socket::close));
  }

  /** Tagged frames of {@link #SENDER} with sequences {@code from..to}. */
  private static Buffer frames(long from, long to) {
    return frames(SENDER, from, to);
  }

  private static Buffer frames(long sender, long from, long to) {
    FrameEncoder encoder = new FrameEncoder(FrameFormat.DEFAULT);
    Buffer all = Buffer.buffer();
    for (long seq = from; seq <= to; seq++) {
      encoder.appendFrame(all, FrameFormat.DEFAULT.encodeText("frame " + seq), sender, seq, 0, 0);
    }
    return all;
  }

  /** The sequences of the Recv Msg lines, in the order logged. */
  private List<Long> recvSequences() {
    return log.messages().stream()
        .filter(line -> line.startsWith("Recv Msg : "))
        .map(line -> Long.valueOf(line.replaceAll(".*seq=(\\d+)\\)$", "$1")))
        .toList();
  }
}
