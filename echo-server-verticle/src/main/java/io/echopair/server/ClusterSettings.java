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
 */
record ClusterSettings(String advertisedHost, boolean publish, String publishAddress) {

  static final String ADVERTISED_HOST = "advertisedHost";
  static final String PUBLISH = "publish";
  static final String PUBLISH_ADDRESS = "publishAddress";

  /** The advertised host is chosen from the listen host and the event bus: {@link #advertisedHost(String, String)}. */
  static final String AUTO = "auto";

  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");

  static ClusterSettings from(ConfigValues values) {
    return new ClusterSettings(values.string(ADVERTISED_HOST), values.bool(PUBLISH), values.string(PUBLISH_ADDRESS));
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
