package io.echopair.server;

import io.echopair.protocol.ServerOffer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers senders looking for an echo server: a consumer on {@link ServerOffer#ADDRESS} that replies with where this
 * server can be reached and how many clients it has. One per server deployment, whatever its instances.
 */
final class DiscoveryResponder {

  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryResponder.class);

  private final String serverId;
  private final String host;
  private final int port;
  private final String nodeId;
  private final LongSupplier clients;
  private final MessageConsumer<JsonObject> consumer;

  private DiscoveryResponder(Vertx vertx, String serverId, String host, int port, String nodeId, LongSupplier clients) {
    this.serverId = serverId;
    this.host = host;
    this.port = port;
    this.nodeId = nodeId;
    this.clients = clients;
    this.consumer = vertx.eventBus().consumer(ServerOffer.ADDRESS, this::answer);
  }

  /** Starts answering; {@link #registered()} tells when the cluster knows of it. */
  static DiscoveryResponder start(Vertx vertx, String serverId, String host, int port, String nodeId,
                                  LongSupplier clients) {
    DiscoveryResponder responder = new DiscoveryResponder(vertx, serverId, host, port, nodeId, clients);
    responder.consumer.completion().onComplete(
        registered -> {
          // Without a cluster only a sender in this JVM can ask: not worth a line
          if (vertx.isClustered()) {
            LOG.info("Answering senders on the event bus ({}) with {}:{} (server {})", ServerOffer.ADDRESS, host, port,
                serverId);
          }
        },
        failed -> LOG.error("Cannot answer senders on the event bus ({}): {}", ServerOffer.ADDRESS, failed.toString()));
    return responder;
  }

  /** Completes once every node of the cluster can reach this responder. */
  Future<Void> registered() {
    return consumer.completion();
  }

  /** Stops answering, first thing when the server stops: senders then look elsewhere. */
  Future<Void> close() {
    return consumer.unregister();
  }

  private void answer(Message<JsonObject> request) {
    request.reply(new ServerOffer(serverId, host, port, clients.getAsLong(), nodeId).toJson());
  }
}
