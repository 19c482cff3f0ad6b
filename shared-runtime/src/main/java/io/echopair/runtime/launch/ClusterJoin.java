package io.echopair.runtime.launch;

import io.echopair.runtime.Failures;
import io.echopair.runtime.cluster.ClusterConfig;
import io.echopair.runtime.cluster.ClusterNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxException;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.transport.Transport;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x builder of a {@code --cluster} start: joins with Hazelcast and {@link ClusterConfig}, gives up after a
 * bounded time, and turns a failure into one line saying why.
 */
final class ClusterJoin implements VertxBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterJoin.class);

  /** Time for the event bus to start once Hazelcast has joined (or given up by itself). */
  private static final long MARGIN_SECONDS = 10;
  /** VertxApplication waits 2 minutes at most; give up before it does, with a clearer line. */
  private static final long MAX_SECONDS = 110;

  private final VertxBuilder delegate;
  private final ClusterConfig config;

  ClusterJoin(VertxBuilder delegate, ClusterConfig config) {
    this.delegate = delegate;
    this.config = config;
  }

  /** How long a node may take to join: hazelcast.max.join.seconds of the configuration, plus a margin. */
  long limitSeconds() {
    return Math.min(config.maxJoinSeconds() + MARGIN_SECONDS, MAX_SECONDS);
  }

  @Override
  public Future<Vertx> buildClustered() {
    long started = System.nanoTime();
    LOG.info("Joining cluster \"{}\" (configuration from {})", config.clusterName(), config.origin());
    ClusterManager manager = new HazelcastClusterManager(config.hazelcast());
    Future<Vertx> joining = delegate.withClusterManager(manager).buildClustered();
    AtomicBoolean gaveUp = new AtomicBoolean();
    // A node that joins after we gave up leaves at once rather than linger in the cluster
    joining.onSuccess(vertx -> {
      if (gaveUp.get()) {
        vertx.close();
      }
    });
    CompletableFuture<Vertx> bounded = joining.toCompletionStage().toCompletableFuture()
        .orTimeout(limitSeconds(), TimeUnit.SECONDS);
    return Future.fromCompletionStage(bounded).transform(done -> {
      if (done.succeeded()) {
        logJoined(done.result(), started);
        return Future.succeededFuture(done.result());
      }
      gaveUp.set(done.cause() instanceof TimeoutException);
      return Future.failedFuture(explain(done.cause()));
    });
  }

  private void logJoined(Vertx vertx, long startedNanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    LOG.info("Joined cluster \"{}\" in {} ms ({} nodes); event bus at {}", config.clusterName(), ms,
        ClusterNodes.count(vertx), ClusterNodes.eventBusAddress(vertx));
  }

  /** One line, no stack trace: the launcher logs it as the reason of exit status 11. */
  private VertxException explain(Throwable cause) {
    String why = cause instanceof TimeoutException
        ? "not joined within " + limitSeconds() + " s (hazelcast.max.join.seconds is " + config.maxJoinSeconds() + ")"
        : Failures.rootLine(cause);
    return new VertxException("Cannot join cluster \"" + config.clusterName() + "\" (configuration from "
        + config.origin() + "): " + why, true);
  }


  // ---- the rest is the wrapped builder's

  @Override
  public VertxBuilder with(VertxOptions options) {
    delegate.with(options);
    return this;
  }

  @Override
  public VertxBuilder withMetrics(VertxMetricsFactory factory) {
    delegate.withMetrics(factory);
    return this;
  }

  @Override
  public VertxBuilder withTracer(VertxTracerFactory factory) {
    delegate.withTracer(factory);
    return this;
  }

  @Override
  public VertxBuilder withTransport(Transport transport) {
    delegate.withTransport(transport);
    return this;
  }

  @Override
  public VertxBuilder withClusterManager(ClusterManager clusterManager) {
    throw new UnsupportedOperationException("a --cluster start always uses Hazelcast with " + config.origin());
  }

  @Override
  public Vertx build() {
    return delegate.build();
  }
}
