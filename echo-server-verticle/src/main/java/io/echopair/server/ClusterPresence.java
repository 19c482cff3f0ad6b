package io.echopair.server;

import io.echopair.runtime.cluster.ClusterNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one server instance shows of itself on the event bus: the {@link DiscoveryResponder} (kept by the first
 * instance of a deployment) and the {@link MessagePublisher} its connections use. Works the same without a cluster,
 * on the local event bus.
 */
final class ClusterPresence {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterPresence.class);

  private static final String IDS = "io.echopair.server.ids";

  private final Vertx vertx;
  private final String deploymentId;
  private final String serverId;
  private final MessagePublisher publisher;
  private final DiscoveryResponder responder;

  private ClusterPresence(Vertx vertx, String deploymentId, String serverId, MessagePublisher publisher,
                          DiscoveryResponder responder) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.serverId = serverId;
    this.publisher = publisher;
    this.responder = responder;
  }

  /**
   * Starts answering senders (when {@code answers}: one instance per deployment does) and, when configured,
   * publishing received frames.
   *
   * @param deploymentId the server deployment, whose instances share one server id
   * @param config       the server's settings
   * @param port         the port the server got
   */
  static ClusterPresence start(Vertx vertx, String deploymentId, ServerConfig config, int port, boolean answers,
                               ServerStats stats) {
    ClusterSettings settings = config.cluster();
    String serverId = ids(vertx).computeIfAbsent(deploymentId, id -> newServerId());
    MessagePublisher publisher = MessagePublisher.OFF;
    if (settings.publish()) {
      publisher = MessagePublisher.to(vertx, settings, serverId, stats);
    }
    DiscoveryResponder responder = null;
    if (answers) {
      if (settings.publish()) {
        LOG.info("Publishing every received frame on the event bus at {} (server {}, {})", settings.publishAddress(),
            serverId, settings.publishJson() ? "one JSON message per frame" : "one batch per read");
      }
      String host = settings.advertisedHost(config.host(), ClusterNodes.eventBusHost(vertx));
      responder = DiscoveryResponder.start(vertx, serverId, host, port, ClusterNodes.localNodeId(vertx), stats::open);
    }
    return new ClusterPresence(vertx, deploymentId, serverId, publisher, responder);
  }

  /** 8 random hex digits that name a server deployment in logs, offers and published messages. */
  private static String newServerId() {
    return String.format("%08x", ThreadLocalRandom.current().nextInt());
  }

  /** The server id of each deployment, shared by its instances. */
  private static LocalMap<String, String> ids(Vertx vertx) {
    return vertx.sharedData().getLocalMap(IDS);
  }

  String serverId() {
    return serverId;
  }

  MessagePublisher publisher() {
    return publisher;
  }

  /** Completes once senders can find this server (at once for the instances that do not answer); never fails. */
  Future<Void> announced() {
    return responder == null ? Future.succeededFuture() : responder.registered().otherwiseEmpty();
  }

  /** Stops answering senders; publishing stops with the connections. */
  Future<Void> close() {
    if (responder == null) {
      return Future.succeededFuture();
    }
    ids(vertx).remove(deploymentId);
    return responder.close();
  }
}
