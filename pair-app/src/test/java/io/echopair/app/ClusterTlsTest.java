package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.cluster.EventBusConnectFailures;
import io.echopair.runtime.cluster.EventBusTls;
import io.echopair.protocol.ReceivedBatch;
import io.echopair.protocol.ReceivedBatchCodec;
import io.echopair.protocol.ReceivedMessage;
import io.echopair.protocol.ServerOffer;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCluster;
import io.echopair.sender.SenderVerticle;
import io.echopair.server.EchoServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three nodes of one Hazelcast cluster on loopback, two of them with the event bus's mutual TLS from one CA (the
 * cluster keys): node A runs an echo server that publishes every frame and answers discovery, node B a sender that
 * finds its server by discovery and a consumer of the published frames. Node C is a stranger: same cluster name and
 * member list, but no certificate of the cluster's CA. It listens for published frames and discovery requests,
 * answers discovery with a server of its own that claims no clients, and publishes forged frames.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class ClusterTlsTest {

  private static final int COUNT = 30;
  private static final String FORGED = "forged by the stranger";

  /** What the stranger's event bus is like. */
  enum Stranger {
    /** no TLS at all */
    PLAIN,
    /** TLS with a certificate of its own CA, trusting every server and asking no client certificate */
    OWN_CA
  }

  @TempDir
  Path dir;

  @RegisterExtension
  final LogCapture log = LogCapture.of("io.echopair");
  // Where a node the cluster cannot reach is reported, as the launchers set it up
  @RegisterExtension
  final LogCapture eventBusLog = LogCapture.of(EventBusConnectFailures.class);

  private final TestCluster cluster = new TestCluster();

  // What reached the stranger
  private final AtomicInteger framesAtC = new AtomicInteger();
  private final AtomicInteger discoveryRequestsAtC = new AtomicInteger();
  private final AtomicInteger connectionsAtC = new AtomicInteger();
  private final AtomicLong bytesAtC = new AtomicLong();
  private final AtomicInteger forgeriesSent = new AtomicInteger();
  private volatile int strangerPort;

  // What reached the legitimate consumer
  private final Set<Long> sequencesAtB = new ConcurrentSkipListSet<>();
  private final AtomicInteger forgeriesAtB = new AtomicInteger();
  private final Promise<Void> allFramesAtB = Promise.promise();

  @BeforeAll
  static void reportUnreachableNodes() {
    EventBusConnectFailures.install();
  }

  @AfterEach
  void leaveCluster() throws Exception {
    cluster.close();
  }

  @ParameterizedTest(name = "stranger: {0}")
  @EnumSource(Stranger.class)
  @DisplayName("A stranger's node without a certificate of the cluster's CA receives no frame and no discovery request, never gets a sender, cannot forge frames, and the legitimate traffic carries on")
  void strangerGetsNothing(Stranger kind, VertxTestContext ctx) throws IOException {
    Authority ca = TestCertificates.authority(dir, "cluster CA");
    EventBusOptions nodeA = legitimate(ca, "node-a");
    EventBusOptions nodeB = legitimate(ca, "node-b");
    EventBusOptions stranger = kind == Stranger.PLAIN ? new EventBusOptions()
        : new EventBusOptions().setSsl(true).setTrustAll(true)
            .setKeyCertOptions(TestCertificates.authority(dir, "stranger CA").issue("stranger").write().keyCertOptions());
    String[] strangerId = new String[1];
    // The stranger first: its registrations are in the cluster's map before A and B look anything up
    cluster.startNode(stranger)
        .compose(c -> {
          strangerId[0] = nodeId(c);
          return startStranger(c);
        })
        .compose(c -> cluster.startNode(nodeA))
        .compose(a -> deployServer(a))
        .compose(served -> cluster.startNode(nodeB))
        .compose(b -> consumeFrames(b).compose(consuming -> deploySender(b)))
        .compose(SenderVerticle::completion)
        .compose(status -> {
          ctx.verify(() -> assertThat(status).as("every frame acknowledged").isEqualTo(ExitStatus.OK));
          // Frames go to B over the event bus, echoes over TCP: the last ones may still be on the way
          return allFramesAtB.future();
        })
        // The legitimate nodes did address the stranger, and gave up on it (PLAIN: once the TLS handshake timed out)
        .compose(all -> eventBusLog.await(line -> line.startsWith("Event bus: cannot reach node " + strangerId[0] + ": ")))
        .onComplete(ctx.succeeding(tried -> ctx.verify(() -> {
          assertThat(sequencesAtB).as("frames published by A, received by B").containsExactlyElementsOf(range(COUNT));
          assertThat(framesAtC.get()).as("published frames at the stranger").isZero();
          assertThat(discoveryRequestsAtC.get()).as("discovery requests at the stranger").isZero();
          assertThat(connectionsAtC.get()).as("connections to the stranger's server").isZero();
          assertThat(bytesAtC.get()).as("bytes sent to the stranger's server").isZero();
          assertThat(forgeriesSent.get()).as("frames the stranger tried to forge").isPositive();
          assertThat(forgeriesAtB.get()).as("forged frames at B").isZero();
          assertThat(log.linesContaining("Connected to 127.0.0.1:")).isNotEmpty()
              .allMatch(line -> !line.contains(":" + strangerPort + " "));
          ctx.completeNow();
        })));
  }

  // ---- the stranger's node

  /** A server that counts what reaches it, offered to senders as idle; consumers that count; forged frames. */
  private Future<Vertx> startStranger(Vertx c) {
    NetServer server = c.createNetServer().connectHandler(socket -> {
      connectionsAtC.incrementAndGet();
      socket.handler(bytes -> bytesAtC.addAndGet(bytes.length()));
    });
    return server.listen(0, "127.0.0.1")
        .compose(listening -> {
          strangerPort = listening.actualPort();
          ServerOffer offer = new ServerOffer("5742a43e", "127.0.0.1", strangerPort, 0, nodeId(c));
          return c.eventBus().<JsonObject>consumer(ServerOffer.ADDRESS, request -> {
            discoveryRequestsAtC.incrementAndGet();
            request.reply(offer.toJson());
          }).completion();
        })
        .compose(answering -> {
          // With the codec, a batch of A's that reached C would be counted, not lost to a missing codec
          ReceivedBatchCodec.register(c);
          return c.eventBus().consumer(ReceivedMessage.DEFAULT_ADDRESS, message -> {
            // Its own forgeries are delivered here too
            framesAtC.addAndGet((int) ReceivedBatch.messagesIn(message.body()).stream()
                .filter(frame -> !frame.text().equals(FORGED)).count());
          }).completion();
        })
        .map(consuming -> {
          ReceivedMessage forged = new ReceivedMessage(FORGED, 1L, "0000000000000001", "10.0.0.66:1", "5742a43e",
              Instant.now());
          c.setPeriodic(50, timer -> {
            forgeriesSent.incrementAndGet();
            c.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, forged.toJson());
          });
          return c;
        });
  }

  // ---- the legitimate nodes

  /** The event bus of a node of the cluster's CA, from the cluster keys. */
  private EventBusOptions legitimate(Authority ca, String name) throws IOException {
    TestCertificates.Issued node = ca.issue(name).write();
    JsonObject conf = new JsonObject().put("cluster", new JsonObject()
        .put("tlsCertPath", node.certificate().toString())
        .put("tlsKeyPath", node.key().toString())
        .put("tlsCaPath", ca.certificate().toString()));
    return EventBusTls.of(ConfigSource.inline(conf), conf, Overrides.none(), line -> { }).prepare()
        .applyTo(new EventBusOptions())
        // Test time: a plain stranger never answers a TLS handshake; give up on it sooner than the 10 s default
        .setSslHandshakeTimeout(2).setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
  }

  private static Future<String> deployServer(Vertx node) {
    JsonObject conf = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("publish", true)
        .put("logEvery", 0);
    return node.deployVerticle(new EchoServerVerticle(), new DeploymentOptions().setConfig(conf));
  }

  private Future<Void> consumeFrames(Vertx node) {
    // B runs no server: it needs the codec of the batches A publishes
    ReceivedBatchCodec.register(node);
    return node.eventBus().consumer(ReceivedMessage.DEFAULT_ADDRESS, message -> {
      for (ReceivedMessage frame : ReceivedBatch.messagesIn(message.body())) {
        if (frame.text().equals(FORGED)) {
          forgeriesAtB.incrementAndGet();
        } else {
          sequencesAtB.add(frame.sequence());
          if (sequencesAtB.size() == COUNT) {
            allFramesAtB.tryComplete();
          }
        }
      }
    }).completion();
  }

  private static Future<SenderVerticle> deploySender(Vertx node) {
    // A request that went to the stranger waits connectTimeoutMs for an answer
    JsonObject conf = new JsonObject().put("discovery", true).put("intervalMs", 10).put("count", COUNT)
        .put("connectTimeoutMs", 2000).put("statsIntervalMs", 0);
    SenderVerticle sender = new SenderVerticle();
    return node.deployVerticle(sender, new DeploymentOptions().setConfig(conf)).map(sender);
  }

  private static String nodeId(Vertx node) {
    return ((VertxInternal) node).clusterManager().getNodeId();
  }

  private static Set<Long> range(int count) {
    return LongStream.rangeClosed(1, count).boxed().collect(Collectors.toCollection(TreeSet::new));
  }
}
