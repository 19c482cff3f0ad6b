package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.ReceivedBatch;
import io.echopair.protocol.ReceivedBatchCodec;
import io.echopair.protocol.ReceivedMessage;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCluster;
import io.echopair.sender.SenderVerticle;
import io.echopair.server.EchoServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clustered Vert.x instances in this JVM, each a node of its own: echo servers on some, a sender with discovery on
 * another, and the stream of received messages that the servers publish, watched from the sender's node.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ClusterFailoverTest {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterFailoverTest.class);

  private static final int COUNT = 150;

  @RegisterExtension
  final LogCapture log = LogCapture.of("io.echopair");

  private final TestCluster cluster = new TestCluster();
  private final List<ReceivedMessage> published = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Predicate<List<ReceivedMessage>> condition, Promise<Void> promise) {
  }

  @AfterEach
  void leaveCluster() throws Exception {
    cluster.close();
  }

  @Test
  @DisplayName("A sender with discovery finds the server on another node; when that node closes, it goes on with the second server and no frame is lost")
  void failsOverWhenTheServersNodeCloses(VertxTestContext ctx) {
    long[] closedAt = new long[1];
    Vertx[] nodes = new Vertx[3];
    cluster.startNode()
        .compose(a -> { nodes[0] = a; return deployServer(a); })
        .compose(serverA -> cluster.startNode())
        .compose(s -> { nodes[1] = s; return watchStream(s); })
        .compose(watching -> deploySender(nodes[1], 1))
        .compose(sender -> whenPublished(messages -> messages.size() >= 20)
            // A second server joins while the sender is busy with the first
            .compose(twenty -> cluster.startNode())
            .compose(b -> { nodes[2] = b; return deployServer(b); })
            .compose(serverB -> {
              closedAt[0] = System.nanoTime();
              return nodes[0].close();
            })
            .compose(closed -> whenPublished(messages -> servers(messages).size() == 2))
            .map(failedOver -> {
              LOG.info("Failover: {} ms from closing the first server's node to a frame at the second server",
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt[0]));
              return failedOver;
            })
            .compose(failedOver -> sender.completion())
            // Echoes come over TCP, the stream over the event bus: its last messages may still be on the way
            .compose(status -> whenPublished(messages -> sequences(messages).size() == COUNT).map(status)))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).as("every frame acknowledged").isEqualTo(ExitStatus.OK);
          Map<String, Set<Long>> byServer = sequencesByServer();
          assertThat(byServer).hasSize(2);
          Set<Long> all = new TreeSet<>();
          byServer.values().forEach(all::addAll);
          assertThat(all).as("frames received by either server").containsExactlyElementsOf(range(1, COUNT));
          assertThat(log.lines()).anyMatch(line -> line.startsWith("WARN Lost connection on stream 1 to 127.0.0.1:"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Senders spread over the servers of the cluster, and a sender whose server's node leaves the cluster finds another")
  void spreadsAndLeavesANodeThatLeftTheCluster(VertxTestContext ctx) {
    Vertx[] nodes = new Vertx[3];
    cluster.startNode()
        .compose(a -> { nodes[0] = a; return deployServer(a); })
        .compose(serverA -> cluster.startNode())
        .compose(b -> { nodes[1] = b; return deployServer(b); })
        .compose(serverB -> cluster.startNode())
        .compose(s -> { nodes[2] = s; return watchStream(s); })
        .compose(watching -> deploySender(nodes[2], 4))
        .compose(sender -> whenPublished(messages -> servers(messages).size() == 2 && messages.size() >= 40)
            .compose(spread -> {
              // Node A leaves the cluster, but its server and its connections stay up
              ctx.verify(() -> assertThat(servers(published())).hasSize(2));
              hazelcast(nodes[0]).shutdown();
              return log.awaitContaining("left the cluster: closing stream");
            })
            .compose(left -> sender.completion()))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).as("every frame acknowledged").isEqualTo(ExitStatus.OK);
          assertThat(log.linesContaining("left the cluster: closing stream")).isNotEmpty();
          ctx.completeNow();
        })));
  }

  // ---- the pieces

  private static Future<String> deployServer(Vertx node) {
    JsonObject conf = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("publish", true)
        .put("logEvery", 0);
    return node.deployVerticle(new EchoServerVerticle(), new DeploymentOptions().setConfig(conf));
  }

  private static Future<SenderVerticle> deploySender(Vertx node, int connections) {
    JsonObject conf = new JsonObject().put("discovery", true).put("intervalMs", 20).put("count", COUNT)
        .put("connections", connections).put("reconnectInitialDelayMs", 50).put("reconnectMaxDelayMs", 200)
        .put("statsIntervalMs", 0);
    SenderVerticle sender = new SenderVerticle();
    return node.deployVerticle(sender, new DeploymentOptions().setConfig(conf)).map(sender);
  }

  /** Records what the servers publish; completes once every node can reach the consumer. */
  private Future<Void> watchStream(Vertx node) {
    // This node runs no server: it needs the codec of the batches the servers publish
    ReceivedBatchCodec.register(node);
    MessageConsumer<Object> consumer = node.eventBus().consumer(ReceivedMessage.DEFAULT_ADDRESS,
        message -> ReceivedBatch.messagesIn(message.body()).forEach(this::record));
    return consumer.completion();
  }

  private void record(ReceivedMessage message) {
    List<Promise<Void>> satisfied = new ArrayList<>();
    synchronized (this) {
      published.add(message);
      waiters.removeIf(waiter -> waiter.condition().test(published) && satisfied.add(waiter.promise()));
    }
    satisfied.forEach(Promise::complete);
  }

  private Future<Void> whenPublished(Predicate<List<ReceivedMessage>> condition) {
    Promise<Void> promise = Promise.promise();
    synchronized (this) {
      if (condition.test(published)) {
        return Future.succeededFuture();
      }
      waiters.add(new Waiter(condition, promise));
    }
    return promise.future();
  }

  private synchronized List<ReceivedMessage> published() {
    return List.copyOf(published);
  }

  private Map<String, Set<Long>> sequencesByServer() {
    return published().stream().collect(Collectors.groupingBy(ReceivedMessage::serverId,
        Collectors.mapping(ReceivedMessage::sequence, Collectors.toCollection(TreeSet::new))));
  }

  private static Set<Long> sequences(List<ReceivedMessage> messages) {
    return messages.stream().map(ReceivedMessage::sequence).collect(Collectors.toSet());
  }

  private static Set<String> servers(List<ReceivedMessage> messages) {
    return messages.stream().map(ReceivedMessage::serverId).collect(Collectors.toSet());
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static com.hazelcast.core.HazelcastInstance hazelcast(Vertx node) {
    return ((HazelcastClusterManager) ((VertxInternal) node).clusterManager()).getHazelcastInstance();
  }
}
