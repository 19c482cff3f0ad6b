package io.echopair.sender;

import io.vertx.core.Vertx;
import java.util.List;

/**
 * Checks the streams of one sender a few times per {@code ackTimeoutMs}: a stream whose oldest unacknowledged frame
 * has waited longer drops its connection, so that the frame is resent in order after the reconnect.
 *
 * <p>One timer per verticle rather than one per stream or per frame; it runs on the verticle's event loop.
 */
final class AckWatchdog {

  private final Vertx vertx;
  private final long timerId;

  private AckWatchdog(Vertx vertx, long timerId) {
    this.vertx = vertx;
    this.timerId = timerId;
  }

  /** Starts watching {@code streams}; does nothing when acknowledgements are off or {@code ackTimeoutMs} is 0. */
  static AckWatchdog watch(Vertx vertx, List<FrameStream> streams, SenderConfig config) {
    if (!config.acks() || config.ackTimeoutMs() == 0) {
      return new AckWatchdog(vertx, -1);
    }
    // A frame is given up between ackTimeoutMs and ackTimeoutMs plus a quarter of it
    long periodMs = Math.max(10, Math.min(1000, config.ackTimeoutMs() / 4));
    return new AckWatchdog(vertx, vertx.setPeriodic(periodMs, id -> check(streams)));
  }

  void stop() {
    vertx.cancelTimer(timerId);
  }

  private static void check(List<FrameStream> streams) {
    long now = System.nanoTime();
    for (FrameStream stream : streams) {
      stream.checkAckTimeout(now);
    }
  }
}
