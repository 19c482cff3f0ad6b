package io.echopair.runtime.management;

import io.echopair.runtime.Failures;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management endpoint, over HTTP:
 * <ul>
 *   <li>{@code GET /metrics}: every meter in the Prometheus text format (Vert.x's, the JVM's, the pieces');</li>
 *   <li>{@code GET /health}: liveness, 200 or 503 with a JSON body listing each check;</li>
 *   <li>{@code GET /ready}: readiness, the same way.</li>
 * </ul>
 * The launcher deploys it before the pieces and stops it after them, so that {@code /ready} answers 503 while they
 * drain.
 */
public final class ManagementEndpoint extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementEndpoint.class);

  /** How long a scrape waits for the pieces' figures before it answers with those it has. */
  private static final long REFRESH_TIMEOUT_MS = 2000;

  private final ManagementConfig config;
  private final Probes probes;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  public ManagementEndpoint(ManagementConfig config, Probes probes, PrometheusMeterRegistry registry) {
    this.config = config;
    this.probes = probes;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(this::refreshFigures).handler(PrometheusScrapingHandler.create(registry));
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(probes.liveness()));
    router.get("/ready").handler(HealthCheckHandler.createWithHealthChecks(probes.readiness()));
    // HTTP/1.1 only, as scrapers and probes speak it: no h2c upgrade, whose flow control a large page can stall
    server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(router);
    return server.listen(config.port(), config.host())
        .onSuccess(listening -> LOG.info("Management endpoint on http://{}:{}: /metrics, /health, /ready",
            config.host(), listening.actualPort()))
        .recover(cause -> Future.failedFuture(new VertxException("Cannot listen on management.host:management.port "
            + config.host() + ":" + config.port() + ": " + Failures.message(cause), true)));
  }

  /** The port it listens on; useful when {@code management.port} was 0. */
  public int actualPort() {
    return server == null ? 0 : server.actualPort();
  }

  /** Asks the pieces' event loops for their figures, then scrapes back on this verticle's own event loop. */
  private void refreshFigures(RoutingContext request) {
    probes.refresh()
        .timeout(REFRESH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        // The refreshes complete on the pieces' event loops, a timeout on Netty's global executor
        .onComplete(refreshed -> context.runOnContext(v -> request.next()));
  }
}
