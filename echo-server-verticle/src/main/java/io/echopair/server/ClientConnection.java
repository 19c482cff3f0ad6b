package io.echopair.server;

import io.echopair.runtime.Failures;
import io.echopair.runtime.launch.FatalErrors;
import io.echopair.server.ReadGate.Reason;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted client, on its event loop: reads it as fast as its echoes are taken and its lines are logged, hands
 * its bytes to a {@link FrameIntake} and their echoes to an {@link EchoWriter}, and closes it when it is idle, stalls
 * inside a frame ({@link StallWatch}), sends garbage or the server stops, saying why.
 */
final class ClientConnection {

  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

  static final String SERVER_STOPPING = "server stopping";
  static final String IDLE_TIMEOUT = "idle timeout";
  static final String NOT_READING = "idle timeout, not reading its echoes";

  private final Vertx vertx;
  private final NetSocket socket;
  private final ServerStats stats;
  private final Handler<ClientConnection> onClosed;
  private final String peer;
  private final ClientIdentity identity;
  private final SenderView senders;
  private final FrameIntake intake;
  private final ReadGate gate;
  private final StallWatch clock;
  private final EchoWriter echoes;
  private final LogTurns logTurns;
  private final Runnable releaseForLog = this::releasedForLog;
  private final Promise<Void> closed = Promise.promise();
  private final long connectedAtNanos = System.nanoTime();

  // The settings in force: the server's, pushed again on a live change
  private ServerConfig config;
  // The log let this connection go: its next read is taken whatever the log looks like
  private boolean admittedByLog;
  private Throwable error;
  // Once closing, input is read and discarded; closeReason says why when the server decided it
  private boolean closing;
  // The socket is closed (by either side); the connection is done once its held reads are logged
  private boolean socketClosed;
  private String closeReason;
  private long discardedBytes;
  private long cutTimer = -1;
  private boolean cut;

  /**
   * @param identity who the client is: where its sender ids are known, so that no other client can speak for them
   */
  ClientConnection(Vertx vertx, NetSocket socket, ServerConfig config, ServerStats stats,
                   DeliveryLedger ledger, String peer, ClientIdentity identity, LogTurns logTurns,
                   Handler<ClientConnection> onClosed) {
    this.vertx = vertx;
    this.socket = socket;
    this.config = config;
    this.stats = stats;
    this.onClosed = onClosed;
    this.peer = peer;
    this.identity = identity;
    this.senders = new SenderView(ledger, identity.scope());
    this.gate = new ReadGate(socket, this::handleRead, stats);
    this.clock = new StallWatch(connectedAtNanos);
    this.echoes = new EchoWriter(socket, gate, clock, config.writeQueueMaxBytes(), peer);
    this.intake = new FrameIntake(config, senders, stats, peer, echoes::write);
    this.logTurns = logTurns;
  }

  /** Wires the socket and logs the connect. */
  ClientConnection open() {
    socket.setWriteQueueMaxSize(config.writeQueueMaxBytes());
    ((NetSocketInternal) socket).messageHandler(gate::accept);
    socket.exceptionHandler(this::handleError)
        .endHandler(this::handleEnd)
        .closeHandler(this::handleClosed)
        .shutdownHandler(shutdown -> close(SERVER_STOPPING));
    stats.connected();
    LOG.info("Client {} connected{} ({} open)", peer, identity.connected(), stats.open());
    return this;
  }

  /** Where each new frame is published on the event bus (the server's {@code publish} key); nowhere by default. */
  void publishTo(MessagePublisher publisher) {
    intake.publishTo(publisher);
  }

  /** The server's settings changed while running (its live keys, such as logEvery). */
  void use(ServerConfig changed) {
    config = changed;
    intake.use(changed);
  }

  /**
   * Closes the connection when it has been silent too long (or has not taken its echoes for that long), or when an
   * unfinished frame waited too long for its end while the server was reading the client. A client the server is
   * not reading for the log's sake is neither.
   */
  void closeIfStalled(long nowNanos, long idleLimitNanos, long frameLimitNanos) {
    if (closing || gate.isStoppedFor(Reason.LOG)) {
      return;
    }
    if (clock.idleFor(nowNanos, idleLimitNanos)) {
      close(gate.isStoppedFor(Reason.ECHOES) ? NOT_READING : IDLE_TIMEOUT);
    } else if (!gate.isStopped() && clock.frameStalledFor(nowNanos, frameLimitNanos)) {
      close(String.format(Locale.ROOT, "frame timeout: %d of %d bytes of a frame in %d s", intake.partialBytes(),
          config.frameSize(), config.frameTimeoutSeconds()));
    }
  }

  /** Bytes the connection holds in memory now: reads not yet taken and echoes not yet sent (for tests). */
  long retainedBytes() {
    return gate.heldBytes() + echoes.unsentBytes();
  }

  /** Completes once the connection is closed and its disconnect is logged. */
  Future<Void> closed() {
    return closed.future();
  }

  /**
   * Closes the connection once its queued echoes are written; cuts it if that takes longer than closeTimeoutSeconds
   * (a client that never reads). The reads it holds are handled first; frames arriving meanwhile are discarded.
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
    logTurns.cancel(releaseForLog);
    handleHeldReads();
    closing = true;
    // Unread input at close() makes the kernel reset the connection and drop echoes not yet sent: keep reading
    gate.restartAll();
    socket.close();
    // A client that does not take its echoes will not take them now: no need to read what it sends meanwhile
    long graceMs = NOT_READING.equals(closeReason) ? 0 : config.closeTimeoutSeconds() * 1000L;
    cutTimer = vertx.setTimer(Math.max(1, graceMs), id -> cut());
  }

  /** Each read, when the server reads this client: logs and echoes its frames, or waits for the log. */
  private void handleRead(Buffer chunk) {
    clock.active(System.nanoTime());
    if (closing) {
      discardedBytes += chunk.length();
      stats.received(chunk.length(), 0);
      return;
    }
    if (mustWaitForLog(chunk.length())) {
      gate.hold(chunk, Reason.LOG);
      logTurns.await(releaseForLog);
      return;
    }
    intake.read(chunk);
    clock.partialFrame(intake.partialBytes() > 0);
    if (intake.isGarbage()) {
      close(intake.garbageReason());
      return;
    }
    echoes.stopReadingIfPilingUp();
  }

  /** Whether this read waits for its turn at the log; the first read after a turn is given never does. */
  private boolean mustWaitForLog(int bytes) {
    if (admittedByLog) {
      admittedByLog = false;
      return false;
    }
    return logTurns.mustWait(intake.linesAtMost(bytes));
  }

  private void releasedForLog() {
    if (socketClosed) {
      // The client is gone; its last reads were waiting for the log, and the disconnect line for them
      handleHeldReads();
      finishClose();
      return;
    }
    admittedByLog = true;
    clock.readingRestarted(System.nanoTime());
    gate.restart(Reason.LOG);
  }

  /** Logs (and echoes) the reads the gate holds, whatever the log looks like: they were received. */
  private void handleHeldReads() {
    for (Buffer chunk : gate.takeHeld()) {
      intake.read(chunk);
    }
  }

  private void handleError(Throwable failure) {
    // Netty reports an OutOfMemoryError thrown while reading the socket here
    FatalErrors.exitIfFatal(failure);
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
    socketClosed = true;
    if (cutTimer != -1) {
      vertx.cancelTimer(cutTimer);
    }
    if (gate.isStoppedFor(Reason.LOG)) {
      // Its last reads wait for their turn at the log, like any others: releasedForLog finishes
      return;
    }
    handleHeldReads();
    finishClose();
  }

  /** Logs the disconnect, once the reads that came before it are handled. */
  private void finishClose() {
    logTurns.cancel(releaseForLog);
    gate.closed();
    senders.close();
    stats.disconnected();
    double seconds = (System.nanoTime() - connectedAtNanos) / 1e9;
    LOG.info("Client {} disconnected ({}): {} frames in {} s{}", peer, reason(), intake.frames(),
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
    return isReset(error) ? "reset by peer" : "error: " + Failures.message(error);
  }

  private String details() {
    StringBuilder details = new StringBuilder();
    intake.describeCounts(details);
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
}
