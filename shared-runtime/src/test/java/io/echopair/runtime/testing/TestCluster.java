package io.echopair.runtime.testing;

import com.hazelcast.config.Config;
import io.echopair.runtime.cluster.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Clustered Vert.x instances in one test JVM, on loopback: the shipped cluster.xml with a cluster name of its own
 * and Hazelcast ports the operating system chooses (never 5701 and up), so that a test never joins another test's
 * cluster or one someone runs on the machine. Each node lists the nodes started before it as its members; a node
 * started another way (by the launcher, or a child JVM) is known by {@link #joinThrough}. Close it in
 * {@code @AfterEach}.
 */
public final class TestCluster implements AutoCloseable {

  private static final String LOOPBACK = "127.0.0.1";

  private final String name = "echopair-test-" + UUID.randomUUID();
  private final List<Vertx> nodes = new ArrayList<>();
  /** {@code 127.0.0.1:port} of every node known so far, each port read back from its Hazelcast instance. */
  private final List<String> members = new CopyOnWriteArrayList<>();

  /** The cluster's name, as the node logs it. */
  public String name() {
    return name;
  }

  /**
   * The shipped cluster.xml as a node of this cluster reads it: this cluster's name, a port the operating system
   * chooses, and the nodes known so far as its members (none: it starts the cluster).
   */
  public String hazelcastXml(String shipped) {
    String own = shipped
        .replace("<cluster-name>echopair</cluster-name>", "<cluster-name>" + name + "</cluster-name>")
        .replace(">5701</port>", ">0</port>")
        .replace("<member>127.0.0.1</member>", memberList())
        .replace("</join>", "</join>\n    <interfaces enabled=\"true\"><interface>" + LOOPBACK
            + "</interface></interfaces>");
    if (own.contains(">5701<") || !own.contains(name) || !own.contains("<interfaces")) {
      throw new IllegalStateException("conf/cluster.xml no longer has the lines a test cluster replaces");
    }
    return own;
  }

  /** Later nodes find the cluster through {@code node}, a clustered Vert.x started elsewhere in this JVM. */
  public void joinThrough(Vertx node) {
    members.add(memberAddress((HazelcastClusterManager) ((VertxInternal) node).clusterManager()));
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
    // Port 0: the operating system picks a free one as the node binds, and Hazelcast reads it back
    config.getNetworkConfig().setPort(0).setPortAutoIncrement(false);
    // Without a member to start from, Hazelcast would pick a non-loopback address: name the interface
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(LOOPBACK);
    config.getNetworkConfig().getJoin().getTcpIpConfig().clear().setMembers(new ArrayList<>(members));
    EventBusOptions onLoopback = new EventBusOptions(eventBus);
    if (onLoopback.getHost() == null) {
      onLoopback.setHost("127.0.0.1");
    }
    VertxOptions options = new VertxOptions().setEventBusOptions(onLoopback);
    HazelcastClusterManager manager = new HazelcastClusterManager(config);
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered()
        .onSuccess(node -> members.add(memberAddress(manager)));
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

  /** The member list of this cluster, as cluster.xml's member elements. */
  private String memberList() {
    StringBuilder list = new StringBuilder();
    members.forEach(member -> list.append("<member>").append(member).append("</member>"));
    return list.toString();
  }

  private static String memberAddress(HazelcastClusterManager manager) {
    return LOOPBACK + ":" + manager.getHazelcastInstance().getCluster().getLocalMember().getAddress().getPort();
  }
}
