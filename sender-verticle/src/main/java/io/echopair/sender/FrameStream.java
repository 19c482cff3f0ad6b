package io.echopair.sender;

import io.echopair.protocol.Frame;
import io.echopair.protocol.FrameDecoder;
import io.echopair.protocol.FrameEncoder;
import io.echopair.protocol.FrameFormat;
import io.echopair.protocol.SenderId;
import io.echopair.runtime.Failures;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream of frames over one TCP connection: its own sender id and sequence, a bounded queue of frames waiting to
 * be written, the frames written but not yet echoed, and the connect / lose / reconnect cycle.
 *
 * <p>Everything runs on the deploying verticle's event loop, so nothing here is synchronized.
 */
final class FrameStream {

  private static final Logger LOG = LoggerFactory.getLogger(FrameStream.class);

  /** Bytes of consecutive frames joined into one write: fewer, larger writes at high rates. */
  static final int MAX_BATCH_BYTES = 64 * 1024;
  /** Unexpected echoes logged per connection; the rest are only counted, so a broken peer cannot flood the log. */
  private static final int ECHO_WARNINGS_PER_CONNECTION = 5;

  private enum State { CONNECTING, CONNECTED, WAITING, IDLE, CLOSED }

  /** A produced frame: its bytes as they go on the wire and, once written with acks, when. */
  private static final class PendingFrame {
    final long sequence;
    final Buffer bytes;
    long writtenAtNanos;
    private boolean written;
    private boolean markedResent;

    PendingFrame(long sequence, Buffer bytes) {
      this.sequence = sequence;
      this.bytes = bytes;
    }

    /** From its second write on, the frame carries the resent flag: only then may the server take it for a repeat. */
    void beforeWrite(FrameEncoder encoder) {
      if (written && !markedResent) {
        encoder.markResent(bytes);
        markedResent = true;
      }
      written = true;
    }
  }

  private final int index;
  private final long senderId;
  private final Vertx vertx;
  private final NetClient client;
  private final ServerLocator servers;
  private final SenderConfig config;
  private final FrameFormat format;
  private final FrameEncoder encoder;
  private final Backoff backoff;
  private final Histogram rttMicros;
  private final Runnable onProgress;
  private final int framesPerBatch;

  private final ArrayDeque<PendingFrame> queue = new ArrayDeque<>();
  // Sequence -> frame, in the order written, which is sequence order.
  private final LinkedHashMap<Long, PendingFrame> inFlight = new LinkedHashMap<>();

  private State state = State.IDLE;
  private NetSocket socket;
  private String lossReason;
  private long reconnectTimer = -1;
  private boolean reconnecting;
  // With TLS: connected, but the server has not answered yet, so it may still refuse the handshake
  private boolean unproven;
  private boolean keepReconnecting = true;
  private boolean overflowing;
  private long droppedThisEpisode;
  private int echoWarningsLeft;
  private long nextSequence = 1;
  // Without acks: frames handed to the socket whose write has not completed yet.
  private int unwritten;

  private long produced;
  private long sent;
  private long completed;
  private long dropped;
  private long reconnects;
  private long unexpectedEchoes;

  FrameStream(int index, Vertx vertx, NetClient client, SenderConfig config, Histogram rttMicros, Runnable onProgress,
              ServerLocator servers) {
    this.index = index;
    this.servers = servers;
    this.senderId = newSenderId();
    this.vertx = vertx;
    this.client = client;
    this.config = config;
    this.format = config.format();
    this.encoder = new FrameEncoder(format);
    this.backoff = new Backoff(config.reconnectInitialDelayMs(), config.reconnectMaxDelayMs(), ThreadLocalRandom.current());
    this.rttMicros = rttMicros;
    this.onProgress = onProgress;
    this.framesPerBatch = Math.max(1, MAX_BATCH_BYTES / format.frameSize());
  }

  private static long newSenderId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return id;
  }

  // ---- connection cycle

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
    if (result.failed()) {
      scheduleReconnect(reason(result.cause()));
      onProgress.run();
      return;
    }
    attach(result.result());
  }

  private void attach(NetSocket connected) {
    if (isConnectedToItself(connected)) {
      connected.close();
      scheduleReconnect("connected to itself: nothing listens on " + servers.target());
      onProgress.run();
      return;
    }
    socket = connected;
    state = State.CONNECTED;
    lossReason = null;
    echoWarningsLeft = ECHO_WARNINGS_PER_CONNECTION;
    if (reconnecting) {
      reconnects++;
      reconnecting = false;
    }
    if (config.usesTls()) {
      // TLS 1.3: the server checks our certificate after our side of the handshake is done; its first answer proves it
      unproven = true;
      LOG.info("Connected to {} {} (stream {}, sender id {})", servers.target(), SenderTls.describe(connected), index,
          senderIdHex());
    } else {
      backoff.reset();
      LOG.info("Connected to {} (stream {}, sender id {})", servers.target(), index, senderIdHex());
    }
    if (config.acks()) {
      FrameDecoder decoder = new FrameDecoder(format, echo -> handleEcho(connected, echo));
      connected.handler(chunk -> handleEchoes(decoder, chunk));
    } else {
      // Echoes are not needed, but they must be read or the server would stall on a full socket.
      connected.handler(chunk -> answered());
    }
    connected.endHandler(v -> noteLossReason("closed by the server"));
    connected.exceptionHandler(error -> {
      noteLossReason(reason(error));
      LOG.debug("Connection error on stream {}", index, error);
      connected.close();
    });
    connected.closeHandler(v -> connectionLost(connected, lossReason == null ? "connection closed" : lossReason));
    connected.drainHandler(v -> pump());
    pump();
  }

  /** The server answered: the connection works, so the next loss starts the backoff again from its first delay. */
  private void answered() {
    if (unproven) {
      unproven = false;
      backoff.reset();
    }
  }

  private void noteLossReason(String reason) {
    if (lossReason == null) {
      lossReason = reason;
    }
  }

  /** Puts the unacknowledged frames back in the queue and schedules a reconnect; once per connection. */
  private void connectionLost(NetSocket lost, String reason) {
    if (socket != lost) {
      return;
    }
    socket = null;
    // Already closed when the peer closed it; closes it when a failed write told us first
    lost.close();
    int requeued = inFlight.size();
    requeueInFlight();
    if (state == State.CLOSED) {
      return;
    }
    LOG.warn("Lost connection on stream {} to {}: {}{}", index, servers.target(), reason,
        requeued == 0 ? "" : requeued == 1 ? " (1 unacknowledged frame goes back to the queue)"
            : " (" + requeued + " unacknowledged frames go back to the queue)");
    scheduleReconnect(reason);
    onProgress.run();
  }

  private void scheduleReconnect(String reason) {
    reconnecting = true;
    if (!keepReconnecting) {
      state = State.IDLE;
      return;
    }
    state = State.WAITING;
    long delay = backoff.nextDelayMs();
    LOG.warn("Reconnecting stream {} in {} ms (attempt {}): {}", index, delay, backoff.attempt(), reason);
    reconnectTimer = vertx.setTimer(delay, id -> {
      reconnectTimer = -1;
      connect();
    });
  }

  /** No new connection attempts from now on (the sender is stopping); a connection that is up stays up. */
  void stopReconnecting() {
    keepReconnecting = false;
    servers.close();
    if (state == State.WAITING) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
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
      vertx.cancelTimer(reconnectTimer);
    }
    NetSocket open = socket;
    socket = null;
    requeueInFlight();
    return open == null ? Future.succeededFuture() : open.close();
  }

  // ---- producing and writing

  /** Encodes {@code frames} new frames into the queue, dropping the oldest when it is full, and writes what it can. */
  void produce(int frames, byte[] text, long sentAtMicros) {
    for (int i = 0; i < frames; i++) {
      if (queue.size() >= config.queueCapacity()) {
        pump();
        if (queue.size() >= config.queueCapacity()) {
          dropOldest();
        }
      }
      long sequence = nextSequence++;
      queue.addLast(new PendingFrame(sequence, encoder.encode(text, senderId, sequence, sentAtMicros)));
      produced++;
      if (LOG.isDebugEnabled()) {
        LOG.debug("Produced frame {} on stream {}", sequence, index);
      }
    }
    pump();
  }

  private void dropOldest() {
    queue.pollFirst();
    dropped++;
    droppedThisEpisode++;
    if (!overflowing) {
      overflowing = true;
      LOG.warn("Queue full on stream {}: dropping oldest frames", index);
    }
  }

  /**
   * Writes queued frames in order, several per write, while connected, the socket accepts more and the in-flight
   * limit allows; the drain handler, an echo, a completed write or the next tick calls it again.
   */
  private void pump() {
    NetSocket out = socket;
    while (state == State.CONNECTED && out == socket && !queue.isEmpty() && !out.writeQueueFull()) {
      // Without acks, frames whose write has not completed count as in flight: memory stays bounded either way
      int room = config.maxInFlight() - (config.acks() ? inFlight.size() : unwritten);
      if (room <= 0) {
        break;
      }
      writeBatch(out, Math.min(queue.size(), Math.min(room, framesPerBatch)));
    }
    if (overflowing && queue.size() < config.queueCapacity()) {
      overflowing = false;
      LOG.info("Queue on stream {} has room again; {} frames were dropped", index, droppedThisEpisode);
      droppedThisEpisode = 0;
    }
  }

  private void writeBatch(NetSocket out, int frames) {
    Buffer batch = Buffer.buffer(frames * format.frameSize());
    long now = System.nanoTime();
    List<PendingFrame> written = config.acks() ? null : new ArrayList<>(frames);
    for (int i = 0; i < frames; i++) {
      PendingFrame frame = queue.pollFirst();
      frame.beforeWrite(encoder);
      batch.appendBuffer(frame.bytes);
      if (config.acks()) {
        frame.writtenAtNanos = now;
        inFlight.put(frame.sequence, frame);
      } else {
        written.add(frame);
      }
    }
    sent += frames;
    if (config.acks()) {
      // The echo completes the frame; a failed write means the connection is gone and the close handler requeues.
      out.write(batch).onFailure(error -> connectionLost(out, reason(error)));
    } else {
      unwritten += frames;
      out.write(batch).onComplete(result -> writeDone(out, written, result));
    }
  }

  private void writeDone(NetSocket out, List<PendingFrame> frames, AsyncResult<Void> result) {
    unwritten -= frames.size();
    if (result.succeeded()) {
      completed += frames.size();
      pump();
    } else {
      requeueFront(frames);
      connectionLost(out, reason(result.cause()));
    }
    onProgress.run();
  }

  // ---- echoes

  private void handleEchoes(FrameDecoder decoder, Buffer chunk) {
    answered();
    decoder.handle(chunk);
    pump();
    onProgress.run();
  }

  private void handleEcho(NetSocket from, Frame echo) {
    if (from != socket) {
      // The connection was given up while this read was being decoded: its frames are queued for a resend
      return;
    }
    if (!echo.isTagged()) {
      unexpectedEcho("not an echopair frame", echo);
    } else if (!echo.checksumValid()) {
      unexpectedEcho("bad checksum", echo);
    } else if (echo.senderId() != senderId) {
      unexpectedEcho("sender id " + SenderId.text(echo.senderId()) + " is not this stream's", echo);
    } else {
      PendingFrame frame = inFlight.remove(echo.sequence());
      if (frame == null) {
        unexpectedEcho("sequence " + echo.sequence() + " is not in flight", echo);
        return;
      }
      completed++;
      resendIfSkipped(echo.sequence());
      rttMicros.recordValue((System.nanoTime() - frame.writtenAtNanos) / 1000);
      if (LOG.isDebugEnabled()) {
        LOG.debug("Echo of frame {} on stream {}", frame.sequence, index);
      }
    }
  }

  /**
   * Echoes come back in the order the frames were written: a frame written before the one just echoed and still
   * unacknowledged was not echoed (the server found it corrupt). Reconnecting resends it, in order.
   */
  private void resendIfSkipped(long echoed) {
    if (!inFlight.isEmpty()) {
      long oldest = inFlight.keySet().iterator().next();
      if (oldest < echoed) {
        giveUpConnection("no echo of seq " + oldest + " though seq " + echoed + ", written after it, was echoed");
      }
    }
  }

  /** Called by the {@link AckWatchdog}: gives up a connection whose oldest unacknowledged frame waited too long. */
  void checkAckTimeout(long nowNanos) {
    if (state == State.CONNECTED && !inFlight.isEmpty()) {
      PendingFrame oldest = inFlight.values().iterator().next();
      if (nowNanos - oldest.writtenAtNanos >= TimeUnit.MILLISECONDS.toNanos(config.ackTimeoutMs())) {
        giveUpConnection("no echo of seq " + oldest.sequence + " within " + config.ackTimeoutMs() + " ms");
      }
    }
  }

  /** Closes the connection so that its unacknowledged frames are resent after a reconnect; not while stopping. */
  private void giveUpConnection(String reason) {
    if (socket != null && keepReconnecting) {
      connectionLost(socket, reason);
    }
  }

  private void unexpectedEcho(String why, Frame echo) {
    unexpectedEchoes++;
    if (echoWarningsLeft > 0) {
      echoWarningsLeft--;
      LOG.warn("Unexpected echo on stream {}: {}: {}{}", index, why, echo,
          echoWarningsLeft == 0 ? " (further unexpected echoes on this connection are only counted)" : "");
    }
  }

  // ---- queue order

  private void requeueInFlight() {
    if (!inFlight.isEmpty()) {
      List<PendingFrame> unacknowledged = new ArrayList<>(inFlight.values());
      inFlight.clear();
      requeueFront(unacknowledged);
    }
  }

  /** Puts frames that were taken from the queue back, keeping the queue in sequence order. */
  private void requeueFront(List<PendingFrame> frames) {
    if (frames.isEmpty()) {
      return;
    }
    frames.sort(Comparator.comparingLong(f -> f.sequence));
    PendingFrame first = queue.peekFirst();
    if (first == null || frames.get(frames.size() - 1).sequence < first.sequence) {
      for (int i = frames.size() - 1; i >= 0; i--) {
        queue.addFirst(frames.get(i));
      }
      return;
    }
    // Rare: frames from several failed writes come back in turn; merge them in
    List<PendingFrame> all = new ArrayList<>(queue);
    all.addAll(frames);
    all.sort(Comparator.comparingLong(f -> f.sequence));
    queue.clear();
    queue.addAll(all);
  }

  // ---- what the verticle reads

  String senderIdHex() {
    return SenderId.text(senderId);
  }

  long produced() {
    return produced;
  }

  /** Frames written to the socket, resends included. */
  long sent() {
    return sent;
  }

  /** Frames done: echoed with acks, written without. */
  long completed() {
    return completed;
  }

  long dropped() {
    return dropped;
  }

  long reconnects() {
    return reconnects;
  }

  long unexpectedEchoes() {
    return unexpectedEchoes;
  }

  /** Frames produced and neither done nor dropped: queued, in flight or being written. */
  long outstanding() {
    return queue.size() + inFlight.size() + unwritten;
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

  private String reason(Throwable error) {
    String refused = config.usesTls() ? config.tls().describeFailure(error, servers.target()) : null;
    if (refused != null) {
      return refused;
    }
    return Failures.message(error);
  }
}
