package io.echopair.server;

import io.echopair.runtime.Failures;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.LiveConfig;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.management.PieceProbes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.healthchecks.Status;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's server as a verticle: accepts clients on one port, logs each frame as {@code Recv Msg : <text>} and
 * echoes it, with backpressure, connection limits, timeouts, shared stats and a graceful stop.
 *
 * <p>It checks its own configuration in {@link #start()}: whoever deploys it, a bad key fails the deployment with
 * one {@link io.echopair.runtime.config.ConfigException} naming the key, the value and what is wrong.
 */
public final class EchoServerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EchoServerVerticle.class);

  private final ConfigSource source;
  private final Overrides overrides;
  private final long configScanPeriodMs;
  // Only touched on this instance's event loop
  private final Set<ClientConnection> connections = new LinkedHashSet<>();

  private LayeredConfig layeredConfig;
  // The settings in force, swapped whole on a live change; null until the server listens
  private LiveConfig<ServerConfig> live;
  private ServerStats stats;
  private DeliveryLedger ledger;
  private ConnectionLimits limits;
  private ConnectionAdmission admission;
  private LogTurns logTurns;
  private ServerTls tls;
  private ClusterPresence presence;
  private PieceProbes probes;
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
    this(source, Overrides.fromProcess(), configScanPeriodMs);
  }

  /** For tests that give overrides of their own rather than this process's. */
  EchoServerVerticle(ConfigSource source, Overrides overrides, long configScanPeriodMs) {
    this.source = source;
    this.overrides = overrides;
    this.configScanPeriodMs = configScanPeriodMs;
  }

  @Override
  public Future<?> start() {
    ConfigSource from = source != null ? source : ConfigSource.inline(config());
    layeredConfig = new LayeredConfig(vertx, from, ServerConfig.SCHEMA, overrides, configScanPeriodMs);
    stats = ServerStats.forDeployment(vertx, deploymentID());
    return layeredConfig.load()
        .compose(this::startWith)
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

  /** The settings in force, once started: those it started with, with the live keys changed since. */
  public ServerConfig settings() {
    return live == null ? null : live.current();
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

  /** Checks the values as a whole (the heap, the TLS files), then listens and serves. */
  private Future<NetServer> startWith(ConfigValues values) {
    ServerConfig config = ServerConfig.from(values);
    return listen(config).onSuccess(listening -> startServing(values, config, listening));
  }

  private Future<NetServer> listen(ServerConfig config) {
    ledger = DeliveryLedger.acquire(vertx, deploymentID(), config.dedupWindow(), config.maxTrackedSenders());
    limits = ConnectionLimits.forDeployment(vertx, deploymentID(), config.maxConnections(),
        config.maxConnectionsPerAddress());
    logTurns = new LogTurns(vertx, LogBacklog.of(FrameIntake.class.getName()));
    Future<?> tlsReady = Future.succeededFuture();
    if (config.tls()) {
      tls = ServerTls.acquire(vertx, deploymentID(), config, configScanPeriodMs);
      tlsReady = tls.ready();
    }
    admission = new ConnectionAdmission(context, limits, tls, stats, this::serve);
    server = vertx.createNetServer().connectHandler(admission::accept);
    return tlsReady.compose(ready -> server.listen(bindPort(config), config.host())
        .recover(cause -> explainListenFailure(config, cause)));
  }

  /** Port 0 would give each instance its own port; a negative id makes the instances of this deployment share one. */
  private int bindPort(ServerConfig config) {
    return config.port() != 0 ? config.port() : -1 - (deploymentID().hashCode() & 0x3fff_ffff);
  }

  private static Future<NetServer> explainListenFailure(ServerConfig config, Throwable cause) {
    return Future.failedFuture(new VertxException(
        "Cannot listen on " + config.host() + ":" + config.port() + ": " + Failures.message(cause), true));
  }

  private void startServing(ConfigValues values, ServerConfig config, NetServer listening) {
    reporter = stats.join();
    live = new LiveConfig<>(values, config, ServerConfig.LIVE_KEYS, ServerConfig::from, ServerConfig::withLiveKeysOf,
        reporter);
    presence = ClusterPresence.start(vertx, deploymentID(), config, listening.actualPort(), reporter, stats);
    probes = PieceProbes.of(vertx, context).ready("server", this::readiness);
    if (reporter) {
      if (deployedWithoutConfiguration()) {
        LOG.warn("No configuration given: the deployment's config() is empty, so every server key takes its default "
            + "(did -conf name a readable JSON file?)");
      }
      LOG.info("Echo server listening on {}:{} ({}-byte frames, echo {}{})", config.host(), listening.actualPort(),
          config.frameSize(), config.echo() ? "on" : "off", tls == null ? "" : ", " + tls.describe());
      lastReport = stats.snapshot();
      statsTimer = vertx.setPeriodic(config.statsIntervalMs(), this::reportStats);
      ServerMeters.register(probes, stats, ledger);
      ConnectionAdmission.warnIfDescriptorsRunOutFirst(config.maxConnections());
    }
    long shortestTimeoutSeconds = shortestTimeoutSeconds(config);
    if (shortestTimeoutSeconds > 0) {
      long sweepMs = Math.max(100, Math.min(1000, shortestTimeoutSeconds * 1000L / 4));
      sweepTimer = vertx.setPeriodic(sweepMs, this::closeStalledConnections);
    }
    layeredConfig.watch(next -> {
      ServerConfig before = live.current();
      live.change(next).ifPresent(changed -> apply(before, changed));
    });
  }

  /** Deployed by class name, VertxApplication hands an empty config() when its -conf is missing or unreadable. */
  private boolean deployedWithoutConfiguration() {
    JsonObject given = config();
    return source == null && (given == null || given.isEmpty());
  }

  private void serve(NetSocket socket, String peer, String address, ClientIdentity identity) {
    ClientConnection connection = new ClientConnection(vertx, socket, live.current(), stats, ledger, peer, identity,
        logTurns, closed -> {
          connections.remove(closed);
          admission.release(address);
        });
    connection.publishTo(presence.publisher());
    connections.add(connection.open());
    if (stopping) {
      connection.close(ClientConnection.SERVER_STOPPING);
    }
  }

  /** Ready while it listens and is not stopping: {@code /ready} turns 503 as soon as the stop begins. */
  private Status readiness() {
    JsonObject data = new JsonObject().put("listening", live.current().host() + ":" + server.actualPort());
    return stopping ? Status.KO(data.put("stopping", true)) : Status.OK(data);
  }

  private void reportStats(long timerId) {
    ServerStats.Snapshot now = stats.snapshot();
    logStats("Stats", now, lastReport);
    lastReport = now;
  }

  /** {@code Stats: 1 connections open, ...} with its figures also as fields, which JSON lines show. */
  private void logStats(String title, ServerStats.Snapshot now, ServerStats.Snapshot earlier) {
    ledger.addFigures(now.addFiguresSince(earlier, LOG.atInfo()))
        .addKeyValue("streamPublished", stats.framesPublished())
        .addKeyValue("streamDropped", stats.framesNotPublished())
        .log("{}: {}{}{}", title, now.describeSince(earlier), ledger.describe(), stats.describeStream());
  }

  private static long shortestTimeoutSeconds(ServerConfig config) {
    long idle = config.idleTimeoutSeconds();
    long frame = config.frameTimeoutSeconds();
    return idle == 0 ? frame : frame == 0 ? idle : Math.min(idle, frame);
  }

  /** One sweep over this instance's connections for both timeouts, rather than timers per connection. */
  private void closeStalledConnections(long timerId) {
    long now = System.nanoTime();
    long idleLimit = TimeUnit.SECONDS.toNanos(live.current().idleTimeoutSeconds());
    long frameLimit = TimeUnit.SECONDS.toNanos(live.current().frameTimeoutSeconds());
    for (ClientConnection connection : List.copyOf(connections)) {
      connection.closeIfStalled(now, idleLimit, frameLimit);
    }
  }

  /** A live change (LiveConfig logged it): the connections get the new settings, the stats timer its interval. */
  private void apply(ServerConfig before, ServerConfig changed) {
    connections.forEach(connection -> connection.use(changed));
    if (reporter && changed.statsIntervalMs() != before.statsIntervalMs()) {
      vertx.cancelTimer(statsTimer);
      statsTimer = vertx.setPeriodic(changed.statsIntervalMs(), this::reportStats);
    }
  }

  /**
   * Stops accepting, closes every connection once its echoes are written (cutting those that take longer than
   * closeTimeoutSeconds), then the last instance of the deployment logs the final stats.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    admission.stopping();
    // First, so that senders looking for a server no longer find this one
    presence.close();
    vertx.cancelTimer(statsTimer);
    vertx.cancelTimer(sweepTimer);
    layeredConfig.close();
    List.copyOf(connections).forEach(connection -> connection.close(ClientConnection.SERVER_STOPPING));
    return server.shutdown(live.current().closeTimeoutSeconds(), TimeUnit.SECONDS)
        .eventually(this::allClosed)
        .andThen(done -> logTurns.close())
        .andThen(done -> logFinalStats())
        .andThen(done -> releaseLedger())
        .andThen(done -> releaseTls())
        .andThen(done -> probes.close());
  }

  private Future<Void> allClosed() {
    List<Future<Void>> closing = new ArrayList<>();
    connections.forEach(connection -> closing.add(connection.closed()));
    return Future.join(closing).mapEmpty();
  }

  private void logFinalStats() {
    if (stats.leave(vertx, deploymentID())) {
      limits.discard(vertx, deploymentID());
      logStats("Final stats", stats.snapshot(), stats.created());
    }
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
