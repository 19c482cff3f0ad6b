package io.echopair.server;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.Overrides;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
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
 * echoes it, with backpressure, idle timeout, shared stats and a graceful stop.
 */
public final class EchoServerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EchoServerVerticle.class);

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
  private ClusterPresence presence;
  private boolean reporter;
  private NetServer server;
  private ServerStats.Snapshot lastReport;
  private long statsTimer = -1;
  private long idleTimer = -1;
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
          releaseLedger();
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
    server = vertx.createNetServer().connectHandler(this::handleConnection);
    return server.listen(bindPort(), config.host()).recover(this::explainListenFailure);
  }

  /** Port 0 would give each instance its own port; a negative id makes the instances of this deployment share one. */
  private int bindPort() {
    return config.port() != 0 ? config.port() : -1 - (deploymentID().hashCode() & 0x3fff_ffff);
  }

  private Future<NetServer> explainListenFailure(Throwable cause) {
    String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    return Future.failedFuture(
        new VertxException("Cannot listen on " + config.host() + ":" + config.port() + ": " + why, true));
  }

  private void startServing(NetServer listening) {
    reporter = stats.join();
    presence = ClusterPresence.start(vertx, deploymentID(), startValues, listening.actualPort(), reporter, stats);
    if (reporter) {
      LOG.info("Echo server listening on {}:{} ({}-byte frames, echo {})", config.host(), listening.actualPort(),
          config.frameSize(), config.echo() ? "on" : "off");
      lastReport = stats.snapshot();
      statsTimer = vertx.setPeriodic(config.statsIntervalMs(), this::reportStats);
    }
    if (config.idleTimeoutSeconds() > 0) {
      long sweepMs = Math.max(100, Math.min(1000, config.idleTimeoutSeconds() * 1000L / 4));
      idleTimer = vertx.setPeriodic(sweepMs, this::closeIdleConnections);
    }
    layeredConfig.watch(this::applyConfigChange);
  }

  private void handleConnection(NetSocket socket) {
    ClientConnection connection = new ClientConnection(vertx, socket, config, logEvery, stats, ledger,
        connections::remove);
    connection.publishTo(presence.publisher());
    connections.add(connection.open());
    if (stopping) {
      connection.close(ClientConnection.SERVER_STOPPING);
    }
  }

  private void reportStats(long timerId) {
    ServerStats.Snapshot now = stats.snapshot();
    LOG.info("Stats: {}{}", now.describeSince(lastReport), ledger.describe());
    lastReport = now;
  }

  /** One sweep over this instance's connections rather than one timer per connection. */
  private void closeIdleConnections(long timerId) {
    long now = System.nanoTime();
    long limit = TimeUnit.SECONDS.toNanos(config.idleTimeoutSeconds());
    for (ClientConnection connection : List.copyOf(connections)) {
      if (connection.idleNanos(now) >= limit) {
        connection.closeIdle();
      }
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
    vertx.cancelTimer(idleTimer);
    layeredConfig.close();
    List.copyOf(connections).forEach(connection -> connection.close(ClientConnection.SERVER_STOPPING));
    return server.shutdown(config.closeTimeoutSeconds(), TimeUnit.SECONDS)
        .eventually(this::allClosed)
        .andThen(done -> logFinalStats())
        .andThen(done -> releaseLedger());
  }

  private Future<Void> allClosed() {
    List<Future<Void>> closing = new ArrayList<>();
    connections.forEach(connection -> closing.add(connection.closed()));
    return Future.join(closing).mapEmpty();
  }

  private void logFinalStats() {
    if (stats.leave(vertx, deploymentID())) {
      LOG.info("Final stats: {}{}", stats.snapshot().describeSince(stats.created()), ledger.describe());
    }
  }

  private void releaseLedger() {
    if (ledger != null) {
      ledger.release(vertx, deploymentID());
      ledger = null;
    }
  }
}
