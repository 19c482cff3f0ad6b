package io.echopair.server;

import io.echopair.protocol.Frame;
import io.echopair.protocol.SenderId;
import io.echopair.protocol.ReceivedMessage;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.time.Instant;

/**
 * Publishes every frame a server receives on the event bus as a {@link ReceivedMessage}, for any verticle of the
 * cluster to consume (the monitor logs them). Off, it costs one check per frame.
 */
final class MessagePublisher {

  /** Publishes nothing. */
  static final MessagePublisher OFF = new MessagePublisher(null, null, null);

  private final EventBus eventBus;
  private final String address;
  private final String serverId;

  private MessagePublisher(EventBus eventBus, String address, String serverId) {
    this.eventBus = eventBus;
    this.address = address;
    this.serverId = serverId;
  }

  static MessagePublisher to(Vertx vertx, String address, String serverId) {
    return new MessagePublisher(vertx.eventBus(), address, serverId);
  }

  /**
   * Publishes one received frame; {@code peer} is the client as the server names it, {@code repeat} says the server
   * logged this sender's sequence number before (a frame without the resent flag, logged again).
   */
  void publish(Frame frame, String peer, boolean repeat) {
    if (eventBus == null) {
      return;
    }
    Long sequence = frame.isTagged() ? frame.sequence() : null;
    String senderId = frame.isTagged() ? SenderId.text(frame.senderId()) : null;
    eventBus.publish(address,
        new ReceivedMessage(frame.printableText(), sequence, senderId, peer, serverId, Instant.now(), repeat).toJson());
  }
}
