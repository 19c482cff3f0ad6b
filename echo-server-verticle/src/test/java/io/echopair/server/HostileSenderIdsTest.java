package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.FrameFormat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Attackers that know a sender's id (it is in both logs) and send frames with it, to make the server take the
 * sender's frames for repeats and leave them out of the log. Nothing they send may hide one of the sender's frames.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class HostileSenderIdsTest extends ServerTestSupport {

  private static final long VICTIM = 0x5eed_cafeL;
  private static final long FAR_AHEAD = 1L << 62;

  /** Connects from 127.0.0.2: another address on the same machine. */
  private NetClient elsewhere;

  @BeforeEach
  void createElsewhere(Vertx vertx) {
    elsewhere = vertx.createNetClient(new NetClientOptions().setLocalAddress("127.0.0.2"));
  }

  @Test
  @DisplayName("Frames with a sender's id from another address, far ahead and marked as resent, hide none of its frames")
  void anotherAddressCannotSilenceASender(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject()).compose(server -> {
      int port = server.actualPort();
      Buffer attack = frames(VICTIM, 51, 100, FrameFormat.FLAG_RESENT)
          .appendBuffer(frames(VICTIM, FAR_AHEAD, FAR_AHEAD, FrameFormat.FLAG_RESENT));
      return exchange(clients, port, frames(VICTIM, 1, 50, 0))
          .compose(first -> exchange(elsewhere, port, attack))
          // The sender's next frames, and a resend of its last ten after a reconnect
          .compose(attacked -> exchange(clients, port,
              frames(VICTIM, 41, 50, FrameFormat.FLAG_RESENT).appendBuffer(frames(VICTIM, 51, 100, 0))))
          .compose(last -> log.await(line -> line.contains("disconnected"), 3))
          .map(server);
    }).onComplete(ctx.succeeding(server -> ctx.verify(() -> {
      assertThat(loggedSequences("127.0.0.1")).as("the sender's frames, each logged once")
          .isEqualTo(LongStream.rangeClosed(1, 100).boxed().toList());
      assertThat(loggedSequences("127.0.0.2")).hasSize(51);
      assertThat(server.ledger().duplicates()).as("only the sender's own resends").isEqualTo(10);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A peer on the sender's own address that claims its next numbers first hides nothing: both are logged")
  void sameAddressCannotHideFirstTransmissions(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject()).compose(server -> {
      int port = server.actualPort();
      return exchange(clients, port, frames(VICTIM, 1, 10, 0))
          .compose(first -> exchange(clients, port, frames(VICTIM, 11, 20, 0)))
          .compose(claimed -> exchange(clients, port, frames(VICTIM, 11, 20, 0)))
          .compose(last -> log.await(line -> line.contains("disconnected"), 3));
    }).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      List<Long> logged = loggedSequences("127.0.0.1");
      assertThat(logged).hasSize(30);
      assertThat(logged.subList(20, 30)).isEqualTo(LongStream.rangeClosed(11, 20).boxed().toList());
      assertThat(log.linesContaining("without the resent flag")).hasSizeBetween(1, FrameIntake.BAD_FRAME_LINES)
          .first().asString().contains("repeats seq 11 of sender 000000005eedcafe");
      assertThat(log.linesContaining("disconnected").get(2)).contains(", 10 reused sequence numbers");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A jump to seq 2^62 on the sender's own address pushes none of its later frames, or resends, out of the log")
  void noJumpPushesLaterFramesOut(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject()).compose(server -> {
      int port = server.actualPort();
      return exchange(clients, port, frames(VICTIM, 1, 50, 0))
          .compose(first -> exchange(clients, port, frames(VICTIM, FAR_AHEAD, FAR_AHEAD, 0)))
          .compose(jumped -> exchange(clients, port,
              frames(VICTIM, 41, 50, FrameFormat.FLAG_RESENT).appendBuffer(frames(VICTIM, 51, 100, 0))))
          .compose(last -> log.await(line -> line.contains("disconnected"), 3));
    }).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      List<Long> logged = loggedSequences("127.0.0.1");
      // Behind the window after the jump, so the resends are logged again: twice is allowed, never none
      assertThat(logged).containsAll(LongStream.rangeClosed(1, 100).boxed().toList());
      assertThat(logged.stream().filter(seq -> seq > 50 && seq <= 100)).hasSize(50);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("Sequence numbers 0 and negative are no sender's: logged every time they come, never taken for repeats")
  void nonPositiveSequencesAreAlwaysLogged(Vertx vertx, VertxTestContext ctx) {
    Buffer odd = frames(VICTIM, 0, 0, 0).appendBuffer(frames(VICTIM, -1, -1, 0))
        .appendBuffer(frames(VICTIM, 0, 0, FrameFormat.FLAG_RESENT))
        .appendBuffer(frames(VICTIM, -1, -1, FrameFormat.FLAG_RESENT))
        .appendBuffer(frames(VICTIM, Long.MIN_VALUE, Long.MIN_VALUE, FrameFormat.FLAG_RESENT));
    deploy(vertx, new JsonObject())
        .compose(server -> exchange(clients, server.actualPort(), odd).map(server))
        .compose(server -> log.await(line -> line.contains("disconnected")).map(server))
        .onComplete(ctx.succeeding(server -> ctx.verify(() -> {
          assertThat(loggedSequences("127.0.0.1")).containsExactly(0L, -1L, 0L, -1L, Long.MIN_VALUE);
          assertThat(server.ledger().duplicates()).isZero();
          ctx.completeNow();
        })));
  }
}
