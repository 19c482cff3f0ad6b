package io.echopair.server;

import io.echopair.runtime.config.ConfigValues;
import java.util.Set;

/**
 * The server's settings for a cluster, from the same checked section as {@link ServerConfig} (whose schema states
 * their defaults): what host to tell senders that look for a server, and whether to publish every received frame.
 *
 * @param advertisedHost the host senders should connect to, or {@link #AUTO}
 * @param publish        whether every received frame is published on the event bus
 * @param publishAddress the event-bus address it is published on
 * @param publishJson    whether each frame goes as a JSON {@code ReceivedMessage} rather than a read's frames as one
 *                       binary {@code ReceivedBatch}
 * @param publishBacklogBytes the most bytes of published messages (in the batch form) an event loop lets wait to be
 *                       written out; a read that finds this much waiting is not published, and counted as dropped
 */
record ClusterSettings(String advertisedHost, boolean publish, String publishAddress, boolean publishJson,
                       int publishBacklogBytes) {

  static final String ADVERTISED_HOST = "advertisedHost";
  static final String PUBLISH = "publish";
  static final String PUBLISH_ADDRESS = "publishAddress";
  static final String PUBLISH_FORMAT = "publishFormat";
  static final String PUBLISH_BACKLOG_BYTES = "publishBacklogBytes";
  /** The values of {@link #PUBLISH_FORMAT}. */
  static final String BATCH = "batch";
  static final String JSON = "json";

  /** The advertised host is chosen from the listen host and the event bus: {@link #advertisedHost(String, String)}. */
  static final String AUTO = "auto";

  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");

  static ClusterSettings from(ConfigValues values) {
    return new ClusterSettings(values.string(ADVERTISED_HOST), values.bool(PUBLISH), values.string(PUBLISH_ADDRESS),
        values.string(PUBLISH_FORMAT).equals(JSON), values.integer(PUBLISH_BACKLOG_BYTES));
  }

  /** Whether a configured advertisedHost is one a sender can connect to: not a wildcard such as 0.0.0.0. */
  static boolean connectable(String host) {
    return !WILDCARDS.contains(host);
  }

  /**
   * The host to tell senders: advertisedHost when set; else the listen host, unless it is a wildcard (0.0.0.0, ::);
   * then the host of this node's event bus when clustered (the address the cluster already reaches it at); else
   * 127.0.0.1.
   *
   * @param listenHost   the server's {@code host}
   * @param eventBusHost this node's event bus host, null when not clustered
   */
  String advertisedHost(String listenHost, String eventBusHost) {
    if (!advertisedHost.equals(AUTO)) {
      return advertisedHost;
    }
    if (connectable(listenHost)) {
      return listenHost;
    }
    return eventBusHost != null ? eventBusHost : "127.0.0.1";
  }
}
