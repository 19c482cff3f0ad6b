package io.echopair.monitor;

import io.echopair.protocol.ReceivedBatch;
import java.util.ArrayDeque;

/**
 * The received frames a monitor has not logged yet, at most {@code backlogFrames} of them: a batch that would go
 * beyond is dropped and counted, so that a monitor that cannot keep up holds a bounded amount, never a growing queue.
 */
final class StreamBacklog {

  private final ArrayDeque<ReceivedBatch.Cursor> batches = new ArrayDeque<>();
  private long frames;
  private long dropped;

  /**
   * Takes a batch in, or drops it (counted) when it would take the backlog past {@code maxFrames}; an empty backlog
   * takes any batch, however large.
   */
  boolean offer(ReceivedBatch batch, long maxFrames) {
    if (frames > 0 && frames + batch.size() > maxFrames) {
      dropped += batch.size();
      return false;
    }
    batches.add(batch.cursor());
    frames += batch.size();
    return true;
  }

  /** The cursor on the next frame to log, taken from the backlog; null when none is waiting. */
  ReceivedBatch.Cursor next() {
    while (!batches.isEmpty()) {
      ReceivedBatch.Cursor head = batches.peek();
      if (head.next()) {
        frames--;
        return head;
      }
      batches.poll();
    }
    return null;
  }

  /** Frames waiting. */
  long frames() {
    return frames;
  }

  /** Frames dropped because the backlog was full. */
  long dropped() {
    return dropped;
  }
}
