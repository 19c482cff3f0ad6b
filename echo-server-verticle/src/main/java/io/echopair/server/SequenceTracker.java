package io.echopair.server;

import java.util.Arrays;

/**
 * Which sequence numbers of one sender have arrived, in bounded memory, so that a resent frame is told from a new one.
 *
 * <pre>
 *   1 ......... floor | floor+1 ...... contiguous | contiguous+1 ............ highest  (highest - contiguous ≤ window)
 *   unknown: logged   | all arrived               | one bit per sequence: arrived or not
 * </pre>
 *
 * <p>Frames in order only move the marks; the bitmap is allocated when a frame arrives out of order, sized to the span
 * it must cover (at most {@code window} bits), and dropped once the gaps are filled. A frame more than {@code window}
 * above {@code contiguous} raises the floor: what the tracker knew below it is forgotten, and a frame that comes there
 * later is {@link Arrival#UNKNOWN}, which the server logs. So no sequence number, however far ahead, can make later
 * frames look like repeats: at worst they are logged twice.
 *
 * <p>Not thread-safe: one connection at a time records into it ({@link DeliveryLedger.Tracked}).
 */
final class SequenceTracker {

  /** What one arrival is to this tracker. */
  enum Arrival {
    /** Not seen before. */
    NEW,
    /** Seen before. */
    REPEAT,
    /** Behind the window: the tracker cannot tell. */
    UNKNOWN
  }

  private static final int MIN_BITS = 64;

  private final int window;
  private long floor;
  private long contiguous;
  private long highest;
  // Bit (seq mod bits.length * 64) for seq in (contiguous, highest]; null when no frame is missing
  private long[] bits;
  private long gapFrom;
  private long gapTo;

  /**
   * @param window      the most sequence numbers remembered above {@code contiguous}
   * @param firstSeen   the first sequence number seen of this sender: the ones below it are unknown to this server
   */
  SequenceTracker(int window, long firstSeen) {
    if (window < MIN_BITS) {
      throw new IllegalArgumentException("window must be at least " + MIN_BITS + ", got " + window);
    }
    this.window = window;
    this.floor = firstSeen - 1;
    this.contiguous = floor;
    this.highest = floor;
  }

  /**
   * Records that {@code sequence} (1 or more) arrived; after a {@link Arrival#NEW}, {@link #gapFrom()} tells whether it
   * jumped ahead.
   */
  Arrival accept(long sequence) {
    gapFrom = 0;
    gapTo = 0;
    if (sequence <= floor) {
      return Arrival.UNKNOWN;
    }
    if (sequence <= contiguous) {
      return Arrival.REPEAT;
    }
    if (sequence == highest + 1 && highest == contiguous) {
      // In order: the common case touches no bitmap
      contiguous = sequence;
      highest = sequence;
      return Arrival.NEW;
    }
    if (sequence <= highest) {
      if (isSet(sequence)) {
        return Arrival.REPEAT;
      }
    } else {
      if (sequence > highest + 1) {
        gapFrom = highest + 1;
        gapTo = sequence - 1;
      }
      if (sequence - contiguous > window) {
        raiseFloor(sequence - window);
      }
      fitSpan(sequence - contiguous);
      highest = sequence;
    }
    set(sequence);
    advanceContiguous();
    return Arrival.NEW;
  }

  /** First sequence number the last new frame skipped, 0 when it skipped none. */
  long gapFrom() {
    return gapFrom;
  }

  /** Last sequence number the last new frame skipped. */
  long gapTo() {
    return gapTo;
  }

  long floor() {
    return floor;
  }

  long contiguous() {
    return contiguous;
  }

  long highest() {
    return highest;
  }

  /** Bytes of bitmap held now: 0 while frames come in order. */
  int bitmapBytes() {
    return bits == null ? 0 : bits.length * Long.BYTES;
  }

  private void advanceContiguous() {
    while (contiguous < highest && isSet(contiguous + 1)) {
      contiguous++;
      clear(contiguous);
    }
    if (contiguous == highest) {
      bits = null;
    }
  }

  /** Forgets everything up to {@code mark}: those sequence numbers are unknown from now on. */
  private void raiseFloor(long mark) {
    if (bits != null) {
      if (mark - contiguous >= (long) bits.length * Long.SIZE) {
        Arrays.fill(bits, 0L);
      } else {
        for (long s = contiguous + 1; s <= mark; s++) {
          clear(s);
        }
      }
    }
    floor = mark;
    contiguous = mark;
  }

  private boolean isSet(long sequence) {
    if (bits == null) {
      return false;
    }
    int bit = bitIndex(sequence);
    return (bits[bit >>> 6] & (1L << bit)) != 0;
  }

  /** Marks an arrival in (contiguous, highest], which the bitmap covers. */
  private void set(long sequence) {
    int bit = bitIndex(sequence);
    bits[bit >>> 6] |= 1L << bit;
  }

  private void clear(long sequence) {
    if (bits != null) {
      int bit = bitIndex(sequence);
      bits[bit >>> 6] &= ~(1L << bit);
    }
  }

  private int bitIndex(long sequence) {
    return (int) (sequence & ((long) bits.length * Long.SIZE - 1));
  }

  /**
   * Grows the bitmap (a power of two of bits) to cover {@code span} numbers above contiguous, before highest moves:
   * the bits of (contiguous, highest] are placed anew.
   */
  private void fitSpan(long span) {
    long have = bits == null ? 0 : (long) bits.length * Long.SIZE;
    if (span <= have) {
      return;
    }
    long size = Math.max(MIN_BITS, Long.highestOneBit(span - 1) << 1);
    long[] grown = new long[(int) (size / Long.SIZE)];
    if (bits != null) {
      long[] old = bits;
      for (long s = contiguous + 1; s <= highest; s++) {
        int oldBit = (int) (s & (have - 1));
        if ((old[oldBit >>> 6] & (1L << oldBit)) != 0) {
          int bit = (int) (s & (size - 1));
          grown[bit >>> 6] |= 1L << bit;
        }
      }
    }
    bits = grown;
  }

  /** Bytes the bitmap of a tracker with this window may reach. */
  static long maxBitmapBytes(int window) {
    long size = Math.max(MIN_BITS, Long.highestOneBit(window - 1) << 1);
    return size / Long.SIZE * Long.BYTES;
  }
}
