package io.echopair.sender;

import java.util.random.RandomGenerator;

/**
 * Reconnect delays that double from an initial delay up to a maximum, each picked at random in its upper half so
 * that many connections losing the server at once do not come back in lockstep.
 */
final class Backoff {

  private final long initialMs;
  private final long maxMs;
  private final RandomGenerator random;
  private int attempt;

  Backoff(long initialMs, long maxMs, RandomGenerator random) {
    if (initialMs < 1 || maxMs < initialMs) {
      throw new IllegalArgumentException("need 1 <= initialMs <= maxMs, got " + initialMs + " and " + maxMs);
    }
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** Counts one more attempt and returns how long to wait before it, in milliseconds (at least 1). */
  long nextDelayMs() {
    attempt++;
    long ceiling = ceilingMs(attempt);
    long floor = Math.max(1, ceiling / 2);
    return floor + random.nextLong(ceiling - floor + 1);
  }

  /** The attempt {@link #nextDelayMs()} last counted; 0 right after a success. */
  int attempt() {
    return attempt;
  }

  /** Starts again from the initial delay: called after a successful connect. */
  void reset() {
    attempt = 0;
  }

  /** {@code initialMs * 2^(attempt-1)}, capped at {@code maxMs} without overflowing. */
  long ceilingMs(int attempt) {
    long ceiling = initialMs;
    for (int i = 1; i < attempt && ceiling < maxMs; i++) {
      ceiling = ceiling > maxMs / 2 ? maxMs : ceiling * 2;
    }
    return Math.min(ceiling, maxMs);
  }
}
