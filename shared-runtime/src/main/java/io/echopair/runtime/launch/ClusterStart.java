package io.echopair.runtime.launch;

import io.echopair.runtime.cluster.ClusterConfig;
import io.echopair.runtime.cluster.EventBusConnectFailures;
import io.echopair.runtime.cluster.EventBusTls;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.VertxApplication;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code --cluster} start, checked before Vert.x starts: joins with the Hazelcast configuration
 * ({@link ClusterJoin}), puts the event bus's TLS on the options, and says in one line each what happens.
 */
final class ClusterStart {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterStart.class);

  /** Where Vert.x logs a failed clustered start, each time with a stack trace. */
  private static final String[] CLUSTER_START_LOGGERS =
      {"io.vertx.core.impl.VertxImpl", VertxApplication.class.getName()};

  private final ClusterConfig config;
  private final EventBusTls.Prepared eventBusTls;
  private volatile MutedLoggers mutedDuringJoin;

  /**
   * @param eventBusTls the event bus's checked TLS; null when the cluster section sets none
   */
  ClusterStart(ClusterConfig config, EventBusTls.Prepared eventBusTls) {
    this.config = config;
    this.eventBusTls = eventBusTls;
  }

  /** Says where the configuration comes from, and mutes Vert.x's own reports of a failed join. */
  void beforeJoining() {
    LOG.info("Cluster configuration from {}", config.origin());
    if (eventBusTls != null) {
      LOG.info("Event bus: {}", eventBusTls.describe());
      eventBusTls.warnIfExpiring();
    }
    mutedDuringJoin = MutedLoggers.mute(CLUSTER_START_LOGGERS);
    EventBusConnectFailures.install();
  }

  /** Puts the event bus's TLS, if any, on the options Vert.x is built with. */
  void secureEventBus(VertxOptions options) {
    if (eventBusTls != null) {
      eventBusTls.applyTo(options.getEventBusOptions());
    }
  }

  /** {@code builder}, joining the cluster within a bounded time. */
  VertxBuilder join(VertxBuilder builder) {
    return new ClusterJoin(builder, config);
  }

  void joined(Vertx vertx) {
    if (eventBusTls != null) {
      vertx.setPeriodic(TimeUnit.DAYS.toMillis(1), daily -> eventBusTls.warnIfExpiring());
    }
    unmute();
  }

  /** One line for a join that failed; {@code failure} is null when Vert.x gave up waiting for it. */
  void failedToJoin(Throwable failure) {
    LOG.error(failure != null ? failure.getMessage()
        : "Cannot join cluster \"" + config.clusterName() + "\": timed out");
  }

  void leaving() {
    LOG.info("Leaving cluster \"{}\"", config.clusterName());
  }

  /** Gives Vert.x's loggers their level back, once the join succeeded or failed. */
  void unmute() {
    MutedLoggers muted = mutedDuringJoin;
    if (muted != null) {
      muted.close();
    }
  }
}
