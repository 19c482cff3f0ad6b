package io.echopair.app;

import java.util.Random;

/**
 * What goes wrong on one direction of one proxied connection, drawn from a seeded {@link Random}: where it is cut,
 * which byte is flipped, where it stalls and for how long, and (as it goes) how the bytes are cut into pieces and
 * delayed. The decisions depend on byte offsets only, never on how the reads happened to arrive, so one seed gives one
 * plan.
 *
 * @param cutAt     offset at which the connection is closed (both sides), or -1; any byte, so often inside a frame
 * @param corruptAt offset of the byte whose bit {@code corruptMask} is flipped, or -1
 * @param stallAt   offset at which forwarding stops for {@code stallMs}, or -1
 */
record FaultPlan(long cutAt, long corruptAt, int corruptMask, long stallAt, int stallMs) {

  /** How likely each fault is and how big; the defaults of {@link #DEFAULT} suit 100-byte frames. */
  record Profile(double cutProbability, int maxBytesBeforeCut, double corruptProbability, double stallProbability,
                 int minStallMs, int maxStallMs, int maxPieceBytes, double delayProbability, int maxDelayMs,
                 int frameSize) {
  }

  static final Profile DEFAULT = new Profile(0.9, 40_000, 0.3, 0.15, 100, 1500, 150, 0.03, 15, 100);

  // The marker 'E' 'P' at offsets 68-69 of a 100-byte frame: flipped, the frame reads as an untagged (seed) frame,
  // which has no checksum (docs/RELIABILITY.md)
  private static final int MARKER_OFFSET = 68;
  private static final int MARKER_BYTES = 2;

  /** Draws a plan; {@code random} then goes on to draw the pieces and delays of the same direction. */
  static FaultPlan draw(Random random, Profile profile) {
    long cutAt = random.nextDouble() < profile.cutProbability() ? 1 + random.nextInt(profile.maxBytesBeforeCut()) : -1;
    long corruptAt = -1;
    int mask = 0;
    if (random.nextDouble() < profile.corruptProbability()) {
      long frame = random.nextInt(Math.max(1, profile.maxBytesBeforeCut() / profile.frameSize()));
      int inFrame = random.nextInt(profile.frameSize() - MARKER_BYTES);
      if (inFrame >= MARKER_OFFSET) {
        inFrame += MARKER_BYTES;
      }
      corruptAt = frame * profile.frameSize() + inFrame;
      mask = 1 << random.nextInt(8);
    }
    long stallAt = -1;
    int stallMs = 0;
    if (random.nextDouble() < profile.stallProbability()) {
      stallAt = random.nextInt(profile.maxBytesBeforeCut());
      stallMs = profile.minStallMs() + random.nextInt(profile.maxStallMs() - profile.minStallMs() + 1);
    }
    return new FaultPlan(cutAt, corruptAt, mask, stallAt, stallMs);
  }
}
