package io.echopair.server;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * Reads in turn while the log is behind, for the connections of one verticle instance: a read that would log many
 * lines waits, and waiting connections are let go one read each, in the order they came, while the log has room. So
 * flooding clients share what the log can write, a client sending little never waits behind them, and no event loop
 * blocks on a full log queue.
 *
 * <p>Checks the log every {@value #CHECK_MILLIS} ms while anyone waits, on the instance's event loop: logback writes
 * up to about 4000 lines a millisecond as shipped (the lines of a read in a few batches, {@link FrameLines}), no more
 * than the half of its queue kept ahead of it (4096 to 16 384 lines as shipped, {@link LogBacklog}), so the writer
 * seldom runs dry, and the event loop is not woken more than it must.
 */
final class LogTurns {

  /** Reads that log at most this many lines go through while the log is behind: a client sending little. */
  static final int SMALL_READ_LINES = 8;
  static final long CHECK_MILLIS = 1;

  private final Vertx vertx;
  private final LogBacklog backlog;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private long timer = -1;

  LogTurns(Vertx vertx, LogBacklog backlog) {
    this.vertx = vertx;
    this.backlog = backlog;
  }

  /**
   * Whether a read that logs up to {@code lines} lines must wait: a big one while the log is behind, and any one the
   * log could not take without making the event loop wait.
   */
  boolean mustWait(int lines) {
    if (lines == 0 || !backlog.isAsynchronous()) {
      return false;
    }
    return !backlog.hasRoomFor(lines) || (lines > SMALL_READ_LINES && backlog.isBehind());
  }

  /** Queues {@code release}, which lets one connection read again. */
  void await(Runnable release) {
    waiting.add(release);
    if (timer == -1) {
      timer = vertx.setPeriodic(CHECK_MILLIS, id -> releaseWhileRoom());
    }
  }

  /** Forgets a connection that closed while it waited. */
  void cancel(Runnable release) {
    waiting.remove(release);
  }

  void close() {
    waiting.clear();
    stopTimer();
  }

  private void releaseWhileRoom() {
    while (!waiting.isEmpty() && !backlog.isBehind()) {
      waiting.poll().run();
    }
    if (waiting.isEmpty()) {
      stopTimer();
    }
  }

  private void stopTimer() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
