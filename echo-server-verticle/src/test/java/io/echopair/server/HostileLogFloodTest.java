package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A client that sends frames faster than the log can write their lines, with logging through logback's asynchronous
 * appender as shipped. The log writer is stuck on purpose: the flooder must wait, a client that sends little must
 * still be served, the event loop must never wait on the full queue, and no line may be lost.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class HostileLogFloodTest extends ServerTestSupport {

  private static final int FLOOD_FRAMES = 3000;
  private static final int PINGS = 30;
  /**
   * At least twice the lines of the largest read (64 KiB: 656 lines), as the shipped 4096 is: a read let go when the
   * queue is under half full always fits. With 512, a first read of the flood over 51 KB (a loaded machine) blocked
   * the event loop on the stuck writer's full queue.
   */
  private static final int QUEUE_SIZE = 2048;

  private final StuckWriter writer = new StuckWriter();
  private AsyncAppender async;

  /** Logs the frame lines through an asynchronous appender whose writer is stuck until released. */
  @BeforeEach
  void logThroughAStuckWriter() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    writer.setContext(context);
    writer.start();
    async = new AsyncAppender();
    async.setContext(context);
    async.setName("stuck-writer-queue");
    async.setQueueSize(QUEUE_SIZE);
    async.setDiscardingThreshold(0);
    async.addAppender(writer);
    async.start();
    intakeLogger().addAppender(async);
  }

  @AfterEach
  void detach() {
    writer.release();
    intakeLogger().detachAppender(async);
    async.stop();
  }

  @Test
  @DisplayName("While the log writer is stuck, the flooder waits and a client sending one frame at a time is served; "
      + "afterwards every line is written")
  void flooderWaitsSmallClientIsServed(Vertx vertx, VertxTestContext ctx) {
    Buffer flood = taggedFrames("flood", 0xF100D, FLOOD_FRAMES);
    deploy(vertx, new JsonObject()).compose(server -> floodPastAStuckLog(server, flood, PINGS, ctx, writer::release)
        .compose(echoed -> writer.written(FLOOD_FRAMES + PINGS))
    ).onComplete(ctx.succeeding(written -> ctx.verify(() -> {
      assertThat(written).as("Recv Msg lines written by the stuck writer, once released").isEqualTo(FLOOD_FRAMES + PINGS);
      ctx.completeNow();
    })));
  }

  private static Logger intakeLogger() {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(FrameIntake.class);
  }

  /** A log writer that blocks on its first line until released, then counts the Recv Msg lines it writes. */
  private static final class StuckWriter extends AppenderBase<ILoggingEvent> {

    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger lines = new AtomicInteger();
    private volatile Promise<Integer> target;
    private volatile int targetLines;

    @Override
    protected void append(ILoggingEvent event) {
      try {
        released.await(50, TimeUnit.SECONDS);
      } catch (InterruptedException stopping) {
        Thread.currentThread().interrupt();
      }
      if (event.getFormattedMessage().startsWith("Recv Msg : ") && lines.incrementAndGet() == targetLines) {
        target.tryComplete(targetLines);
      }
    }

    void release() {
      released.countDown();
    }

    /** Completes once {@code count} lines are written. */
    Future<Integer> written(int count) {
      Promise<Integer> reached = Promise.promise();
      target = reached;
      targetLines = count;
      if (lines.get() >= count) {
        reached.tryComplete(lines.get());
      }
      return reached.future();
    }
  }
}
