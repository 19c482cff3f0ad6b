package io.echopair.server;

import static io.echopair.server.SenderView.Delivery.DUPLICATE;
import static io.echopair.server.SenderView.Delivery.NEW;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.FrameDecoder;
import io.echopair.protocol.FrameFormat;
import io.echopair.server.SenderView.Delivery;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two connections of one sender on two event loops: each read holds the sender's tracker, so the other connection
 * records before or after it, never in between, and nothing makes the two wait for each other.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class SenderViewTest {

  private static final String SCOPE = "127.0.0.1";
  private static final long SENDER = 0x5eedL;
  private static final long OTHER_SENDER = 0x0bedL;

  private final DeliveryLedger ledger = new DeliveryLedger(64, 10);
  private final SenderView first = new SenderView(ledger, SCOPE);
  private final SenderView second = new SenderView(ledger, SCOPE);
  private ContextInternal firstLoop;
  private ContextInternal secondLoop;
  // Watches the tracker from a worker thread: either event loop may be the one waiting
  private ContextInternal watcher;

  @BeforeEach
  void contexts(Vertx vertx) {
    VertxInternal internal = (VertxInternal) vertx;
    firstLoop = internal.createEventLoopContext();
    secondLoop = internal.createEventLoopContext();
    watcher = internal.createWorkerContext();
    assertThat(firstLoop.nettyEventLoop()).as("two event loops").isNotSameAs(secondLoop.nettyEventLoop());
  }

  @Test
  @DisplayName("A read holds its sender's tracker: the other connection of that sender, on another event loop, records "
      + "once the read ends")
  void aReadHoldsTheTracker(VertxTestContext ctx) {
    on(firstLoop, () -> record(first, frames(SENDER, 1, 3, 0))).compose(firstRead -> {
      ctx.verify(() -> assertThat(firstRead).containsExactly(NEW, NEW, NEW));
      Future<List<Delivery>> secondRead = on(secondLoop, () -> readWhole(second, frames(SENDER, 2, 4, resent())));
      return waitingFor(SENDER).compose(waiting -> {
        ctx.verify(() -> assertThat(secondRead.isComplete()).as("recorded while the first read went on").isFalse());
        return on(firstLoop, () -> {
          first.endRead();
          return readWhole(first, frames(SENDER, 5, 5, 0));
        });
      }).compose(firstGoesOn -> secondRead.map(seen -> List.of(firstGoesOn, seen)));
    }).onComplete(ctx.succeeding(reads -> ctx.verify(() -> {
      // The first connection's next read started after the second had taken the tracker: it waited its turn
      assertThat(reads.get(0)).containsExactly(NEW);
      assertThat(reads.get(1)).as("seq 2 and 3 resent, seq 4 new").containsExactly(DUPLICATE, DUPLICATE, NEW);
      assertThat(ledger.duplicates()).isEqualTo(2);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A connection that closes in the middle of a read lets the other connection of its sender go on")
  void closeLetsGo(VertxTestContext ctx) {
    on(firstLoop, () -> record(first, frames(SENDER, 1, 3, 0))).compose(firstRead -> {
      Future<List<Delivery>> secondRead = on(secondLoop, () -> readWhole(second, frames(SENDER, 1, 3, resent())));
      return waitingFor(SENDER).compose(waiting -> on(firstLoop, () -> {
        first.close();
        return true;
      })).compose(closed -> secondRead);
    }).onComplete(ctx.succeeding(secondRead -> ctx.verify(() -> {
      assertThat(secondRead).containsExactly(DUPLICATE, DUPLICATE, DUPLICATE);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("Two connections that each turn to the other's sender id in the middle of a read do not wait for each "
      + "other")
  void turningToAnotherSenderLetsGo(VertxTestContext ctx) {
    on(firstLoop, () -> record(first, frames(SENDER, 1, 2, 0)))
        .compose(firstRead -> on(secondLoop, () -> record(second, frames(OTHER_SENDER, 1, 2, 0))))
        .compose(secondRead -> {
          // Each holds its sender's tracker; the first turns to the second's sender and waits for it
          Future<List<Delivery>> firstTurns = on(firstLoop, () -> readWhole(first, frames(OTHER_SENDER, 3, 4, 0)));
          return waitingFor(OTHER_SENDER)
              .compose(waiting -> on(secondLoop, () -> readWhole(second, frames(SENDER, 3, 4, 0))))
              .compose(secondTurned -> firstTurns.map(firstTurned -> List.of(firstTurned, secondTurned)));
        }).onComplete(ctx.succeeding(turned -> ctx.verify(() -> {
          assertThat(turned.get(0)).containsExactly(NEW, NEW);
          assertThat(turned.get(1)).containsExactly(NEW, NEW);
          ctx.completeNow();
        })));
  }

  /** Records the tagged frames of {@code bytes} as FrameIntake does, without ending the read. */
  private static List<Delivery> record(SenderView view, Buffer bytes) {
    List<Delivery> deliveries = new ArrayList<>();
    new FrameDecoder(FrameFormat.DEFAULT, frame -> deliveries.add(view.record(frame))).handle(bytes);
    return deliveries;
  }

  /** Records them as one whole read. */
  private static List<Delivery> readWhole(SenderView view, Buffer bytes) {
    try {
      return record(view, bytes);
    } finally {
      view.endRead();
    }
  }

  /** Completes once a connection waits for the tracker of {@code sender}, which another one's read holds. */
  private Future<Void> waitingFor(long sender) {
    DeliveryLedger.Tracked tracked = ledger.pin(SCOPE, sender, 1);
    Promise<Void> waiting = Promise.promise();
    watcher.setPeriodic(10, id -> {
      if (tracked.hasWaitingConnection()) {
        watcher.owner().cancelTimer(id);
        waiting.complete();
      }
    });
    return waiting.future();
  }

  /** Runs {@code work} on {@code context}'s thread. */
  private static <T> Future<T> on(Context context, Supplier<T> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        done.complete(work.get());
      } catch (RuntimeException | AssertionError failure) {
        done.fail(failure);
      }
    });
    return done.future();
  }

  private static int resent() {
    return FrameFormat.FLAG_RESENT;
  }

  private static Buffer frames(long sender, long from, long to, int flags) {
    return ServerTestSupport.frames(sender, from, to, flags);
  }
}
