package io.echopair.runtime.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.cluster.ClusterConfig;
import io.echopair.runtime.cluster.ClusterNodes;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCluster;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

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
  @DisplayName("a node that cannot join (its event bus port is taken) stops with status 11 and one ERROR line saying why")
  void cannotJoin() throws IOException {
    clusterFile();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      long started = System.nanoTime();

      int status = run("--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", String.valueOf(taken.getLocalPort()));

      assertThat(status).isEqualTo(ExitStatus.VERTX_INITIALIZATION);
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(30);
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
    String shipped = Files.readString(Path.of("..", "conf", "cluster.xml"));
    String own = shipped
        .replace("<cluster-name>echopair</cluster-name>", "<cluster-name>" + cluster.name() + "</cluster-name>")
        .replace(">5701</port>", ">" + cluster.basePort() + "</port>")
        .replace("<member>127.0.0.1</member>", cluster.memberList());
    Path file = Files.writeString(dir.resolve("cluster.xml"), own);
    System.setProperty(ClusterConfig.CONFIG_PROPERTY, file.toString());
    return file;
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
