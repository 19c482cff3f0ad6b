package io.echopair.sender;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The wait for a sender's last echoes (or writes), once it has produced its count or is stopping: done when no stream
 * has outstanding frames, or after drainTimeoutMs. On the verticle's event loop.
 */
final class Drain {

  private final Vertx vertx;
  private final List<ReconnectLoop> streams;
  private final long timeoutMs;
  private Promise<Void> settled;
  private long timer = -1;
  private boolean givesUpOnDisconnected;

  Drain(Vertx vertx, List<ReconnectLoop> streams, long timeoutMs) {
    this.vertx = vertx;
    this.streams = streams;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Starts the wait (the first call), or joins it.
   *
   * @param givesUpOnDisconnected whether a stream without a connection counts as settled (on stop, when it will not
   *                              reconnect), rather than being waited for until it reconnects; once true, it stays
   */
  Future<Void> await(boolean givesUpOnDisconnected) {
    this.givesUpOnDisconnected |= givesUpOnDisconnected;
    if (settled == null) {
      settled = Promise.promise();
      if (timeoutMs > 0) {
        timer = vertx.setTimer(timeoutMs, id -> settled.tryComplete());
      } else {
        settled.tryComplete();
      }
    }
    check();
    return settled.future();
  }

  /** Called whenever a stream made progress: ends the wait once every stream is settled; nothing before it started. */
  void check() {
    if (settled == null || settled.future().isComplete()) {
      return;
    }
    for (ReconnectLoop stream : streams) {
      if (stream.queue().outstanding() > 0 && (stream.mayProgress() || !givesUpOnDisconnected)) {
        return;
      }
    }
    vertx.cancelTimer(timer);
    settled.tryComplete();
  }
}
