package io.echopair.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.echopair.runtime.tls.HandshakeFailure;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an accepted socket before it is served, on one server instance's event loop: the connection limits,
 * then with TLS the handshake. A socket beyond a limit, or whose handshake fails, is closed with one line per second
 * at most.
 */
final class ConnectionAdmission {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionAdmission.class);

  /** Refused connections logged per instance per second; the rest are counted in the next line. */
  private static final int REFUSAL_LINES_PER_SECOND = 1;
  /** File descriptors the JVM, Vert.x and the cluster use besides the connections. */
  private static final int DESCRIPTORS_FOR_THE_REST = 100;

  /** Serves an admitted connection. */
  interface Admitted {
    void serve(NetSocket socket, String peer, String address, ClientIdentity identity);
  }

  private final ContextInternal context;
  private final ConnectionLimits limits;
  private final ServerTls tls;
  private final ServerStats stats;
  private final Admitted admitted;
  private final LogLimiter refusalLog = new LogLimiter(REFUSAL_LINES_PER_SECOND, TimeUnit.SECONDS.toNanos(1));
  private final LogLimiter handshakeLog = new LogLimiter(REFUSAL_LINES_PER_SECOND, TimeUnit.SECONDS.toNanos(1));
  private boolean stopping;

  /** @param tls the deployment's TLS, or null for plain TCP */
  ConnectionAdmission(Context context, ConnectionLimits limits, ServerTls tls, ServerStats stats, Admitted admitted) {
    this.context = (ContextInternal) context;
    this.limits = limits;
    this.tls = tls;
    this.stats = stats;
    this.admitted = admitted;
  }

  /** A connection is a file descriptor: a limit above what the process may open would never be the one that acts. */
  static void warnIfDescriptorsRunOutFirst(int maxConnections) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
      long forConnections = unix.getMaxFileDescriptorCount() - DESCRIPTORS_FOR_THE_REST;
      if (maxConnections > forConnections) {
        LOG.warn("maxConnections {} is more than this process's limit of {} open files leaves for connections "
            + "(ulimit -n): it runs out of file descriptors first; raise the limit or lower maxConnections",
            maxConnections, unix.getMaxFileDescriptorCount());
      }
    }
  }

  /** Takes a socket the server accepted: serves it once admitted, or closes it. */
  void accept(NetSocket socket) {
    String address = addressOf(socket.remoteAddress());
    String peer = describe(socket.remoteAddress());
    String refusal = limits.admit(address);
    if (refusal != null) {
      refuse(socket, peer, refusal);
    } else if (tls == null) {
      admitted.serve(socket, peer, address, ClientIdentity.plain(address));
    } else {
      handshake(socket, peer, address);
    }
  }

  /** Counts a served connection out of the limits once it closed. */
  void release(String address) {
    limits.release(address);
  }

  /** The server stops: handshakes that fail from now on are not worth a line. */
  void stopping() {
    stopping = true;
  }

  /**
   * Makes the TLS handshake of an admitted connection, then serves it; the handler goes first in the channel's
   * pipeline before anything is read, so it gets every byte the client sends.
   */
  private void handshake(NetSocket socket, String peer, String address) {
    ChannelHandlerContext channel = ((NetSocketInternal) socket).channelHandlerContext();
    SslHandler ssl = tls.newHandler(channel.alloc());
    // A failed handshake is reported once, below; the exception Netty also fires on the socket says nothing more
    socket.exceptionHandler(failure -> { });
    channel.pipeline().addFirst("ssl", ssl);
    // Netty completes the handshake on this instance's event loop: serving starts in the same turn, nothing unread
    ssl.handshakeFuture().addListener(handshake -> context.dispatch(v -> {
      if (handshake.isSuccess()) {
        admitted.serve(socket, peer, address, ClientIdentity.afterHandshake(socket, address));
      } else {
        refuseHandshake(socket, peer, address, handshake.cause());
      }
    }));
  }

  /** Closes a connection beyond a limit at once, with one line per second at most. */
  private void refuse(NetSocket socket, String peer, String why) {
    stats.refused();
    socket.close();
    if (refusalLog.allow(System.nanoTime())) {
      LOG.warn("Refused client {}: {}{}", peer, why, refusalLog.heldBackNote("more refused"));
    }
  }

  /** A connection whose handshake failed: Netty closed it; one line per second at most names why in words. */
  private void refuseHandshake(NetSocket socket, String peer, String address, Throwable failure) {
    limits.release(address);
    stats.refused();
    socket.close();
    if (!stopping && handshakeLog.allow(System.nanoTime())) {
      LOG.warn("Refused TLS handshake from {}: {}{}", peer, HandshakeFailure.describe(failure),
          handshakeLog.heldBackNote("more refused"));
    }
  }

  /** The client's address, without the port: where its sender ids are known, and what the per-address limit counts. */
  private static String addressOf(SocketAddress address) {
    if (address == null) {
      return "unknown";
    }
    return address.hostAddress() != null ? address.hostAddress() : address.host();
  }

  /** How log lines name a client: {@code 127.0.0.1:54048}, {@code [::1]:54048}. */
  private static String describe(SocketAddress address) {
    String host = addressOf(address);
    return address == null ? host : host.contains(":") ? "[" + host + "]:" + address.port() : host + ":" + address.port();
  }
}
