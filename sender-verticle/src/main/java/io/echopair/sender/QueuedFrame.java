package io.echopair.sender;

import io.echopair.protocol.FrameEncoder;
import io.vertx.core.buffer.Buffer;

/**
 * A produced frame: where its bytes lie, as they go on the wire, in the buffer its tick encoded them into (one per tick
 * and stream, so that a frame costs no buffer of its own) and, once written with acks, when.
 */
final class QueuedFrame {

  final long sequence;
  // The tick's frames of one stream, back to back; this one starts at offset
  final Buffer tick;
  final int offset;
  long writtenAtNanos;
  private boolean written;
  private boolean markedResent;

  QueuedFrame(long sequence, Buffer tick, int offset) {
    this.sequence = sequence;
    this.tick = tick;
    this.offset = offset;
  }

  /** From its second write on, the frame carries the resent flag: only then may the server take it for a repeat. */
  void beforeWrite(FrameEncoder encoder) {
    if (written && !markedResent) {
      // The slice shares the tick's bytes: the flag and the checksum change there
      encoder.markResent(tick.slice(offset, offset + encoder.format().frameSize()));
      markedResent = true;
    }
    written = true;
  }
}
