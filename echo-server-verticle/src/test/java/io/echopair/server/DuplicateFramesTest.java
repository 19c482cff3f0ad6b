package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
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
import java.util.stream.LongStream;
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
      return exchange(clients, port, frames(1, 5))
          .compose(first -> exchange(clients, port, resent(3, 5).appendBuffer(frames(6, 8))))
          .compose(second -> log.await(line -> line.contains("disconnected") && line.contains("3 duplicates")))
          .onComplete(ctx.succeeding(disconnected -> ctx.verify(() -> {
            assertThat(loggedSequences(null)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
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
      return exchange(clients, port, frames(1, 4).appendBuffer(frames(8, 9)))
          .compose(first -> exchange(clients, port, frames(5, 7).appendBuffer(resent(8, 9))))
          .compose(second -> log.await(line -> line.contains("disconnected") && line.contains("2 duplicates")))
          .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
            assertThat(loggedSequences(null)).containsExactly(1L, 2L, 3L, 4L, 8L, 9L, 5L, 6L, 7L);
            assertThat(log.linesContaining("Gap from")).containsExactly(
                "WARN Gap from sender " + SENDER_HEX + " at 127.0.0.1: seq 5..7 not received (got 8)");
            ctx.completeNow();
          })));
    });
  }

  @Test
  @DisplayName("A sender first seen past seq 1 (it was sending before this server started) is one INFO line, not a gap")
  void senderFirstSeenMidStream(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject()).compose(server -> exchange(clients, server.actualPort(),
            frames(5, 6).appendBuffer(frames(1, 4)).appendBuffer(resent(5, 6))))
        .compose(sent -> log.await(line -> line.contains("disconnected")))
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          assertThat(loggedSequences(null)).containsExactly(5L, 6L, 1L, 2L, 3L, 4L);
          assertThat(log.lines()).contains(
              "INFO First frame from sender " + SENDER_HEX + " at 127.0.0.1 is seq 5: seq 1..4 not received by this server");
          assertThat(log.countContaining("Gap from")).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("The stats line counts duplicates, gaps and the senders tracked")
  void statsLineCountsDuplicates(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("statsIntervalMs", 100)).compose(server -> {
      int port = server.actualPort();
      return exchange(clients, port, frames(1, 3).appendBuffer(frames(5, 5)))
          .compose(first -> exchange(clients, port,
              resent(2, 3).appendBuffer(frames(4, 4)).appendBuffer(resent(5, 5))))
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
    deployTwoInstances(vertx).compose(port -> {
      // Consecutive connections go round-robin over the instances
      return exchange(clients, port, frames(1, 10))
          .compose(first -> exchange(clients, port, resent(1, 10).appendBuffer(frames(11, 20))))
          .compose(second -> exchange(clients, port, resent(15, 20).appendBuffer(frames(21, 25))));
    }).compose(third -> log.await(line -> line.contains("disconnected"), 3))
        .onComplete(ctx.succeeding(last -> ctx.verify(() -> {
          assertThat(loggedSequences(null)).isEqualTo(IntStream.rangeClosed(1, 25).mapToObj(Long::valueOf).toList());
          List<String> threads = log.events(line -> line.contains(" connected (")).stream()
              .map(ILoggingEvent::getThreadName).distinct().toList();
          assertThat(threads).as("connections on both event loops").hasSize(2);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Two connections of one sender at once, on two event loops: each frame is logged once, each resent one "
      + "is a duplicate")
  void oneSenderOnTwoEventLoopsAtOnce(Vertx vertx, VertxTestContext ctx) {
    int count = 2000;
    deployTwoInstances(vertx).compose(port -> {
      // Then the sender's new frames and its resends of the first ones, each on its own connection, both at once
      return exchange(clients, port, frames(1, count)).compose(first -> Future.all(
          exchange(clients, port, frames(count + 1, 2L * count)), exchange(clients, port, resent(1, count))));
    }).compose(both -> log.await(line -> line.contains("disconnected"), 3))
        .onComplete(ctx.succeeding(last -> ctx.verify(() -> {
          assertThat(loggedSequences(null).stream().sorted().toList())
              .isEqualTo(LongStream.rangeClosed(1, 2L * count).boxed().toList());
          assertThat(log.countContaining(count + " duplicates")).isEqualTo(1);
          assertThat(log.countContaining("without the resent flag")).isZero();
          List<String> threads = log.events(line -> line.contains(" connected (")).stream()
              .map(ILoggingEvent::getThreadName).distinct().toList();
          assertThat(threads).as("connections on both event loops").hasSize(2);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Beyond maxTrackedSenders the sender idle longest is forgotten, with one WARN")
  void boundedSenders(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("maxTrackedSenders", 2)).compose(server -> {
      int port = server.actualPort();
      Buffer three = frames(1, 1, 1, 0).appendBuffer(frames(2, 1, 1, 0)).appendBuffer(frames(3, 1, 1, 0));
      // Sender 1 was forgotten when sender 3 came: its resend is new again; sender 3's is recognised
      Buffer repeats = frames(1, 1, 1, FrameFormat.FLAG_RESENT).appendBuffer(frames(3, 1, 1, FrameFormat.FLAG_RESENT));
      return exchange(clients, port, three).compose(first -> exchange(clients, port, repeats))
          .compose(second -> log.await(line -> line.contains("disconnected"), 2));
    }).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      assertThat(log.countContaining("Recv Msg : ")).isEqualTo(4);
      assertThat(log.linesContaining("forgetting")).singleElement().asString().startsWith(
          "WARN Tracking the sequences of 2 senders at most (maxTrackedSenders): forgetting the one idle longest "
              + "(sender 0000000000000001 at 127.0.0.1)");
      ctx.completeNow();
    })));
  }

  /** Two server instances, each on its event loop, sharing one port: completes with the port. */
  private static Future<Integer> deployTwoInstances(Vertx vertx) {
    List<EchoServerVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
    DeploymentOptions twoInstances = new DeploymentOptions().setInstances(2).setConfig(config(new JsonObject()));
    return vertx.deployVerticle(() -> {
      EchoServerVerticle instance = new EchoServerVerticle();
      instances.add(instance);
      return instance;
    }, twoInstances).map(id -> instances.get(0).actualPort());
  }

  /** Tagged frames of {@link #SENDER} with sequences {@code from..to}, written for the first time. */
  private static Buffer frames(long from, long to) {
    return frames(SENDER, from, to, 0);
  }

  /** The same frames written again after a reconnect: with the resent flag, as the sender marks them. */
  private static Buffer resent(long from, long to) {
    return frames(SENDER, from, to, FrameFormat.FLAG_RESENT);
  }
}
