package io.echopair.runtime.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;

/**
 * What a verticle may ask about the cluster its Vert.x is part of: this node's id and event bus host, and when
 * another node leaves. Every method also works on a Vert.x that is not clustered.
 */
public final class ClusterNodes {

  private ClusterNodes() {
  }

  /** This node's id in the cluster; null when Vert.x is not clustered. */
  public static String localNodeId(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    return manager == null ? null : manager.getNodeId();
  }

  /** The host other nodes reach this node's event bus at; null when Vert.x is not clustered. */
  public static String eventBusHost(Vertx vertx) {
    NodeInfo info = nodeInfo(vertx);
    return info == null ? null : info.host();
  }

  /** {@code host:port} of this node's event bus, or {@code "none (not clustered)"}. */
  public static String eventBusAddress(Vertx vertx) {
    NodeInfo info = nodeInfo(vertx);
    return info == null ? "none (not clustered)" : info.host() + ":" + info.port();
  }

  /** Nodes in the cluster, this one included; 1 when Vert.x is not clustered. */
  public static int count(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    return manager == null ? 1 : manager.getNodes().size();
  }

  /**
   * Watches for the node {@code nodeId} to leave the cluster (shut down, crashed past Hazelcast's heartbeat timeout,
   * or cut off). The returned departure completes on the calling context.
   *
   * <p>Call it on a Vert.x context. Without a cluster, or for a null id, the departure never completes.
   */
  public static Departure watch(Vertx vertx, String nodeId) {
    Context context = vertx.getOrCreateContext();
    Departure departure = new Departure(context, nodeId);
    ClusterManager manager = clusterManager(vertx);
    if (nodeId != null && manager instanceof HazelcastClusterManager hazelcast) {
      departure.start(manager, hazelcast.getHazelcastInstance());
    }
    return departure;
  }

  private static ClusterManager clusterManager(Vertx vertx) {
    return vertx.isClustered() ? ((VertxInternal) vertx).clusterManager() : null;
  }

  private static NodeInfo nodeInfo(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    return manager == null ? null : manager.getNodeInfo();
  }

  /** One watch of one node; {@link #cancel()} when no longer interested. */
  public static final class Departure implements MembershipListener {

    private final Context context;
    private final String nodeId;
    private final Promise<Void> left = Promise.promise();
    private volatile ClusterManager manager;
    private volatile HazelcastInstance hazelcast;
    private Future<UUID> registration = Future.succeededFuture();

    private Departure(Context context, String nodeId) {
      this.context = context;
      this.nodeId = nodeId;
    }

    /** Completes when the node has left; never for a node that stays, or once cancelled. */
    public Future<Void> future() {
      return left.future();
    }

    /** Stops watching: the departure will not complete any more. */
    public void cancel() {
      HazelcastInstance instance = hazelcast;
      if (instance == null) {
        return;
      }
      hazelcast = null;
      registration.onSuccess(id -> context.executeBlocking(() -> removeListener(instance, id), false));
    }

    private void start(ClusterManager manager, HazelcastInstance instance) {
      this.manager = manager;
      this.hazelcast = instance;
      // Hazelcast calls into its own services here: keep it off the event loop
      registration = context.executeBlocking(() -> {
        UUID id = instance.getCluster().addMembershipListener(this);
        if (!manager.getNodes().contains(nodeId)) {
          // Gone before we started listening
          memberRemoved(null);
        }
        return id;
      }, false);
    }

    @Override
    public void memberAdded(MembershipEvent event) {
    }

    /** On a Hazelcast event thread: any member leaving is a reason to look whether ours is still there. */
    @Override
    public void memberRemoved(MembershipEvent event) {
      if (hazelcast != null && !manager.getNodes().contains(nodeId)) {
        // Not once cancelled, even if that happened while this was on its way
        context.runOnContext(v -> {
          if (hazelcast != null) {
            left.tryComplete();
          }
        });
      }
    }

    private static Void removeListener(HazelcastInstance instance, UUID id) {
      if (instance.getLifecycleService().isRunning()) {
        instance.getCluster().removeMembershipListener(id);
      }
      return null;
    }
  }
}
