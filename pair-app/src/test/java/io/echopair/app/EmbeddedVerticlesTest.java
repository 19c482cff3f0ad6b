package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.monitor.MonitorVerticle;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.management.ManagementConfig;
import io.echopair.runtime.management.ManagementEndpoint;
import io.echopair.runtime.management.Probes;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.sender.SenderVerticle;
import io.echopair.server.EchoServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verticles embedded in another application, as README "Deploying the verticles yourself" shows: {@code
 * vertx.deployVerticle(new EchoServerVerticle(), new DeploymentOptions().setConfig(json))}. Each checks its own
 * configuration, with the message the jars print after "Invalid configuration: ".
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EmbeddedVerticlesTest {

  @RegisterExtension
  final LogCapture monitorLog = LogCapture.of("io.echopair.monitor");
  @RegisterExtension
  final LogCapture serverLog = LogCapture.of("io.echopair.server");

  static Stream<Arguments> badConfigurations() {
    return Stream.of(
        Arguments.of("EchoServerVerticle", (Supplier<Deployable>) EchoServerVerticle::new,
            new JsonObject().put("port", 70000), "server.port = 70000: must be between 0 and 65535"),
        Arguments.of("SenderVerticle", (Supplier<Deployable>) SenderVerticle::new,
            new JsonObject().put("port", 70000), "sender.port = 70000: must be between 1 and 65535"),
        Arguments.of("MonitorVerticle", (Supplier<Deployable>) MonitorVerticle::new,
            new JsonObject().put("statsIntervalMs", 5), "monitor.statsIntervalMs = 5: must be at least 100"),
        Arguments.of("EchoPairVerticle", (Supplier<Deployable>) EchoPairVerticle::new,
            new JsonObject().put("server", new JsonObject().put("port", 70000)),
            "server.port = 70000: must be between 0 and 65535"));
  }

  @ParameterizedTest(name = "{0} refuses {2}")
  @MethodSource("badConfigurations")
  @DisplayName("An embedded verticle with a value out of range fails its deployment with one line naming key and value")
  void badConfigurationFailsTheDeployment(String name, Supplier<Deployable> verticle, JsonObject conf, String message,
                                          Vertx vertx, VertxTestContext ctx) {
    vertx.deployVerticle(verticle.get(), new DeploymentOptions().setConfig(conf))
        .onComplete(ctx.failing(failure -> ctx.verify(() -> {
          assertThat(failure).isInstanceOf(ConfigException.class).hasMessage(message);
          assertThat(failure.getStackTrace()).as("a user error has no stack trace").isEmpty();
          assertThat(vertx.deploymentIDs()).as("nothing left deployed").isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A server too big for the heap fails its deployment with the jar's one line about the heap")
  void serverTooBigForTheHeap(Vertx vertx, VertxTestContext ctx) {
    JsonObject conf = new JsonObject().put("port", 0).put("dedupWindow", 1 << 24).put("maxTrackedSenders", 1_000_000);
    vertx.deployVerticle(new EchoServerVerticle(), new DeploymentOptions().setConfig(conf))
        .onComplete(ctx.failing(failure -> ctx.verify(() -> {
          assertThat(failure).isInstanceOf(ConfigException.class)
              .hasMessageStartingWith("server.dedupWindow = 16777216 with server.maxTrackedSenders = 1000000 may take "
                  + "up to ")
              .hasMessageEndingWith("heap (-Xmx): lower one of them, or give it more heap");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Embedded server, monitor and sender work together: the sender's frames reach the monitor")
  void serverMonitorAndSenderEmbedded(Vertx vertx, VertxTestContext ctx) {
    EchoServerVerticle server = new EchoServerVerticle();
    JsonObject serverConf = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("publish", true);
    vertx.deployVerticle(new MonitorVerticle(), new DeploymentOptions().setConfig(new JsonObject()))
        .compose(monitor -> vertx.deployVerticle(server, new DeploymentOptions().setConfig(serverConf)))
        .compose(listening -> vertx.deployVerticle(new SenderVerticle(), new DeploymentOptions().setConfig(
            new JsonObject().put("port", server.actualPort()).put("intervalMs", 20).put("message", "embedded"))))
        .compose(sending -> monitorLog.await(line -> line.matches("\\[server \\p{XDigit}{8}] 127\\.0\\.0\\.1:\\d+ seq=3: embedded")))
        .onComplete(ctx.succeeding(line -> ctx.verify(() -> {
          assertThat(serverLog.messages()).contains("Echo server listening on 127.0.0.1:" + server.actualPort()
              + " (100-byte frames, echo on)");
          // Given a configuration, the server does not warn that it runs on defaults
          assertThat(serverLog.messages()).noneMatch(message -> message.startsWith("No configuration given"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("An embedded pair, given its two sections, echoes its sender's frames")
  void pairEmbedded(Vertx vertx, VertxTestContext ctx) {
    JsonObject conf = new JsonObject()
        .put("server", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("sender", new JsonObject().put("intervalMs", 20).put("message", "embedded pair"));
    vertx.deployVerticle(new EchoPairVerticle(), new DeploymentOptions().setConfig(conf))
        .compose(id -> serverLog.await(line -> line.startsWith("Recv Msg : embedded pair (peer 127.0.0.1:")
            && line.endsWith(", seq=3)")))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Closing Vert.x under a running embedded pair stops it without an ERROR: the sender finishing as it "
      + "stops does not undeploy the pair a second time")
  void pairClosedWhileRunning() throws Exception {
    Vertx vertx = Vertx.vertx();
    JsonObject conf = new JsonObject()
        .put("server", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("sender", new JsonObject().put("intervalMs", 20).put("message", "closed pair"));
    try (LogCapture deployments = LogCapture.of("io.vertx.core.impl.deployment")) {
      vertx.deployVerticle(new EchoPairVerticle(), new DeploymentOptions().setConfig(conf))
          .compose(id -> serverLog.await(line -> line.startsWith("Recv Msg : closed pair") && line.endsWith("seq=3)")))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

      assertThat(serverLog.linesContaining("Final stats:")).hasSize(1);
      assertThat(deployments.lines()).isEmpty();
    }
  }

  @Test
  @DisplayName("An application that installs the probes and deploys the management endpoint sees the server's "
      + "readiness and meters")
  void ownManagementEndpoint(VertxTestContext ctx) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setRegistryName("embedded-" + System.nanoTime())))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    Probes probes = Probes.install(vertx, registry);
    ManagementEndpoint endpoint = new ManagementEndpoint(new ManagementConfig("127.0.0.1", 0, 0), probes, registry);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    vertx.deployVerticle(endpoint)
        .compose(deployed -> vertx.deployVerticle(new EchoServerVerticle(),
            new DeploymentOptions().setConfig(new JsonObject().put("host", "127.0.0.1").put("port", 0))))
        .compose(deployed -> vertx.executeBlocking(() -> List.of(
            get(http, endpoint.actualPort(), "/ready"), get(http, endpoint.actualPort(), "/metrics"))))
        // Reported before Vert.x closes: a future of its contexts cannot report once their event loops are gone
        .andThen(done -> vertx.close())
        .onComplete(ctx.succeeding(responses -> ctx.verify(() -> {
          assertThat(responses.get(0).statusCode()).isEqualTo(200);
          assertThat(responses.get(0).body()).contains("{\"id\":\"server\",\"status\":\"UP\"");
          assertThat(responses.get(1).body()).contains("echopair_server_connections 0.0", "vertx_pool_in_use");
          ctx.completeNow();
        })));
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
