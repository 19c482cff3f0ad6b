package io.echopair.server;

/**
 * The clocks of one connection's two timeouts: how long since the client last sent something or took an echo (idle
 * timeout), and how long the unfinished frame it holds has waited for its end (frame timeout).
 */
final class StallWatch {

  private long lastActivityNanos;
  // When the unfinished frame began, while the server reads this client; 0 without one
  private long partialSinceNanos;

  StallWatch(long nowNanos) {
    this.lastActivityNanos = nowNanos;
  }

  /** The client sent bytes or took echoes. */
  void active(long nowNanos) {
    lastActivityNanos = nowNanos;
  }

  /** After a read: an unfinished frame's clock starts with the read that began it, and stops once it is whole. */
  void partialFrame(boolean holdsOne) {
    if (!holdsOne) {
      partialSinceNanos = 0;
    } else if (partialSinceNanos == 0) {
      partialSinceNanos = lastActivityNanos;
    }
  }

  /** The server reads the client again: the time a frame may take counts from now. */
  void readingRestarted(long nowNanos) {
    lastActivityNanos = nowNanos;
    if (partialSinceNanos != 0) {
      partialSinceNanos = nowNanos;
    }
  }

  /** Whether the client has been silent for {@code limitNanos} or more; never with a limit of 0. */
  boolean idleFor(long nowNanos, long limitNanos) {
    return limitNanos > 0 && nowNanos - lastActivityNanos >= limitNanos;
  }

  /** Whether an unfinished frame has waited {@code limitNanos} or more for its end; never with a limit of 0. */
  boolean frameStalledFor(long nowNanos, long limitNanos) {
    return limitNanos > 0 && partialSinceNanos != 0 && nowNanos - partialSinceNanos >= limitNanos;
  }
}
