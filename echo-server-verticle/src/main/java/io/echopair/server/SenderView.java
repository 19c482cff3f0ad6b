package io.echopair.server;

import io.echopair.protocol.Frame;
import io.echopair.server.SequenceTracker.Arrival;

/**
 * The {@link DeliveryLedger} as one connection sees it: the tracker of the sender id the connection carries, looked up
 * once and held while the connection uses it, within the connection's scope (its client's certificate subject under
 * mutual TLS, else its address).
 *
 * <p>When in doubt, a frame is logged: only a frame its sender marked as resent, whose sequence number this scope has
 * seen, is a duplicate. On the connection's event loop.
 *
 * <p>The tracker is recorded into by one connection at a time: this view takes it at the first tagged frame of a read
 * and lets it go at {@link #endRead}, when the connection closes, or before it turns to another sender id. A read of
 * untagged frames takes nothing.
 */
final class SenderView {

  /** What a valid tagged frame is to the log. */
  enum Delivery {
    /** Log it: new, or not something the ledger can tell. */
    NEW,
    /** A resent copy of a frame this scope delivered before: echo it, do not log it again. */
    DUPLICATE,
    /** Seen before, yet not marked as resent: not a resend of its sender's, so it is logged again, with a warning. */
    REUSED
  }

  private final DeliveryLedger ledger;
  private final String scope;
  private DeliveryLedger.Tracked current;
  // Whether this connection records into current until the end of the read
  private boolean recording;

  SenderView(DeliveryLedger ledger, String scope) {
    this.ledger = ledger;
    this.scope = scope;
  }

  /** Records a valid tagged frame and says whether to log it. */
  Delivery record(Frame frame) {
    long sequence = frame.sequence();
    if (sequence < 1) {
      // Not a sequence number a sender makes (they count from 1): logged every time, never tracked
      return Delivery.NEW;
    }
    DeliveryLedger.Tracked tracked = trackerOf(frame.senderId(), sequence);
    if (tracked == null) {
      return Delivery.NEW;
    }
    if (!recording) {
      tracked.startRecording();
      recording = true;
    }
    if (tracked.record(sequence) != Arrival.REPEAT) {
      return Delivery.NEW;
    }
    if (frame.isResent()) {
      ledger.countDuplicate();
      return Delivery.DUPLICATE;
    }
    tracked.countReused();
    return Delivery.REUSED;
  }

  /** The read ended: the other connections of this sender may record into its tracker. */
  void endRead() {
    if (recording) {
      recording = false;
      current.stopRecording();
    }
  }

  /** Lets go of the tracker held: the connection closed. */
  void close() {
    endRead();
    if (current != null) {
      ledger.unpin(current);
      current = null;
    }
  }

  private DeliveryLedger.Tracked trackerOf(long senderId, long sequence) {
    if (current == null || current.senderId() != senderId) {
      close();
      current = ledger.pin(scope, senderId, sequence);
    }
    return current;
  }
}
