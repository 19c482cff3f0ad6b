package io.echopair.server;

import io.echopair.protocol.Frame;
import io.echopair.protocol.FrameDecoder;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted client, on its event loop: decodes its frames, logs them with the seed's words, echoes them with
 * backpressure, and tells how the connection ended.
 */
final class ClientConnection {

  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

  static final String SERVER_STOPPING = "server stopping";
  static final String IDLE_TIMEOUT = "idle timeout";
  static final String NOT_READING = "idle timeout, not reading its echoes";

  private final Vertx vertx;
  private final NetSocket socket;
  private final ServerConfig config;
  private final ServerStats stats;
  private final DeliveryLedger ledger;
  private MessagePublisher publisher = MessagePublisher.OFF;
  private final Handler<ClientConnection> onClosed;
  private final String peer;
  private final FrameDecoder decoder;
  private final Promise<Void> closed = Promise.promise();
  private final long connectedAtNanos = System.nanoTime();

  private int logEvery;
  private long lastActivityNanos = connectedAtNanos;
  private long frames;
  private long corrupt;
  private long duplicates;
  // The frames of the current read, echoed with one write
  private Buffer echoBatch;
  private int echoFrames;
  private int readFrames;
  private int readLength;
  private boolean pausedForEchoes;
  private Throwable error;
  // Once closing, input is read and discarded; closeReason says why when the server decided it
  private boolean closing;
  private String closeReason;
  private long discardedBytes;
  private long cutTimer = -1;
  private boolean cut;

  ClientConnection(Vertx vertx, NetSocket socket, ServerConfig config, int logEvery, ServerStats stats,
                   DeliveryLedger ledger, Handler<ClientConnection> onClosed) {
    this.vertx = vertx;
    this.socket = socket;
    this.config = config;
    this.logEvery = logEvery;
    this.stats = stats;
    this.ledger = ledger;
    this.onClosed = onClosed;
    this.peer = describe(socket.remoteAddress());
    this.decoder = new FrameDecoder(config.frameFormat(), this::handleFrame);
  }

  /** Wires the socket and logs the connect. */
  ClientConnection open() {
    socket.setWriteQueueMaxSize(config.writeQueueMaxBytes());
    socket.handler(this::handleRead)
        .drainHandler(this::handleDrain)
        .exceptionHandler(this::handleError)
        .endHandler(this::handleEnd)
        .closeHandler(this::handleClosed)
        .shutdownHandler(shutdown -> close(SERVER_STOPPING));
    stats.connected();
    LOG.info("Client {} connected ({} open)", peer, stats.open());
    return this;
  }

  /** Where each new frame is published on the event bus (the server's {@code publish} key); nowhere by default. */
  void publishTo(MessagePublisher publisher) {
    this.publisher = publisher;
  }

  void logEvery(int logEvery) {
    this.logEvery = logEvery;
  }

  /** Nanoseconds since the client last sent something or took echoes off the queue. */
  long idleNanos(long nowNanos) {
    return nowNanos - lastActivityNanos;
  }

  /** Closes the connection for having been idle, saying whether it was us who stopped reading it. */
  void closeIdle() {
    close(pausedForEchoes ? NOT_READING : IDLE_TIMEOUT);
  }

  /** Completes once the connection is closed and its disconnect is logged. */
  Future<Void> closed() {
    return closed.future();
  }

  /**
   * Closes the connection once its queued echoes are written; cuts it if that takes longer than closeTimeoutSeconds
   * (a client that never reads). Frames arriving meanwhile are discarded.
   */
  void close(String reason) {
    if (!closing) {
      closeReason = reason;
      beginClose();
    }
  }

  private void beginClose() {
    if (closing || closed.future().isComplete()) {
      return;
    }
    closing = true;
    // Unread input at close() makes the kernel reset the connection and drop echoes not yet sent: keep reading
    if (pausedForEchoes) {
      resumeReading();
    }
    socket.close();
    cutTimer = vertx.setTimer(Math.max(1, config.closeTimeoutSeconds() * 1000L), id -> cut());
  }

  private void handleRead(Buffer chunk) {
    lastActivityNanos = System.nanoTime();
    if (closing) {
      discardedBytes += chunk.length();
      stats.received(chunk.length(), 0);
      return;
    }
    readFrames = 0;
    readLength = chunk.length();
    decoder.handle(chunk);
    stats.received(chunk.length(), readFrames);
    writeEchoes();
  }

  private void handleFrame(Frame frame) {
    frames++;
    readFrames++;
    if (!frame.checksumValid()) {
      corrupt++;
      stats.corruptFrame();
      LOG.warn("Corrupt frame from {} (seq={}): checksum mismatch, not echoed", peer, frame.sequence());
      return;
    }
    // A resent frame is echoed again (its sender waits for that) but logged only the first time
    if (frame.isTagged() && !ledger.firstArrival(frame.senderId(), frame.sequence())) {
      duplicates++;
    } else {
      publisher.publish(frame, peer);
      if (logEvery > 0 && frames % logEvery == 0) {
        logFrame(frame);
      }
    }
    if (config.echo()) {
      if (echoBatch == null) {
        echoBatch = Buffer.buffer(readLength + frame.size());
      }
      frame.appendTo(echoBatch);
      echoFrames++;
    }
  }

  private void logFrame(Frame frame) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    if (frame.isTagged()) {
      LOG.info("Recv Msg : {} (peer {}, seq={})", frame.printableText(), peer, frame.sequence());
    } else {
      LOG.info("Recv Msg : {} (peer {})", frame.printableText(), peer);
    }
  }

  /** One write per read; stop reading from a client whose echoes pile up until the queue drains. */
  private void writeEchoes() {
    if (echoBatch == null) {
      return;
    }
    Buffer batch = echoBatch;
    stats.echoed(echoFrames, batch.length());
    echoBatch = null;
    echoFrames = 0;
    socket.write(batch);
    if (socket.writeQueueFull() && !pausedForEchoes) {
      pausedForEchoes = true;
      stats.pausedReading();
      socket.pause();
      LOG.debug("Client {} is not reading its echoes as fast as it sends: pausing reads", peer);
    }
  }

  private void handleDrain(Void drained) {
    lastActivityNanos = System.nanoTime();
    if (pausedForEchoes) {
      LOG.debug("Client {} took its echoes: resuming reads", peer);
      resumeReading();
    }
  }

  private void resumeReading() {
    pausedForEchoes = false;
    stats.resumedReading();
    socket.resume();
  }

  private void handleError(Throwable failure) {
    if (error == null) {
      error = failure;
    }
    LOG.debug("Client {} failed", peer, failure);
    beginClose();
  }

  private void handleEnd(Void end) {
    LOG.debug("Client {} ended its stream", peer);
  }

  /** Force-closes a connection whose echoes could not be flushed in time. */
  private void cut() {
    cutTimer = -1;
    if (closed.future().isComplete()) {
      return;
    }
    cut = true;
    // NetSocket.close() waits for the queued echoes to be written, which a client that never reads prevents:
    // closing at the Netty level below Vert.x's handler drops them
    ((NetSocketInternal) socket).channelHandlerContext().close();
  }

  private void handleClosed(Void v) {
    if (cutTimer != -1) {
      vertx.cancelTimer(cutTimer);
    }
    if (pausedForEchoes) {
      pausedForEchoes = false;
      stats.resumedReading();
    }
    stats.disconnected();
    double seconds = (System.nanoTime() - connectedAtNanos) / 1e9;
    LOG.info("Client {} disconnected ({}): {} frames in {} s{}", peer, reason(), frames,
        String.format(Locale.ROOT, "%.1f", seconds), details());
    onClosed.handle(this);
    closed.complete();
  }

  private String reason() {
    if (closeReason != null) {
      return closeReason;
    }
    if (error == null) {
      return "peer closed";
    }
    return isReset(error) ? "reset by peer" : "error: " + message(error);
  }

  private String details() {
    StringBuilder details = new StringBuilder();
    if (corrupt > 0) {
      details.append(", ").append(corrupt).append(" corrupt");
    }
    if (duplicates > 0) {
      details.append(", ").append(duplicates).append(duplicates == 1 ? " duplicate" : " duplicates");
    }
    if (decoder.bufferedBytes() > 0) {
      details.append(", ").append(decoder.bufferedBytes()).append(" bytes of an incomplete frame discarded");
    }
    if (discardedBytes > 0) {
      details.append(", ").append(discardedBytes).append(" bytes received while closing discarded");
    }
    if (cut) {
      details.append(", echoes not flushed within ").append(config.closeTimeoutSeconds()).append(" s dropped");
    }
    return details.toString();
  }

  private static boolean isReset(Throwable failure) {
    return failure instanceof IOException && failure.getMessage() != null
        && failure.getMessage().contains("Connection reset");
  }

  private static String message(Throwable failure) {
    return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
  }

  private static String describe(SocketAddress address) {
    if (address == null) {
      return "unknown";
    }
    String host = address.hostAddress() != null ? address.hostAddress() : address.host();
    return host != null && host.contains(":") ? "[" + host + "]:" + address.port() : host + ":" + address.port();
  }
}
