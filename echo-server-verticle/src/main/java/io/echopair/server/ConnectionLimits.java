package io.echopair.server;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections one server deployment holds, in total and per client address, shared by all its instances:
 * a connection beyond {@code maxConnections} or {@code maxConnectionsPerAddress} is refused.
 */
final class ConnectionLimits implements Shareable {

  private static final String MAP_NAME = "io.echopair.server.limits";

  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  // Address -> connections open from it; an address with none has no entry
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();

  ConnectionLimits(int maxTotal, int maxPerAddress) {
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /** The limits of a deployment, created by whichever of its instances asks first. */
  static ConnectionLimits forDeployment(Vertx vertx, String deploymentId, int maxTotal, int maxPerAddress) {
    return map(vertx).computeIfAbsent(deploymentId, id -> new ConnectionLimits(maxTotal, maxPerAddress));
  }

  /** Forgets a deployment's limits once it stopped. */
  void discard(Vertx vertx, String deploymentId) {
    map(vertx).removeIfPresent(deploymentId, this);
  }

  /**
   * Counts a new connection from {@code address} in, if both limits allow it.
   *
   * @return null when admitted (the caller must {@link #release} it when it closes), else why it is refused
   */
  String admit(String address) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return maxTotal + " connections open (maxConnections)";
    }
    if (perAddress.merge(address, 1, Integer::sum) > maxPerAddress) {
      release(address);
      return maxPerAddress + " connections from " + address + " open (maxConnectionsPerAddress)";
    }
    return null;
  }

  void release(String address) {
    total.decrementAndGet();
    perAddress.computeIfPresent(address, (a, count) -> count == 1 ? null : count - 1);
  }

  private static LocalMap<String, ConnectionLimits> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP_NAME);
  }
}
