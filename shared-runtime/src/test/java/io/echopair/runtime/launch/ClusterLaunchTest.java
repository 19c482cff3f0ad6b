package io.echopair.runtime.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.echopair.runtime.cluster.ClusterConfig;
import io.echopair.runtime.cluster.ClusterNodes;
import io.echopair.runtime.cluster.EventBusConnectFailures;
import io.echopair.runtime.cluster.EventBusTls;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.echopair.runtime.testing.TestCluster;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --cluster} through the launcher, on loopback, with a cluster.xml of the test's own. */
@ExtendWith(VertxExtension.class)
@DisplayName("EchoPairLauncher --cluster")
class ClusterLaunchTest {

  @TempDir
  Path dir;

  private final LogCapture log = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final TestCluster cluster = new TestCluster();
  private EchoPairLauncher launcher;

  @AfterEach
  void closeVertx() throws Exception {
    log.close();
    System.clearProperty(ClusterConfig.CONFIG_PROPERTY);
    Vertx vertx = launcher == null ? null : launcher.vertx();
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    cluster.close();
  }

  @Test
  @DisplayName("joins the cluster of the file -Dvertx.hazelcast.config names, says so, and deploys on a clustered Vert.x")
  void joins() throws IOException {
    Path file = clusterFile();

    assertThat(run("--cluster", "--cluster-host", "127.0.0.1")).isEqualTo(ExitStatus.OK);

    assertThat(launcher.vertx().isClustered()).isTrue();
    assertThat(ClusterNodes.eventBusHost(launcher.vertx())).isEqualTo("127.0.0.1");
    assertThat(log.lines()).contains("INFO Cluster configuration from -D" + ClusterConfig.CONFIG_PROPERTY + "=" + file);
    assertThat(log.lines()).anyMatch(line -> line.matches(
        "INFO Joined cluster \"" + cluster.name() + "\" in \\d+ ms \\(1 nodes\\); event bus at 127\\.0\\.0\\.1:\\d+"));
    assertThat(log.linesContaining("ERROR")).isEmpty();
  }

  @Test
  @DisplayName("with a management endpoint, /ready has the check cluster, up once joined")
  void readiness() throws Exception {
    clusterFile();
    assertThat(run("--cluster", "--cluster-host", "127.0.0.1", "--conf", "{\"management\": {\"port\": 0}}"))
        .isEqualTo(ExitStatus.OK);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + launcher.managementPort() + "/ready"))
        .timeout(Duration.ofSeconds(30)).build();

    HttpResponse<String> joined = http.send(ready, HttpResponse.BodyHandlers.ofString());

    assertThat(joined.statusCode()).isEqualTo(200);
    assertThat(joined.body()).contains("{\"id\":\"cluster\",\"status\":\"UP\",\"data\":{\"joined\":true}}");
  }

  @Test
  @DisplayName("joins with the eventBusOptions of --options, which reach the node's event bus")
  void eventBusOptions() throws IOException {
    clusterFile();
    String options = "{\"eventBusOptions\": {\"host\": \"127.0.0.1\", \"port\": 0,"
        + " \"clusterNodeMetadata\": {\"probe\": \"from --options\"}}}";

    assertThat(run("--cluster", "--options", options)).isEqualTo(ExitStatus.OK);

    NodeInfo node = ((VertxInternal) launcher.vertx()).clusterManager().getNodeInfo();
    assertThat(node.host()).isEqualTo("127.0.0.1");
    assertThat(node.metadata()).isEqualTo(new JsonObject().put("probe", "from --options"));
    assertThat(log.linesContaining("ERROR")).isEmpty();
  }

  @Test
  @DisplayName("joins with an event bus on TLS that requires client certificates, as --options describes it")
  void eventBusTls(Vertx client, VertxTestContext ctx) throws IOException {
    clusterFile();
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    JsonObject pemKeyCert = new JsonObject()
        .put("certPath", certificate.certificatePath()).put("keyPath", certificate.privateKeyPath());
    JsonObject pemTrust = new JsonObject().put("certPaths", new JsonArray().add(certificate.certificatePath()));
    JsonObject options = new JsonObject().put("eventBusOptions", new JsonObject()
        .put("host", "127.0.0.1").put("ssl", true).put("clientAuth", "REQUIRED")
        .put("pemKeyCertOptions", pemKeyCert).put("pemTrustOptions", pemTrust));

    assertThat(run("--cluster", "--options", options.encode())).isEqualTo(ExitStatus.OK);

    // A TLS handshake with this node's certificate succeeds on the event bus port
    NodeInfo node = ((VertxInternal) launcher.vertx()).clusterManager().getNodeInfo();
    NetClientOptions tls = new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("")
        .setKeyCertOptions(certificate.keyCertOptions()).setTrustOptions(certificate.trustOptions());
    client.createNetClient(tls).connect(node.port(), node.host())
        .onComplete(ctx.succeeding(socket -> ctx.verify(() -> {
          assertThat(socket.isSsl()).isTrue();
          socket.close();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("the cluster keys of --conf give the event bus mutual TLS: a node of the same CA talks to it, a client without a certificate cannot")
  void clusterKeys(VertxTestContext ctx) throws Exception {
    clusterFile();
    Authority ca = TestCertificates.authority(dir, "cluster CA");
    Issued nodeA = ca.issue("node-a").write();
    JsonObject conf = new JsonObject().put("cluster", clusterKeys(nodeA, ca));

    assertThat(run("--cluster", "--cluster-host", "127.0.0.1", "--conf", conf.encode())).isEqualTo(ExitStatus.OK);

    Vertx nodeVertx = launcher.vertx();
    cluster.joinThrough(nodeVertx);
    assertThat(log.lines()).anyMatch(line -> line.startsWith("INFO Event bus: mutual TLS (")
        && line.contains(") as CN=node-a,O=echopair tests, expires "));
    NodeInfo node = ((VertxInternal) nodeVertx).clusterManager().getNodeInfo();
    EventBusOptions nodeB = legitimate(ca.issue("node-b").write(), ca);
    nodeVertx.eventBus().<String>consumer("probe", message -> message.reply("pong from A")).completion()
        .compose(registered -> cluster.startNode(nodeB))
        .compose(b -> b.eventBus().<String>request("probe", "ping"))
        .compose(answer -> {
          ctx.verify(() -> assertThat(answer.body()).isEqualTo("pong from A"));
          // A TLS client without a certificate is refused by the event bus's port (TLS 1.2: in the handshake itself)
          NetClientOptions noCertificate = new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("")
              .setTrustOptions(new PemTrustOptions().addCertPath(ca.certificate().toString()))
              .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"));
          return nodeVertx.createNetClient(noCertificate).connect(node.port(), node.host());
        })
        .onComplete(ctx.failing(refused -> ctx.completeNow()));
  }

  @Test
  @DisplayName("the cluster keys beside TLS settings of --options stop the start with status 78 and one line naming both")
  void clusterKeysAndOptions() throws IOException {
    clusterFile();
    Authority ca = TestCertificates.authority(dir, "cluster CA");
    JsonObject conf = new JsonObject().put("cluster", clusterKeys(ca.issue("node-a").write(), ca));

    int status = run("--cluster", "--conf", conf.encode(), "--options", "{\"eventBusOptions\": {\"ssl\": true}}");

    assertThat(status).isEqualTo(ExitStatus.CONFIG);
    assertThat(log.linesContaining("ERROR")).containsExactly("ERROR Invalid configuration: cluster.tlsCertPath and "
        + "--options eventBusOptions.ssl both set the event bus's TLS: use the cluster keys or --options, not both");
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("a cluster key naming a key of another certificate stops the start with status 78 and one line")
  void clusterKeysInvalid() throws IOException {
    clusterFile();
    Authority ca = TestCertificates.authority(dir, "cluster CA");
    Issued nodeA = ca.issue("node-a").write();
    Issued nodeB = ca.issue("node-b").write();
    JsonObject keys = clusterKeys(nodeA, ca).put("tlsKeyPath", nodeB.key().toString());

    assertThat(run("--cluster", "--conf", new JsonObject().put("cluster", keys).encode())).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.linesContaining("ERROR")).containsExactly("ERROR Invalid configuration: cluster.tlsKeyPath = \""
        + nodeB.key() + "\": does not belong to the certificate in cluster.tlsCertPath (CN=node-a,O=echopair tests)");
    assertThat(log.anyThrowable()).isFalse();
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("the cluster keys without --cluster are a WARN, and the piece runs unclustered")
  void clusterKeysWithoutCluster() throws IOException {
    Authority ca = TestCertificates.authority(dir, "cluster CA");
    JsonObject conf = new JsonObject().put("cluster", clusterKeys(ca.issue("node-a").write(), ca));

    assertThat(run("--conf", conf.encode())).isEqualTo(ExitStatus.OK);

    assertThat(launcher.vertx().isClustered()).isFalse();
    assertThat(log.linesContaining("WARN")).containsExactly(
        "WARN cluster.tlsCertPath is set but this node is not started with --cluster: the cluster keys are not used");
  }

  @ParameterizedTest(name = "trustAll given as true: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("with TLS as --options describes it, a published message reaches a node of the cluster's CA, and a stranger's node with a certificate of its own only if trustAll is true")
  void optionsTlsAndAStranger(boolean trustAll, VertxTestContext ctx) throws IOException {
    clusterFile();
    Authority ca = TestCertificates.authority(dir, "cluster CA");
    Issued nodeA = ca.issue("node-a").write();
    Authority strangers = TestCertificates.authority(dir, "stranger CA");
    JsonObject eventBus = new JsonObject().put("host", "127.0.0.1").put("ssl", true).put("clientAuth", "REQUIRED")
        .put("pemKeyCertOptions", new JsonObject().put("certPath", nodeA.certificate().toString())
            .put("keyPath", nodeA.key().toString()))
        .put("pemTrustOptions", new JsonObject().put("certPaths", new JsonArray().add(ca.certificate().toString())));
    if (trustAll) {
      eventBus.put("trustAll", true);
    }
    LogCapture eventBusLog = LogCapture.of(EventBusConnectFailures.class);

    assertThat(run("--cluster", "--options", new JsonObject().put("eventBusOptions", eventBus).encode()))
        .isEqualTo(ExitStatus.OK);

    Vertx publisher = launcher.vertx();
    cluster.joinThrough(publisher);
    Counter atB = new Counter();
    Counter atC = new Counter();
    Promise<Void> markerAtB = Promise.promise();
    Vertx[] stranger = new Vertx[1];
    EventBusOptions strangersEventBus = new EventBusOptions().setSsl(true).setTrustAll(true)
        .setKeyCertOptions(strangers.issue("stranger").write().keyCertOptions());
    cluster.startNode(legitimate(ca.issue("node-b").write(), ca))
        .compose(nodeB -> nodeB.eventBus().<String>consumer("news", message -> {
          atB.add();
          if (message.body().equals("marker")) {
            markerAtB.tryComplete();
          }
        }).completion())
        .compose(b -> cluster.startNode(strangersEventBus))
        .compose(c -> {
          stranger[0] = c;
          return c.eventBus().<String>consumer("news", message -> atC.add()).completion();
        })
        // Publish until A has tried the stranger: it received a message, or A could not connect to it
        .compose(c -> until(publisher, () -> atC.count() > 0 || !eventBusLog.linesContaining(
            "Event bus: cannot reach node " + nodeId(stranger[0]) + ": ").isEmpty(),
            () -> publisher.eventBus().publish("news", "probe")))
        .compose(tried -> {
          for (int i = 0; i < 20; i++) {
            publisher.eventBus().publish("news", "frame " + i);
          }
          publisher.eventBus().publish("news", "marker");
          return markerAtB.future();
        })
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          eventBusLog.close();
          assertThat(atB.count()).as("messages at the node of the cluster's CA").isGreaterThanOrEqualTo(21);
          if (trustAll) {
            assertThat(atC.count()).as("messages at the stranger's node, trusted by trustAll").isPositive();
          } else {
            assertThat(atC.count()).as("messages at the stranger's node").isZero();
          }
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a node that cannot join (its event bus port is taken) stops with status 11 and one ERROR line saying why")
  void cannotJoin() throws IOException {
    clusterFile();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // The line names the cause, not a join that timed out; the limit only keeps a hang from blocking the build
      int status = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> run("--cluster", "--cluster-host",
          "127.0.0.1", "--cluster-port", String.valueOf(taken.getLocalPort())));

      assertThat(status).isEqualTo(ExitStatus.VERTX_INITIALIZATION);
      assertThat(log.linesContaining("ERROR")).singleElement().asString()
          .startsWith("ERROR Cannot join cluster \"" + cluster.name() + "\" (configuration from -D")
          .contains("Address already in use");
      assertThat(log.anyThrowable()).isFalse();
    }
  }

  @Test
  @DisplayName("a cluster.xml that is not a Hazelcast configuration stops the start with status 78 and one line")
  void invalidClusterFile() throws IOException {
    Path file = Files.writeString(dir.resolve("cluster.xml"), "<hazelcast><network><port>not a port</port></network></hazelcast>");
    System.setProperty(ClusterConfig.CONFIG_PROPERTY, file.toString());

    assertThat(run("--cluster")).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.linesContaining("ERROR")).singleElement().asString()
        .startsWith("ERROR -D" + ClusterConfig.CONFIG_PROPERTY + "=" + file + ": not a valid Hazelcast configuration (");
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("without --cluster nothing of the cluster is read or started")
  void notClustered() {
    System.setProperty(ClusterConfig.CONFIG_PROPERTY, dir.resolve("no-such-file.xml").toString());

    assertThat(run()).isEqualTo(ExitStatus.OK);

    assertThat(launcher.vertx().isClustered()).isFalse();
    assertThat(log.linesContaining("luster")).isEmpty();
  }

  /** The shipped cluster.xml with this test's cluster name and ports, named by -Dvertx.hazelcast.config. */
  private Path clusterFile() throws IOException {
    String own = cluster.hazelcastXml(Files.readString(Path.of("..", "conf", "cluster.xml")));
    Path file = Files.writeString(dir.resolve("cluster.xml"), own);
    System.setProperty(ClusterConfig.CONFIG_PROPERTY, file.toString());
    return file;
  }

  /** The cluster section naming a node's certificate and the cluster's CA. */
  private static JsonObject clusterKeys(Issued node, Authority ca) {
    return new JsonObject().put("tlsCertPath", node.certificate().toString())
        .put("tlsKeyPath", node.key().toString()).put("tlsCaPath", ca.certificate().toString());
  }

  /** The event bus of a node of the cluster's CA, as the cluster keys make it. */
  private static EventBusOptions legitimate(Issued node, Authority ca) {
    JsonObject conf = new JsonObject().put("cluster", clusterKeys(node, ca));
    return EventBusTls.of(ConfigSource.inline(conf), conf, Overrides.none(), line -> { }).prepare()
        .applyTo(new EventBusOptions());
  }

  private static String nodeId(Vertx node) {
    return ((VertxInternal) node).clusterManager().getNodeId();
  }

  /** Calls {@code action} every 20 ms until {@code done} holds. */
  private static Future<Void> until(Vertx vertx, BooleanSupplier done, Runnable action) {
    Promise<Void> reached = Promise.promise();
    vertx.setPeriodic(0, 20, timer -> {
      if (done.getAsBoolean()) {
        vertx.cancelTimer(timer);
        reached.complete();
      } else {
        action.run();
      }
    });
    return reached.future();
  }

  /** Counts messages, from any event loop. */
  private static final class Counter {

    private final AtomicInteger count = new AtomicInteger();

    void add() {
      count.incrementAndGet();
    }

    int count() {
      return count.get();
    }
  }

  private int run(String... args) {
    launcher = new EchoPairLauncher(args, new Piece(), Overrides.none());
    return launcher.run();
  }

  /** A piece whose verticle does nothing. */
  private static final class Piece implements Launchable {

    @Override
    public String name() {
      return "test piece";
    }

    @Override
    public Usage usage() {
      return Usage.of("piece.jar", "a piece for tests.", EchoPairLauncherTest.SCHEMA);
    }

    @Override
    public void validate(JsonObject conf, Overrides overrides) {
    }

    @Override
    public Deployable newVerticle(ConfigSource source) {
      return new VerticleBase() {
        @Override
        public Future<?> start() {
          return Future.succeededFuture();
        }
      };
    }
  }
}
