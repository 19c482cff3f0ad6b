package io.echopair.runtime.launch;

import io.echopair.runtime.Failures;
import io.echopair.runtime.management.EventLoopWatch;
import io.echopair.runtime.management.ManagementConfig;
import io.echopair.runtime.management.ManagementEndpoint;
import io.echopair.runtime.management.Probes;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A start with {@code management.port} set: Vert.x's metrics into a Prometheus registry, the {@link Probes} the
 * pieces report to, the {@link ManagementEndpoint} deployed before them, and a stop that turns not-ready first.
 *
 * <p>On SIGTERM, before Vert.x undeploys anything, {@code /ready} answers 503, the pieces keep serving for
 * {@code management.stopDelayMs}, then they stop and drain while the endpoint still answers; it stops last.
 */
final class ManagementStart {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementStart.class);

  /** How long the start waits for the endpoint to listen. */
  private static final long LISTEN_TIMEOUT_SECONDS = 30;

  private enum Phase { STARTING, RUNNING, STOPPING }

  private final ManagementConfig config;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile Phase phase = Phase.STARTING;
  private volatile String piecesDeploymentId;
  private volatile ManagementEndpoint endpoint;
  private volatile long blockedThreadCheckIntervalMs = VertxOptions.DEFAULT_BLOCKED_THREAD_CHECK_INTERVAL;

  ManagementStart(ManagementConfig config) {
    this.config = config;
  }

  /** Turns Vert.x's metrics on, into this start's own registry. */
  VertxBuilder instrument(VertxOptions options, VertxBuilder builder) {
    blockedThreadCheckIntervalMs = options.getBlockedThreadCheckIntervalUnit()
        .toMillis(options.getBlockedThreadCheckInterval());
    options.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        // Each Vert.x instance its own: vertx-micrometer keeps its registries by name, JVM-wide
        .setRegistryName("echopair-" + UUID.randomUUID()));
    return builder.withMetrics(new MicrometerMetricsFactory(registry));
  }

  /**
   * Installs the probes and deploys the endpoint, waiting until it listens (blocking: the launcher's thread).
   *
   * @param stopAskedByPieces whether a stop was asked by the pieces themselves, not by SIGTERM
   * @return null when it listens, else why not, in one line
   */
  String started(Vertx vertx, BooleanSupplier stopAskedByPieces) {
    Probes probes = Probes.install(vertx, registry);
    probes.ready("deployment", vertx.getOrCreateContext(), this::deploymentStatus);
    if (vertx.isClustered()) {
      probes.ready("cluster", vertx.getOrCreateContext(), () -> clusterStatus(vertx));
    }
    EventLoopWatch.install(vertx, blockedThreadCheckIntervalMs, probes);
    ((VertxInternal) vertx).addCloseHook(completion -> stopFirst(vertx, stopAskedByPieces, completion));
    ManagementEndpoint deploying = new ManagementEndpoint(config, probes, registry);
    try {
      vertx.deployVerticle(deploying).await(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      endpoint = deploying;
      return null;
    } catch (Exception failed) {
      return Failures.message(failed);
    }
  }

  /** The port the endpoint listens on, once started. */
  int actualPort() {
    return endpoint == null ? 0 : endpoint.actualPort();
  }

  /** The pieces are deployed: ready, as far as the launcher knows. */
  void deployed(String deploymentId) {
    piecesDeploymentId = deploymentId;
    phase = Phase.RUNNING;
  }

  /** A Vert.x close hook, run before Vert.x undeploys anything. */
  private void stopFirst(Vertx vertx, BooleanSupplier stopAskedByPieces, Completable<Void> completion) {
    phase = Phase.STOPPING;
    String pieces = piecesDeploymentId;
    if (stopAskedByPieces.getAsBoolean() || pieces == null) {
      completion.succeed();
      return;
    }
    LOG.info("Stopping: /ready answers 503 from now{}", config.stopDelayMs() > 0
        ? "; the pieces keep serving for " + config.stopDelayMs() + " ms (management.stopDelayMs)" : "");
    Promise<Void> delayed = Promise.promise();
    if (config.stopDelayMs() > 0) {
      vertx.setTimer(config.stopDelayMs(), timer -> delayed.complete());
    } else {
      delayed.complete();
    }
    delayed.future()
        .compose(waited -> vertx.undeploy(pieces))
        .onComplete(undeployed -> completion.succeed());
  }

  private Status deploymentStatus() {
    JsonObject data = new JsonObject().put("phase", phase.name().toLowerCase());
    return phase == Phase.RUNNING ? Status.OK(data) : Status.KO(data);
  }

  private Status clusterStatus(Vertx vertx) {
    boolean active = ((VertxInternal) vertx).clusterManager().isActive();
    JsonObject data = new JsonObject().put("joined", active);
    return active && phase != Phase.STOPPING ? Status.OK(data) : Status.KO(data);
  }
}
