package io.echopair.sender;

import io.echopair.protocol.FrameEncoder;
import io.vertx.core.buffer.Buffer;

/** A produced frame: its bytes as they go on the wire and, once written with acks, when. */
final class QueuedFrame {

  final long sequence;
  final Buffer bytes;
  long writtenAtNanos;
  private boolean written;
  private boolean markedResent;

  QueuedFrame(long sequence, Buffer bytes) {
    this.sequence = sequence;
    this.bytes = bytes;
  }

  /** From its second write on, the frame carries the resent flag: only then may the server take it for a repeat. */
  void beforeWrite(FrameEncoder encoder) {
    if (written && !markedResent) {
      encoder.markResent(bytes);
      markedResent = true;
    }
    written = true;
  }
}
