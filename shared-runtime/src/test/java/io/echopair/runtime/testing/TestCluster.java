package io.echopair.runtime.testing;

import com.hazelcast.config.Config;
import io.echopair.runtime.cluster.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Clustered Vert.x instances in one test JVM, on loopback: the shipped cluster.xml with a cluster name of its own
 * and Hazelcast ports of its own (not 5701 and up), so that a test never joins another test's cluster or one
 * someone runs on the machine. Close it in {@code @AfterEach}.
 */
public final class TestCluster implements AutoCloseable {

  /** Hazelcast ports tried from the base port: one per node this cluster may start. */
  private static final int MAX_NODES = 5;

  private final String name = "echopair-test-" + UUID.randomUUID();
  private final int basePort = freePort();
  private final List<Vertx> nodes = new ArrayList<>();

  /** The cluster's name, as the node logs it. */
  public String name() {
    return name;
  }

  /** The first Hazelcast port; a Hazelcast configuration file for child JVMs can use it with {@link #memberList()}. */
  public int basePort() {
    return basePort;
  }

  /** The member list of this cluster, as cluster.xml's member elements. */
  public String memberList() {
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < MAX_NODES; i++) {
      members.append("<member>127.0.0.1:").append(basePort + i).append("</member>");
    }
    return members.toString();
  }

  /** Starts one more node; the future completes once it has joined. */
  public Future<Vertx> startNode() {
    return startNode(new EventBusOptions());
  }

  /** Starts one more node with these event bus options (on 127.0.0.1 unless they name a host), e.g. with TLS. */
  public Future<Vertx> startNode(EventBusOptions eventBus) {
    Promise<Vertx> started = Promise.promise();
    // Not on a Vert.x thread, where Vert.x would warn about creating an instance inside another one's context
    Thread starter = new Thread(() -> build(eventBus).onComplete(started), "test-cluster-node-" + nodes.size());
    starter.start();
    return started.future().onSuccess(this::add);
  }

  private Future<Vertx> build(EventBusOptions eventBus) {
    Config config = ClusterConfig.builtIn().withClusterName(name).hazelcast();
    config.getNetworkConfig().setPort(basePort).setPortCount(MAX_NODES);
    config.getNetworkConfig().getJoin().getTcpIpConfig().clear();
    for (int i = 0; i < MAX_NODES; i++) {
      config.getNetworkConfig().getJoin().getTcpIpConfig().addMember("127.0.0.1:" + (basePort + i));
    }
    EventBusOptions onLoopback = new EventBusOptions(eventBus);
    if (onLoopback.getHost() == null) {
      onLoopback.setHost("127.0.0.1");
    }
    VertxOptions options = new VertxOptions().setEventBusOptions(onLoopback);
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(config)).buildClustered();
  }

  private synchronized void add(Vertx node) {
    nodes.add(node);
  }

  /** Closes every node started, in parallel; completes when all have left. */
  public synchronized Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    nodes.forEach(node -> closing.add(node.close()));
    nodes.clear();
    return Future.join(closing).mapEmpty();
  }

  @Override
  public void close() throws Exception {
    closeAll().toCompletionStage().toCompletableFuture().get();
  }

  /** A port nobody listens on now, with room above it; Hazelcast skips to the next one if it gets taken. */
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = socket.getLocalPort();
      return port + MAX_NODES <= 65535 ? port : port - MAX_NODES;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
