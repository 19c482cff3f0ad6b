package io.echopair.protocol;

import io.vertx.core.json.JsonObject;

/**
 * An echo server's answer to a sender looking for one on the event bus ({@link #ADDRESS}): where to connect, and how
 * busy it is.
 *
 * <p>As JSON: {@code {"serverId": "3fa2b7c1", "host": "127.0.0.1", "port": 7777, "clients": 2, "nodeId": "..."}}.
 *
 * @param serverId which server deployment answered (8 hex digits, as the monitor shows it)
 * @param host     the host a sender should connect to (the server's advertisedHost)
 * @param port     the port the server listens on
 * @param clients  connections the server has open right now
 * @param nodeId   the cluster node the server runs on; null when it is not clustered
 */
public record ServerOffer(String serverId, String host, int port, long clients, String nodeId) {

  /** Where every echo server answers requests for an offer. */
  public static final String ADDRESS = "echopair.discovery";

  public JsonObject toJson() {
    return new JsonObject()
        .put("serverId", serverId)
        .put("host", host)
        .put("port", port)
        .put("clients", clients)
        .put("nodeId", nodeId);
  }

  /**
   * @throws IllegalArgumentException when a field is missing or of the wrong type
   */
  public static ServerOffer fromJson(JsonObject json) {
    try {
      String serverId = json.getString("serverId");
      String host = json.getString("host");
      Integer port = json.getInteger("port");
      Long clients = json.getLong("clients", 0L);
      if (serverId == null || host == null || port == null) {
        throw new IllegalArgumentException("not a server offer: " + json.encode());
      }
      return new ServerOffer(serverId, host, port, clients, json.getString("nodeId"));
    } catch (ClassCastException wrongType) {
      throw new IllegalArgumentException("not a server offer: " + json.encode(), wrongType);
    }
  }

  /** {@code 127.0.0.1:7777 (server 3fa2b7c1)}. */
  public String describe() {
    return host + ":" + port + " (server " + serverId + ")";
  }
}
