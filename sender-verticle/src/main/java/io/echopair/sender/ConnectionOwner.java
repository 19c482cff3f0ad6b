package io.echopair.sender;

/** What a {@link Connection} tells the stream that made it; called on the verticle's event loop. */
interface ConnectionOwner {

  /** The server sent its first bytes: the connection works. */
  void answered();

  /** A done frame, or a write completed: the sender may have finished draining. */
  void progressed();

  /** An echo that matched no frame in flight. */
  void unexpectedEcho();

  /** The connection is dead, once; its {@code requeued} unacknowledged frames are back in the queue. */
  void lost(String reason, int requeued);
}
