package io.echopair.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.echopair.runtime.Failures;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.tls.HandshakeFailure;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's server as a verticle: accepts clients on one port, logs each frame as {@code Recv Msg : <text>} and
 * echoes it, with backpressure, connection limits, timeouts, shared stats and a graceful stop.
 */
public final class EchoServerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EchoServerVerticle.class);

  /** Refused connections logged per instance per second; the rest are counted in the next line. */
  private static final int REFUSAL_LINES_PER_SECOND = 1;
  /** File descriptors the JVM, Vert.x and the cluster use besides the connections. */
  private static final int DESCRIPTORS_FOR_THE_REST = 100;

  private final ConfigSource source;
  private final long configScanPeriodMs;
  // Only touched on this instance's event loop
  private final Set<ClientConnection> connections = new LinkedHashSet<>();

  private LayeredConfig layeredConfig;
  private ConfigValues startValues;
  private ConfigValues latestValues;
  private ServerConfig config;
  private int logEvery;
  private ServerStats stats;
  private DeliveryLedger ledger;
  private ConnectionLimits limits;
  private LogTurns logTurns;
  private LogLimiter refusalLog;
  private LogLimiter handshakeLog;
  private ServerTls tls;
  private ClusterPresence presence;
  private boolean reporter;
  private NetServer server;
  private ServerStats.Snapshot lastReport;
  private long statsTimer = -1;
  private long sweepTimer = -1;
  private boolean stopping;

  /** Reads its configuration from {@code config()}, the JSON of the deployment options. */
  public EchoServerVerticle() {
    this(null);
  }

  public EchoServerVerticle(ConfigSource source) {
    this(source, LayeredConfig.DEFAULT_SCAN_PERIOD_MS);
  }

  /** For tests that change the file and do not want to wait a whole scan period. */
  EchoServerVerticle(ConfigSource source, long configScanPeriodMs) {
    this.source = source;
    this.configScanPeriodMs = configScanPeriodMs;
  }

  @Override
  public Future<?> start() {
    ConfigSource from = source != null ? source : ConfigSource.inline(config());
    layeredConfig = new LayeredConfig(vertx, from, ServerConfig.SCHEMA, Overrides.fromProcess(), configScanPeriodMs);
    stats = ServerStats.forDeployment(vertx, deploymentID());
    return layeredConfig.load()
        .compose(this::listen)
        .onSuccess(this::startServing)
        .compose(listening -> presence.announced())
        .onFailure(failure -> {
          stats.discardIfUnused(vertx, deploymentID());
          if (limits != null) {
            limits.discard(vertx, deploymentID());
          }
          releaseLedger();
          releaseTls();
        });
  }

  /** The port the server listens on; useful when the configuration said 0. */
  public int actualPort() {
    return server == null ? 0 : server.actualPort();
  }

  /** The settings the server started with, once started. */
  public ServerConfig settings() {
    return config;
  }

  /** Whether this instance is the one of its deployment that logs the stats lines, for tests. */
  boolean reportsStats() {
    return reporter;
  }

  /** What this instance's connections hold in memory (held reads, unsent echoes), each, for tests. */
  Future<List<Long>> retainedBytesPerConnection() {
    Promise<List<Long>> retained = Promise.promise();
    context.runOnContext(v -> retained.complete(connections.stream().map(ClientConnection::retainedBytes).toList()));
    return retained.future();
  }

  /** The deployment's duplicate tracking, for tests. */
  DeliveryLedger ledger() {
    return ledger;
  }

  /** The counters of this deployment, for tests. */
  ServerStats stats() {
    return stats;
  }

  private Future<NetServer> listen(ConfigValues values) {
    startValues = values;
    latestValues = values;
    config = ServerConfig.from(values);
    logEvery = config.logEvery();
    ledger = DeliveryLedger.acquire(vertx, deploymentID(), config.dedupWindow(), config.maxTrackedSenders());
    limits = ConnectionLimits.forDeployment(vertx, deploymentID(), config.maxConnections(),
        config.maxConnectionsPerAddress());
    logTurns = new LogTurns(vertx, LogBacklog.of(FrameIntake.class.getName()));
    refusalLog = new LogLimiter(REFUSAL_LINES_PER_SECOND, TimeUnit.SECONDS.toNanos(1));
    handshakeLog = new LogLimiter(REFUSAL_LINES_PER_SECOND, TimeUnit.SECONDS.toNanos(1));
    server = vertx.createNetServer().connectHandler(this::handleConnection);
    Future<?> tlsReady = Future.succeededFuture();
    if (config.tls()) {
      tls = ServerTls.acquire(vertx, deploymentID(), config, configScanPeriodMs);
      tlsReady = tls.ready();
    }
    return tlsReady.compose(ready -> server.listen(bindPort(), config.host()).recover(this::explainListenFailure));
  }

  /** Port 0 would give each instance its own port; a negative id makes the instances of this deployment share one. */
  private int bindPort() {
    return config.port() != 0 ? config.port() : -1 - (deploymentID().hashCode() & 0x3fff_ffff);
  }

  private Future<NetServer> explainListenFailure(Throwable cause) {
    return Future.failedFuture(new VertxException(
        "Cannot listen on " + config.host() + ":" + config.port() + ": " + Failures.message(cause), true));
  }

  private void startServing(NetServer listening) {
    reporter = stats.join();
    presence = ClusterPresence.start(vertx, deploymentID(), startValues, listening.actualPort(), reporter, stats);
    if (reporter) {
      LOG.info("Echo server listening on {}:{} ({}-byte frames, echo {}{})", config.host(), listening.actualPort(),
          config.frameSize(), config.echo() ? "on" : "off", tls == null ? "" : ", " + tls.describe());
      lastReport = stats.snapshot();
      statsTimer = vertx.setPeriodic(config.statsIntervalMs(), this::reportStats);
      warnIfDescriptorsRunOutFirst();
    }
    long shortestTimeoutSeconds = shortestTimeoutSeconds();
    if (shortestTimeoutSeconds > 0) {
      long sweepMs = Math.max(100, Math.min(1000, shortestTimeoutSeconds * 1000L / 4));
      sweepTimer = vertx.setPeriodic(sweepMs, this::closeStalledConnections);
    }
    layeredConfig.watch(this::applyConfigChange);
  }

  /** A connection is a file descriptor: a limit above what the process may open would never be the one that acts. */
  private void warnIfDescriptorsRunOutFirst() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
      long forConnections = unix.getMaxFileDescriptorCount() - DESCRIPTORS_FOR_THE_REST;
      if (config.maxConnections() > forConnections) {
        LOG.warn("maxConnections {} is more than this process's limit of {} open files leaves for connections "
            + "(ulimit -n): it runs out of file descriptors first; raise the limit or lower maxConnections",
            config.maxConnections(), unix.getMaxFileDescriptorCount());
      }
    }
  }

  private void handleConnection(NetSocket socket) {
    String address = addressOf(socket.remoteAddress());
    String peer = describe(socket.remoteAddress());
    String refusal = limits.admit(address);
    if (refusal != null) {
      refuse(socket, peer, refusal);
      return;
    }
    if (tls == null) {
      serve(socket, peer, address, ClientIdentity.plain(address));
    } else {
      handshake(socket, peer, address);
    }
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
    ssl.handshakeFuture().addListener(handshake -> ((ContextInternal) context).dispatch(v -> {
      if (handshake.isSuccess()) {
        serve(socket, peer, address, ClientIdentity.afterHandshake(socket, address));
      } else {
        refuseHandshake(socket, peer, address, handshake.cause());
      }
    }));
  }

  private void serve(NetSocket socket, String peer, String address, ClientIdentity identity) {
    ClientConnection connection = new ClientConnection(vertx, socket, config, logEvery, stats, ledger, peer, identity,
        logTurns, closed -> {
          connections.remove(closed);
          limits.release(address);
        });
    connection.publishTo(presence.publisher());
    connections.add(connection.open());
    if (stopping) {
      connection.close(ClientConnection.SERVER_STOPPING);
    }
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

  private void reportStats(long timerId) {
    ServerStats.Snapshot now = stats.snapshot();
    LOG.info("Stats: {}{}", now.describeSince(lastReport), ledger.describe());
    lastReport = now;
  }

  private long shortestTimeoutSeconds() {
    long idle = config.idleTimeoutSeconds();
    long frame = config.frameTimeoutSeconds();
    return idle == 0 ? frame : frame == 0 ? idle : Math.min(idle, frame);
  }

  /** One sweep over this instance's connections for both timeouts, rather than timers per connection. */
  private void closeStalledConnections(long timerId) {
    long now = System.nanoTime();
    long idleLimit = TimeUnit.SECONDS.toNanos(config.idleTimeoutSeconds());
    long frameLimit = TimeUnit.SECONDS.toNanos(config.frameTimeoutSeconds());
    for (ClientConnection connection : List.copyOf(connections)) {
      connection.closeIfStalled(now, idleLimit, frameLimit);
    }
  }

  /** logEvery and statsIntervalMs apply at once; every other key needs a restart. */
  private void applyConfigChange(ConfigValues next) {
    for (String key : latestValues.changedKeys(next)) {
      switch (key) {
        case "logEvery" -> applyLogEvery(next.integer(key));
        case "statsIntervalMs" -> applyStatsInterval(next.integer(key));
        default -> reportRestartNeeded(key, next);
      }
    }
    latestValues = next;
  }

  private void applyLogEvery(int value) {
    logEvery = value;
    connections.forEach(connection -> connection.logEvery(value));
    if (reporter) {
      LOG.info("Configuration changed: server.logEvery = {} applied", value);
    }
  }

  private void applyStatsInterval(int value) {
    if (!reporter) {
      return;
    }
    vertx.cancelTimer(statsTimer);
    statsTimer = vertx.setPeriodic(value, this::reportStats);
    LOG.info("Configuration changed: server.statsIntervalMs = {} applied", value);
  }

  private void reportRestartNeeded(String key, ConfigValues next) {
    if (!reporter) {
      return;
    }
    Object running = startValues.toJson().getValue(key);
    Object wanted = next.toJson().getValue(key);
    if (Objects.equals(running, wanted)) {
      LOG.info("Configuration changed: server.{} is back to {}, the value in use", key, ConfigException.render(running));
    } else {
      LOG.warn("Configuration changed: server.{} = {} needs a restart; still using {}", key,
          ConfigException.render(wanted), ConfigException.render(running));
    }
  }

  /**
   * Stops accepting, closes every connection once its echoes are written (cutting those that take longer than
   * closeTimeoutSeconds), then the last instance of the deployment logs the final stats.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    // First, so that senders looking for a server no longer find this one
    presence.close();
    vertx.cancelTimer(statsTimer);
    vertx.cancelTimer(sweepTimer);
    layeredConfig.close();
    List.copyOf(connections).forEach(connection -> connection.close(ClientConnection.SERVER_STOPPING));
    return server.shutdown(config.closeTimeoutSeconds(), TimeUnit.SECONDS)
        .eventually(this::allClosed)
        .andThen(done -> logTurns.close())
        .andThen(done -> logFinalStats())
        .andThen(done -> releaseLedger())
        .andThen(done -> releaseTls());
  }

  private Future<Void> allClosed() {
    List<Future<Void>> closing = new ArrayList<>();
    connections.forEach(connection -> closing.add(connection.closed()));
    return Future.join(closing).mapEmpty();
  }

  private void logFinalStats() {
    if (stats.leave(vertx, deploymentID())) {
      limits.discard(vertx, deploymentID());
      LOG.info("Final stats: {}{}", stats.snapshot().describeSince(stats.created()), ledger.describe());
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

  private void releaseTls() {
    if (tls != null) {
      tls.release(vertx, deploymentID());
      tls = null;
    }
  }

  private void releaseLedger() {
    if (ledger != null) {
      ledger.release(vertx, deploymentID());
      ledger = null;
    }
  }
}
