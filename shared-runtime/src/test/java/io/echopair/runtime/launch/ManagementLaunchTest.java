package io.echopair.runtime.launch;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.management.ManagementEndpoint;
import io.echopair.runtime.management.PieceProbes;
import io.echopair.runtime.management.Probes;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.launcher.application.VertxApplication;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The management endpoint of a launched piece")
class ManagementLaunchTest {

  static final ConfigSchema SCHEMA = ConfigSchema.section("probed").integer("unused", 0, 0, 1, "Nothing");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
  private final LogCapture endpointLog = LogCapture.of(ManagementEndpoint.class);
  private final LogCapture startLog = LogCapture.of(ManagementStart.class);
  private final LogCapture applicationLog = LogCapture.of(VertxApplication.class);
  private final ProbedPiece piece = new ProbedPiece();
  private EchoPairLauncher launcher;

  @AfterEach
  void closeVertx() throws Exception {
    endpointLog.close();
    startLog.close();
    applicationLog.close();
    piece.verticles.forEach(verticle -> verticle.stopGate.tryComplete());
    Vertx vertx = launcher == null ? null : launcher.vertx();
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  @DisplayName("listens on the port the OS chose, says where, and serves Vert.x's, the JVM's and the piece's meters")
  void metrics() throws Exception {
    int port = start("{\"management\": {\"port\": 0}}");
    ILoggingEvent line = await(endpointLog.awaitContaining("Management endpoint on"));
    assertThat(line.getFormattedMessage())
        .isEqualTo("Management endpoint on http://127.0.0.1:" + port + ": /metrics, /health, /ready");

    HttpResponse<String> first = get(port, "/metrics");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type)
        .startsWith("text/plain"));
    assertThat(first.body())
        .contains("jvm_memory_used_bytes{", "vertx_http_server_active_connections ", "vertx_pool_in_use{")
        .contains("# HELP echopair_probed_things_total Things the piece did")
        .contains("echopair_probed_things_total 0.0");

    piece.verticles.get(0).things.addAndGet(42);
    assertThat(get(port, "/metrics").body())
        .contains("echopair_probed_things_total 42.0")
        // The first scrape, counted by Vert.x's HTTP server metrics
        .contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\"} 1.0");
  }

  @Test
  @DisplayName("/ready is 503 until every check passes, then 200, and follows the piece's state, check by check")
  void readiness() throws Exception {
    int port = start("{\"management\": {\"port\": 0}}");

    HttpResponse<String> notYet = get(port, "/ready");
    assertThat(notYet.statusCode()).isEqualTo(503);
    assertThat(checks(notYet)).containsExactlyInAnyOrder("deployment UP", "probed DOWN");
    assertThat(new JsonObject(notYet.body()).getString("status")).isEqualTo("DOWN");

    piece.verticles.get(0).ready = true;
    HttpResponse<String> ready = get(port, "/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(checks(ready)).containsExactlyInAnyOrder("deployment UP", "probed UP");

    piece.verticles.get(0).ready = false;
    assertThat(get(port, "/ready").statusCode()).isEqualTo(503);
  }

  @Test
  @DisplayName("/health is 503 while an event loop is blocked past its limit, naming the thread, and 200 once it runs")
  void liveness() throws Exception {
    int port = start("{\"management\": {\"port\": 0}}", "--options",
        "{\"blockedThreadCheckInterval\": 50, \"maxEventLoopExecuteTime\": 100, "
            + "\"maxEventLoopExecuteTimeUnit\": \"MILLISECONDS\", \"warningExceptionTime\": 60, "
            + "\"warningExceptionTimeUnit\": \"SECONDS\"}");
    assertThat(get(port, "/health").statusCode()).isEqualTo(200);
    String endpointThread = await(endpointLog.awaitContaining("Management endpoint on")).getThreadName();
    Context other = contextNotOn(launcher.vertx(), endpointThread);
    String blockedThread = await(threadOf(other));
    LogCapture checker = LogCapture.of("io.vertx.core.impl.BlockedThreadChecker");

    CountDownLatch release = new CountDownLatch(1);
    other.runOnContext(v -> awaitQuietly(release));
    try {
      await(checker.awaitContaining("Thread " + blockedThread + " has been blocked for"));
      HttpResponse<String> blocked = get(port, "/health");
      assertThat(blocked.statusCode()).isEqualTo(503);
      JsonObject check = new JsonObject(blocked.body()).getJsonArray("checks").getJsonObject(0);
      assertThat(check.getString("id")).isEqualTo("eventLoops");
      assertThat(check.getJsonObject("data").getJsonObject("blocked").getString(blockedThread))
          .startsWith("blocked for ");
    } finally {
      release.countDown();
    }
    // Runs again: the checker stops reporting it, and the check passes once its last report is two intervals old
    await(threadOf(other));
    await(awaitHealthy(port));
    checker.close();
  }

  @Test
  @DisplayName("on SIGTERM, /ready turns 503 before the pieces stop, and answers while they drain")
  void notReadyBeforeDraining() throws Exception {
    int port = start("{\"management\": {\"port\": 0}}");
    ProbedVerticle verticle = piece.verticles.get(0);
    verticle.ready = true;
    assertThat(get(port, "/ready").statusCode()).isEqualTo(200);

    // What VertxApplication's shutdown hook does on SIGTERM
    Future<Void> closed = launcher.vertx().close();
    await(verticle.stopping.future());

    HttpResponse<String> draining = get(port, "/ready");
    assertThat(draining.statusCode()).isEqualTo(503);
    assertThat(checks(draining)).contains("deployment DOWN");
    assertThat(draining.body()).contains("{\"id\":\"deployment\",\"status\":\"DOWN\",\"data\":{\"phase\":\"stopping\"}}");
    assertThat(closed.isComplete()).isFalse();
    verticle.stopGate.complete();
    await(closed);
    assertThat(startLog.lines()).containsExactly("INFO Stopping: /ready answers 503 from now");
  }

  @Test
  @DisplayName("with management.stopDelayMs, the pieces keep serving that long after SIGTERM, not ready")
  void stopDelay() throws Exception {
    int port = start("{\"management\": {\"port\": 0, \"stopDelayMs\": 3000}}");
    ProbedVerticle verticle = piece.verticles.get(0);
    verticle.ready = true;
    verticle.stopGate.complete();

    Future<Void> closed = launcher.vertx().close();
    await(startLog.awaitContaining("Stopping: /ready answers 503 from now"));
    assertThat(get(port, "/ready").statusCode()).isEqualTo(503);
    assertThat(verticle.stopping.future().isComplete()).as("the piece was stopped before the delay").isFalse();
    await(closed);
    assertThat(verticle.stopping.future().isComplete()).isTrue();
    assertThat(startLog.lines()).containsExactly(
        "INFO Stopping: /ready answers 503 from now; the pieces keep serving for 3000 ms (management.stopDelayMs)");
  }

  @Test
  @DisplayName("a management port in use: exit 15, one line naming the key, and the piece never starts")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      launcher = new EchoPairLauncher(new String[] {"--conf",
          "{\"management\": {\"port\": " + taken.getLocalPort() + "}}"}, piece, Overrides.none());

      assertThat(launcher.run()).isEqualTo(ExitStatus.DEPLOYMENT);

      assertThat(piece.verticles).isEmpty();
      assertThat(applicationLog.events(message -> message.startsWith("Failed in deploying"))).singleElement()
          .satisfies(failed -> assertThat(failed.getThrowableProxy().getMessage()).startsWith(
              "Cannot listen on management.host:management.port 127.0.0.1:" + taken.getLocalPort() + ": "));
    }
  }

  @Test
  @DisplayName("a bad management key: exit 78 and one line naming it, before Vert.x starts")
  void invalidKey() {
    LogCapture launcherLog = LogCapture.of(EchoPairLauncher.class);
    launcher = new EchoPairLauncher(new String[] {"--conf", "{\"management\": {\"port\": 70000}}"}, piece,
        Overrides.none());

    assertThat(launcher.run()).isEqualTo(ExitStatus.CONFIG);

    assertThat(launcherLog.lines()).containsExactly(
        "ERROR Invalid configuration: management.port = 70000: must be between -1 and 65535");
    assertThat(launcher.vertx()).isNull();
    launcherLog.close();
  }

  @Test
  @DisplayName("without management.port nothing listens, and the piece's probes do nothing")
  void off() throws Exception {
    launcher = new EchoPairLauncher(new String[0], piece, Overrides.none());

    assertThat(launcher.run()).isEqualTo(ExitStatus.OK);

    assertThat(launcher.managementPort()).isZero();
    assertThat(Probes.of(launcher.vertx())).isEmpty();
    assertThat(piece.verticles.get(0).probes.enabled()).isFalse();
    assertThat(endpointLog.lines()).isEmpty();
  }

  /** Runs the launcher with {@code conf} (and more arguments); returns the endpoint's port. */
  private int start(String conf, String... more) {
    String[] args = new String[2 + more.length];
    args[0] = "--conf";
    args[1] = conf;
    System.arraycopy(more, 0, args, 2, more.length);
    launcher = new EchoPairLauncher(args, piece, Overrides.none());
    assertThat(launcher.run()).isEqualTo(ExitStatus.OK);
    assertThat(launcher.managementPort()).isPositive();
    return launcher.managementPort();
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** {@code id STATUS} of each check of a health response. */
  private static List<String> checks(HttpResponse<String> response) {
    JsonArray checks = new JsonObject(response.body()).getJsonArray("checks");
    return checks.stream().map(JsonObject.class::cast)
        .map(check -> check.getString("id") + " " + check.getString("status")).toList();
  }

  /** Completes once /health answers 200, asking again each time the blocked-thread checker could have moved on. */
  private Future<Void> awaitHealthy(int port) {
    Vertx vertx = launcher.vertx();
    Promise<Void> healthy = Promise.promise();
    vertx.setPeriodic(50, timer -> vertx.executeBlocking(() -> get(port, "/health").statusCode())
        .onSuccess(status -> {
          if (status == 200 && healthy.tryComplete()) {
            vertx.cancelTimer(timer);
          }
        }));
    return healthy.future();
  }

  /** A new event-loop context whose thread is not {@code thread}. */
  private static Context contextNotOn(Vertx vertx, String thread) throws Exception {
    for (int i = 0; i < 64; i++) {
      Context context = ((VertxInternal) vertx).createEventLoopContext();
      if (!await(threadOf(context)).equals(thread)) {
        return context;
      }
    }
    throw new AssertionError("every event loop is " + thread);
  }

  private static Future<String> threadOf(Context context) {
    Promise<String> name = Promise.promise();
    context.runOnContext(v -> name.complete(Thread.currentThread().getName()));
    return name.future();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A piece whose verticles report a readiness the test sets and a counter the test moves. */
  private static final class ProbedPiece implements Launchable {

    final List<ProbedVerticle> verticles = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "probed piece";
    }

    @Override
    public Usage usage() {
      return Usage.of("probed.jar", "a piece for tests.", SCHEMA);
    }

    @Override
    public void validate(JsonObject conf, Overrides overrides) {
      SCHEMA.parse(conf, overrides);
    }

    @Override
    public Deployable newVerticle(ConfigSource source) {
      ProbedVerticle verticle = new ProbedVerticle();
      verticles.add(verticle);
      return verticle;
    }
  }

  private static final class ProbedVerticle extends VerticleBase {

    final AtomicLong things = new AtomicLong();
    final Promise<Void> stopping = Promise.promise();
    final Promise<Void> stopGate = Promise.promise();
    volatile boolean ready;
    PieceProbes probes;

    @Override
    public Future<?> start() {
      probes = PieceProbes.of(vertx, context)
          .ready("probed", () -> ready ? Status.OK() : Status.KO())
          .count("echopair.probed.things", "Things the piece did", things::get);
      return Future.succeededFuture();
    }

    /** Stops once the test lets it: a piece that drains. */
    @Override
    public Future<?> stop() {
      stopping.complete();
      return stopGate.future().andThen(done -> probes.close());
    }
  }
}
