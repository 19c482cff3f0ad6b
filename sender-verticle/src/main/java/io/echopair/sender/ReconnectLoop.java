package io.echopair.sender;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's connect / lose / reconnect cycle: finds the server, makes a {@link Connection} of each socket, and
 * after a failed attempt, a failed search or a lost connection tries again after a delay of its one {@link Backoff}.
 * The stream's frames wait in its {@link OutboundQueue} meanwhile.
 *
 * <p>On the verticle's event loop, so nothing here is synchronized.
 */
final class ReconnectLoop implements ConnectionOwner {

  private static final Logger LOG = LoggerFactory.getLogger(ReconnectLoop.class);

  private enum State { CONNECTING, CONNECTED, WAITING, IDLE, CLOSED }

  private final int index;
  private final Vertx vertx;
  private final NetClient client;
  private final SenderConfig config;
  private final OutboundQueue queue;
  private final ServerLocator servers;
  private final Backoff backoff;
  private final Latencies roundTrips;
  private final Runnable onProgress;

  private State state = State.IDLE;
  private Connection connection;
  private long retryTimer = -1;
  private boolean reconnecting;
  private boolean keepReconnecting = true;
  private long reconnects;
  private long unexpectedEchoes;

  /**
   * @param roundTrips where the stream's connections report each frame's round trip
   * @param onProgress called whenever frames got done or the stream's state changed
   */
  ReconnectLoop(int index, Vertx vertx, NetClient client, SenderConfig config, OutboundQueue queue,
                ServerLocator servers, Latencies roundTrips, Runnable onProgress) {
    this.index = index;
    this.vertx = vertx;
    this.client = client;
    this.config = config;
    this.queue = queue;
    this.servers = servers;
    this.backoff = new Backoff(config.reconnectInitialDelayMs(), config.reconnectMaxDelayMs(),
        ThreadLocalRandom.current());
    this.roundTrips = roundTrips;
    this.onProgress = onProgress;
  }

  OutboundQueue queue() {
    return queue;
  }

  /** Opens the connection; failures are retried with backoff until {@link #close()}. */
  void connect() {
    state = State.CONNECTING;
    servers.connect(client).onComplete(this::connectDone);
  }

  private void connectDone(AsyncResult<NetSocket> result) {
    if (state == State.CLOSED) {
      if (result.succeeded()) {
        result.result().close();
      }
      return;
    }
    if (result.failed() && result.cause() instanceof ServerLocator.NoServerFound none) {
      retryLater(delay -> LOG.warn(
          "No echo server found in the cluster yet; retrying in {} ms (stream {}, attempt {}: {})", delay, index,
          backoff.attempt(), none.getMessage()));
    } else if (result.failed()) {
      reconnectLater(Failures.describe(result.cause(), config, servers.target()));
    } else if (isConnectedToItself(result.result())) {
      result.result().close();
      reconnectLater("connected to itself: nothing listens on " + servers.target());
    } else {
      attach(result.result());
      return;
    }
    onProgress.run();
  }

  private void attach(NetSocket socket) {
    state = State.CONNECTED;
    if (reconnecting) {
      reconnects++;
      reconnecting = false;
    }
    if (config.usesTls()) {
      // TLS 1.3: the server checks our certificate after our side of the handshake is done; its first answer proves it
      LOG.info("Connected to {} {} (stream {}, sender id {})", servers.target(), SenderTls.describe(socket), index,
          queue.senderIdHex());
    } else {
      backoff.reset();
      LOG.info("Connected to {} (stream {}, sender id {})", servers.target(), index, queue.senderIdHex());
    }
    connection = new Connection(socket, index, queue, config, vertx, roundTrips, this, servers.target());
    if (!keepReconnecting) {
      connection.keepOpen();
    }
    connection.start();
  }

  // ---- what the connection tells

  /** The connection works, so the next loss starts the backoff again from its first delay. */
  @Override
  public void answered() {
    backoff.reset();
  }

  @Override
  public void progressed() {
    onProgress.run();
  }

  @Override
  public void unexpectedEcho() {
    unexpectedEchoes++;
  }

  @Override
  public void lost(String reason, int requeued) {
    connection = null;
    if (state == State.CLOSED) {
      return;
    }
    LOG.warn("Lost connection on stream {} to {}: {}{}", index, servers.target(), reason,
        requeued == 0 ? "" : requeued == 1 ? " (1 unacknowledged frame goes back to the queue)"
            : " (" + requeued + " unacknowledged frames go back to the queue)");
    reconnectLater(reason);
    onProgress.run();
  }

  // ---- waiting

  private void reconnectLater(String reason) {
    reconnecting = true;
    retryLater(delay -> LOG.warn("Reconnecting stream {} in {} ms (attempt {}): {}", index, delay, backoff.attempt(),
        reason));
  }

  /** Connects again after the backoff's next delay, saying so with {@code line}; idle once the sender stops. */
  private void retryLater(LongConsumer line) {
    if (!keepReconnecting) {
      state = State.IDLE;
      return;
    }
    state = State.WAITING;
    long delay = backoff.nextDelayMs();
    line.accept(delay);
    retryTimer = vertx.setTimer(delay, id -> {
      retryTimer = -1;
      connect();
    });
  }

  /** No new connection attempts from now on (the sender is stopping); a connection that is up stays up. */
  void stopReconnecting() {
    keepReconnecting = false;
    servers.close();
    if (connection != null) {
      connection.keepOpen();
    }
    if (state == State.WAITING) {
      vertx.cancelTimer(retryTimer);
      state = State.IDLE;
    }
  }

  /** Closes the connection for good; frames still queued or in flight stay counted as outstanding. */
  Future<Void> close() {
    State before = state;
    state = State.CLOSED;
    keepReconnecting = false;
    servers.close();
    if (before == State.WAITING) {
      vertx.cancelTimer(retryTimer);
    }
    Connection open = connection;
    return open == null ? Future.succeededFuture() : open.close();
  }

  // ---- producing

  /** Encodes {@code frames} new frames into the queue and writes what the connection takes. */
  void produce(int frames, byte[] text, long sentAtMicros) {
    queue.beginTick(frames);
    for (int i = 0; i < frames; i++) {
      if (queue.isFull()) {
        // Writing first may make room: only what cannot be written is dropped
        pump();
      }
      queue.add(text, sentAtMicros);
    }
    pump();
  }

  private void pump() {
    if (connection != null) {
      connection.pump();
    }
  }

  // ---- what the verticle reads

  long reconnects() {
    return reconnects;
  }

  long unexpectedEchoes() {
    return unexpectedEchoes;
  }

  /** Whether a connection to a server is open now. */
  boolean connected() {
    return state == State.CONNECTED;
  }

  /** Whether outstanding frames can still get done: connected or about to be. */
  boolean mayProgress() {
    return state == State.CONNECTED || state == State.CONNECTING || state == State.WAITING;
  }

  /** A connect to a local port nobody listens on can pick that very port as its own: TCP then connects to itself. */
  private static boolean isConnectedToItself(NetSocket connected) {
    SocketAddress local = connected.localAddress();
    SocketAddress remote = connected.remoteAddress();
    return local != null && remote != null && local.port() == remote.port()
        && Objects.equals(local.hostAddress(), remote.hostAddress());
  }
}
