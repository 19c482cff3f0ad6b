package io.echopair.server;

/**
 * Lets a few lines through per interval and counts the ones it holds back: for the lines a peer can cause at will
 * (bad frames, refused connections), so that no peer can flood the log.
 *
 * <p>Not thread-safe: each connection, or each verticle instance, has its own.
 */
final class LogLimiter {

  private final int linesPerInterval;
  private final long intervalNanos;
  private long intervalStart;
  private int used;
  private long held;

  LogLimiter(int linesPerInterval, long intervalNanos) {
    this.linesPerInterval = linesPerInterval;
    this.intervalNanos = intervalNanos;
    this.intervalStart = System.nanoTime() - intervalNanos;
  }

  /** Whether a line may be logged now; when not, it is counted as held back. */
  boolean allow(long nowNanos) {
    if (nowNanos - intervalStart >= intervalNanos) {
      intervalStart = nowNanos;
      used = 0;
    }
    if (used < linesPerInterval) {
      used++;
      return true;
    }
    held++;
    return false;
  }

  /**
   * {@code " (N <what>)"} for the lines held back since the last call, e.g. {@code " (12 more not logged)"}, or an
   * empty string; resets the count.
   */
  String heldBackNote(String what) {
    if (held == 0) {
      return "";
    }
    String note = " (" + held + " " + what + ")";
    held = 0;
    return note;
  }

  /** Lines held back and not yet reported by {@link #heldBackNote(String)}. */
  long heldBack() {
    return held;
  }
}
