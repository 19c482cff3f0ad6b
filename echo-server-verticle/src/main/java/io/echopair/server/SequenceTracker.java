package io.echopair.server;

import java.util.Arrays;

/**
 * Which sequence numbers of one sender have arrived: every one up to a contiguous mark, and a bounded bitmap of those
 * above it, so that a resent frame is told from a new one in bounded memory.
 *
 * <pre>
 *   1 ........ contiguous | contiguous+1 ......................... contiguous+window
 *   all arrived           | one bit per sequence (arrived or not); none beyond this
 * </pre>
 *
 * <p>Frames in order only move the mark; the bitmap is allocated the first time a frame arrives out of order. A frame
 * more than {@code window} above the mark slides the window up: the missing frames it passes are given up, and if they
 * come after all they are counted as repeats (too old to tell). Not thread-safe: {@link DeliveryLedger} locks.
 */
final class SequenceTracker {

  private final int window;
  // Every sequence up to here has arrived, or was given up when the window slid past it
  private long contiguous;
  private long highest;
  // Bit (seq mod window) for seq in (contiguous, contiguous + window]; null until a frame arrives out of order
  private long[] bits;
  private long gapFrom;
  private long gapTo;

  /** @param window sequence numbers remembered above the contiguous mark; a multiple of 64 */
  SequenceTracker(int window) {
    if (window < 64 || window % 64 != 0) {
      throw new IllegalArgumentException("window must be a positive multiple of 64, got " + window);
    }
    this.window = window;
  }

  /**
   * Records that {@code sequence} (1 or more) arrived.
   *
   * @return true the first time, false for a repeat; after true, {@link #gapFrom()} tells whether it jumped ahead
   */
  boolean accept(long sequence) {
    gapFrom = 0;
    gapTo = 0;
    if (sequence <= contiguous) {
      return false;
    }
    if (sequence == contiguous + 1 && highest == contiguous) {
      // In order: the common case touches no bitmap
      contiguous = sequence;
      highest = sequence;
      return true;
    }
    if (sequence - contiguous > window) {
      slideTo(sequence - window);
    }
    if (isSet(sequence)) {
      return false;
    }
    if (sequence > highest) {
      if (sequence > highest + 1) {
        gapFrom = highest + 1;
        gapTo = sequence - 1;
      }
      highest = sequence;
    }
    set(sequence);
    advanceContiguous();
    return true;
  }

  /** First sequence number the last accepted frame skipped, 0 when it skipped none. */
  long gapFrom() {
    return gapFrom;
  }

  /** Last sequence number the last accepted frame skipped. */
  long gapTo() {
    return gapTo;
  }

  long contiguous() {
    return contiguous;
  }

  long highest() {
    return highest;
  }

  private void advanceContiguous() {
    while (contiguous < highest && isSet(contiguous + 1)) {
      contiguous++;
      clear(contiguous);
    }
  }

  /** Moves the mark up to {@code mark}, forgetting what the bitmap knew below it. */
  private void slideTo(long mark) {
    if (bits != null) {
      if (mark - contiguous >= window) {
        Arrays.fill(bits, 0L);
      } else {
        for (long s = contiguous + 1; s <= mark; s++) {
          clear(s);
        }
      }
    }
    contiguous = mark;
    advanceContiguous();
  }

  private boolean isSet(long sequence) {
    if (bits == null) {
      return false;
    }
    int bit = (int) (sequence % window);
    return (bits[bit >>> 6] & (1L << bit)) != 0;
  }

  private void set(long sequence) {
    if (bits == null) {
      bits = new long[window / 64];
    }
    int bit = (int) (sequence % window);
    bits[bit >>> 6] |= 1L << bit;
  }

  private void clear(long sequence) {
    if (bits != null) {
      int bit = (int) (sequence % window);
      bits[bit >>> 6] &= ~(1L << bit);
    }
  }
}
