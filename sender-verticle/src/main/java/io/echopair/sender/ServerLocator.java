package io.echopair.sender;

import io.echopair.runtime.cluster.ClusterNodes;
import io.echopair.protocol.ServerOffer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one stream connects: the configured host and port, or, with {@code discovery}, an echo server found on the
 * event bus. Looking for one asks a few servers at once (requests go round-robin over them) and takes the one with
 * the fewest clients, counting those this sender's other streams have just picked; when none answers, the search
 * fails with {@link NoServerFound} and the stream's {@link ReconnectLoop} tries again. A found server whose cluster
 * node leaves has its connection closed, so the stream looks again.
 *
 * <p>Runs on the stream's event loop.
 */
final class ServerLocator {

  private static final Logger LOG = LoggerFactory.getLogger(ServerLocator.class);

  /** Requests sent at once per search: each goes to the next server in turn, so the search sees up to this many. */
  static final int PROBES = 3;
  /** Where the streams of one sender verticle (one context) count the servers they are connected to. */
  private static final String PICKS = ServerLocator.class.getName() + ".picks";

  /** No server answered a search; the message says why. */
  static final class NoServerFound extends RuntimeException {
    NoServerFound(String why) {
      super(why, null, false, false);
    }
  }

  private final Vertx vertx;
  private final SenderConfig config;
  private final int stream;
  // Server id -> streams of this sender on it: a server the sender's clients have not reached yet still counts
  private final Map<String, Integer> picks;

  private String target;
  private String picked;
  private ClusterNodes.Departure departure;
  private Promise<ServerOffer> search;
  private boolean searchFailed;
  private boolean closed;

  private ServerLocator(Vertx vertx, SenderConfig config, int stream) {
    this.vertx = vertx;
    this.config = config;
    this.stream = stream;
    this.target = config.discovery() ? "an echo server of the cluster" : config.host() + ":" + config.port();
    this.picks = picksOf(vertx.getOrCreateContext());
  }

  private static Map<String, Integer> picksOf(Context context) {
    Map<String, Integer> picks = context.get(PICKS);
    if (picks == null) {
      picks = new HashMap<>();
      context.put(PICKS, picks);
    }
    return picks;
  }

  /**
   * @param stream the stream's number, for log lines
   */
  static ServerLocator forStream(Vertx vertx, SenderConfig config, int stream) {
    return new ServerLocator(vertx, config, stream);
  }

  /** What the sender's first line says it connects to. */
  static String describe(Vertx vertx, SenderConfig config) {
    if (!config.discovery()) {
      return config.host() + ":" + config.port();
    }
    return vertx.isClustered() ? "an echo server found in the cluster (host and port are not used)"
        : "an echo server found on the event bus of this JVM (host and port are not used; "
            + "--cluster looks in the cluster)";
  }

  /** {@code host:port} of the server last connected to or tried, for log lines. */
  String target() {
    return target;
  }

  /** Finds the server (with discovery: fails with {@link NoServerFound} when none answers) and connects to it. */
  Future<NetSocket> connect(NetClient client) {
    stopWatching();
    release();
    if (!config.discovery()) {
      return client.connect(config.port(), config.host());
    }
    return find().compose(offer -> {
      target = offer.host() + ":" + offer.port();
      return client.connect(offer.port(), offer.host()).onSuccess(socket -> watch(offer, socket));
    });
  }

  /** No more searching or watching (the stream is closed). */
  void close() {
    closed = true;
    stopWatching();
    release();
    if (search != null) {
      search.tryFail("the sender is stopping");
    }
  }

  // ---- discovery

  private Future<ServerOffer> find() {
    Promise<ServerOffer> found = Promise.promise();
    search = found;
    if (closed) {
      found.tryFail("the sender is stopping");
      return found.future();
    }
    probe().onComplete(offer -> {
      if (closed) {
        found.tryFail("the sender is stopping");
        return;
      }
      if (searchFailed) {
        LOG.info("Found echo server {} for stream {}", offer.describe(), stream);
      }
      searchFailed = false;
      picked = offer.serverId();
      picks.merge(picked, 1, Integer::sum);
      found.tryComplete(offer);
    }, failure -> {
      searchFailed = true;
      found.tryFail(new NoServerFound(failure.getMessage()));
    });
    return found.future();
  }

  /** Asks {@link #PROBES} servers at once; the least busy of those that answer wins, ties at random. */
  private Future<ServerOffer> probe() {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(config.connectTimeoutMs());
    List<Future<Message<JsonObject>>> requests = new ArrayList<>();
    for (int i = 0; i < PROBES; i++) {
      requests.add(vertx.eventBus().request(ServerOffer.ADDRESS, new JsonObject(), options));
    }
    return Future.join(requests).transform(done -> {
      Map<String, ServerOffer> offers = new LinkedHashMap<>();
      Throwable lastFailure = null;
      for (Future<Message<JsonObject>> request : requests) {
        if (request.succeeded()) {
          ServerOffer offer = offerIn(request.result());
          if (offer != null) {
            offers.put(offer.serverId(), offer);
          }
        } else {
          lastFailure = request.cause();
        }
      }
      if (offers.isEmpty()) {
        return Future.failedFuture(lastFailure != null ? lastFailure.getMessage() : "no valid answer");
      }
      return Future.succeededFuture(leastBusy(new ArrayList<>(offers.values())));
    });
  }

  private ServerOffer offerIn(Message<JsonObject> answer) {
    try {
      return ServerOffer.fromJson(answer.body());
    } catch (IllegalArgumentException | NullPointerException notAnOffer) {
      LOG.warn("Ignoring an answer on {} that is not a server offer: {}", ServerOffer.ADDRESS, answer.body());
      return null;
    }
  }

  private ServerOffer leastBusy(List<ServerOffer> offers) {
    long fewest = offers.stream().mapToLong(this::load).min().orElse(0);
    List<ServerOffer> best = offers.stream().filter(offer -> load(offer) == fewest)
        .sorted(Comparator.comparing(ServerOffer::serverId)).toList();
    return best.get(ThreadLocalRandom.current().nextInt(best.size()));
  }

  /** The server's clients, or this sender's streams on it if more: their connections may not have arrived yet. */
  private long load(ServerOffer offer) {
    return Math.max(offer.clients(), picks.getOrDefault(offer.serverId(), 0));
  }

  /** This stream no longer counts on the server it picked. */
  private void release() {
    if (picked != null) {
      picks.computeIfPresent(picked, (id, streams) -> streams > 1 ? streams - 1 : null);
      picked = null;
    }
  }

  // ---- the found server's node

  private void watch(ServerOffer offer, NetSocket socket) {
    departure = ClusterNodes.watch(vertx, offer.nodeId());
    departure.future().onSuccess(left -> {
      LOG.warn("Echo server {} left the cluster: closing stream {}'s connection to find another", offer.describe(),
          stream);
      socket.close();
    });
  }

  private void stopWatching() {
    if (departure != null) {
      departure.cancel();
      departure = null;
    }
  }
}
