package io.echopair.sender;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The wait for a sender's last echoes (or writes): done when no stream has outstanding frames, or after
 * drainTimeoutMs. On the verticle's event loop.
 */
final class Drain {

  private final Vertx vertx;
  private final List<ReconnectLoop> streams;
  private final Promise<Void> settled = Promise.promise();
  private final long timer;
  private boolean givesUpOnDisconnected;

  /** Starts the wait now: {@code timeoutMs} from now it ends whatever is left; 0 ends it at once. */
  Drain(Vertx vertx, long timeoutMs, List<ReconnectLoop> streams) {
    this.vertx = vertx;
    this.streams = streams;
    if (timeoutMs > 0) {
      timer = vertx.setTimer(timeoutMs, id -> settled.tryComplete());
    } else {
      timer = -1;
      settled.tryComplete();
    }
  }

  /**
   * @param givesUpOnDisconnected whether a stream without a connection counts as settled (on stop, when it will not
   *                              reconnect), rather than being waited for until it reconnects; once true, it stays
   */
  Future<Void> await(boolean givesUpOnDisconnected) {
    this.givesUpOnDisconnected |= givesUpOnDisconnected;
    check();
    return settled.future();
  }

  /** Called whenever a stream made progress: ends the wait once every stream is settled. */
  void check() {
    if (settled.future().isComplete()) {
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
