package io.echopair.sender;

import io.echopair.protocol.Frame;
import io.echopair.protocol.FrameDecoder;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection of a stream, living and dying with its socket as a Netty handler with its channel: it writes the
 * queue's frames in batches within the in-flight window, matches the echoes, gives up when an echo is skipped or
 * late, and on death puts its unacknowledged frames back in the queue and tells its {@link ConnectionOwner} once.
 *
 * <p>On the verticle's event loop, so nothing here is synchronized.
 */
final class Connection {

  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  /** Bytes of consecutive frames joined into one write: fewer, larger writes at high rates. */
  static final int MAX_BATCH_BYTES = 64 * 1024;
  /** Unexpected echoes logged per connection; the rest are only counted, so a broken peer cannot flood the log. */
  private static final int ECHO_WARNINGS = 5;

  private final NetSocket socket;
  private final int stream;
  private final OutboundQueue queue;
  private final SenderConfig config;
  private final Vertx vertx;
  private final Latencies roundTrips;
  private final ConnectionOwner owner;
  private final String target;
  private final int framesPerBatch;
  // Written and not yet echoed, in sequence order (with acks)
  private final ArrayDeque<QueuedFrame> inFlight = new ArrayDeque<>();

  private long ackTimer = -1;
  // Without acks: frames handed to the socket whose write has not completed yet
  private int unwritten;
  private boolean answered;
  // The first reason the socket gave (end, error) before its close
  private String lossReason;
  // Set when an echo handler gave the connection up: the teardown waits until the read is decoded
  private String givenUp;
  private boolean decoding;
  private boolean keepOpen;
  private boolean dead;
  private Future<Void> closed;
  private int echoWarningsLeft = ECHO_WARNINGS;
  // When the read being decoded arrived: the echoes of one read share it, and often their round trip too
  private long readAtNanos;
  private long sameRttMicros = -1;
  private long sameRttFrames;

  Connection(NetSocket socket, int stream, OutboundQueue queue, SenderConfig config, Vertx vertx,
             Latencies roundTrips, ConnectionOwner owner, String target) {
    this.socket = socket;
    this.stream = stream;
    this.queue = queue;
    this.config = config;
    this.vertx = vertx;
    this.roundTrips = roundTrips;
    this.owner = owner;
    this.target = target;
    this.framesPerBatch = Math.max(1, MAX_BATCH_BYTES / config.frameSize());
  }

  /** Wires the socket and writes what is queued. */
  void start() {
    if (config.acks()) {
      FrameDecoder decoder = new FrameDecoder(config.format(), this::handleEcho);
      socket.handler(chunk -> handleEchoes(decoder, chunk));
      if (config.ackTimeoutMs() > 0) {
        // A frame is given up between ackTimeoutMs and ackTimeoutMs plus a quarter of it
        long periodMs = Math.max(10, Math.min(1000, config.ackTimeoutMs() / 4));
        ackTimer = vertx.setPeriodic(periodMs, id -> checkAckTimeout());
      }
    } else {
      // Echoes are not needed, but they must be read or the server would stall on a full socket.
      socket.handler(chunk -> noteAnswer());
    }
    socket.endHandler(v -> noteLossReason("closed by the server"));
    socket.exceptionHandler(error -> {
      noteLossReason(Failures.describe(error, config, target));
      LOG.debug("Connection error on stream {}", stream, error);
      socket.close();
    });
    socket.closeHandler(v -> die(lossReason == null ? "connection closed" : lossReason));
    socket.drainHandler(v -> pump());
    pump();
  }

  /** No more giving up on late or skipped echoes: the sender is stopping and waits for them. */
  void keepOpen() {
    keepOpen = true;
  }

  /** Closes the socket for good; the frames in flight go back to the queue. */
  Future<Void> close() {
    die("the sender is stopping");
    return closed;
  }

  // ---- writing

  /**
   * Writes queued frames in order, several per write, while the socket accepts more and the in-flight limit allows;
   * the drain handler, an echo, a completed write or the next tick calls it again.
   */
  void pump() {
    while (!dead && givenUp == null && !queue.isEmpty() && !socket.writeQueueFull()) {
      // Without acks, frames whose write has not completed count as in flight: memory stays bounded either way
      int room = config.maxInFlight() - (config.acks() ? inFlight.size() : unwritten);
      if (room <= 0) {
        break;
      }
      writeBatch(Math.min(queue.size(), Math.min(room, framesPerBatch)));
    }
  }

  private void writeBatch(int frames) {
    Buffer batch = Buffer.buffer(frames * config.frameSize());
    if (config.acks()) {
      long now = System.nanoTime();
      copyInto(batch, frames, frame -> {
        frame.writtenAtNanos = now;
        inFlight.addLast(frame);
      });
      // The echo completes the frame; a failed write means the connection is gone.
      socket.write(batch).onFailure(error -> die(Failures.describe(error, config, target)));
      return;
    }
    List<QueuedFrame> written = new ArrayList<>(frames);
    copyInto(batch, frames, written::add);
    unwritten += frames;
    socket.write(batch).onComplete(result -> writeDone(written, result));
  }

  /** Takes {@code frames} frames out of the queue into {@code batch}, each run of a tick's neighbours in one copy. */
  private void copyInto(Buffer batch, int frames, Consumer<QueuedFrame> taken) {
    int frameSize = config.frameSize();
    QueuedFrame first = null;
    int runBytes = 0;
    for (int i = 0; i < frames; i++) {
      QueuedFrame frame = queue.take();
      taken.accept(frame);
      if (first != null && first.tick == frame.tick && first.offset + runBytes == frame.offset) {
        runBytes += frameSize;
        continue;
      }
      if (first != null) {
        batch.appendBuffer(first.tick, first.offset, runBytes);
      }
      first = frame;
      runBytes = frameSize;
    }
    if (first != null) {
      batch.appendBuffer(first.tick, first.offset, runBytes);
    }
  }

  private void writeDone(List<QueuedFrame> frames, AsyncResult<Void> result) {
    unwritten -= frames.size();
    if (result.succeeded()) {
      queue.done(frames.size());
      pump();
    } else {
      queue.putBack(frames);
      die(Failures.describe(result.cause(), config, target));
    }
    owner.progressed();
  }

  // ---- echoes

  private void noteAnswer() {
    if (!answered) {
      answered = true;
      owner.answered();
    }
  }

  private void handleEchoes(FrameDecoder decoder, Buffer chunk) {
    if (dead) {
      return;
    }
    noteAnswer();
    readAtNanos = System.nanoTime();
    decoding = true;
    try {
      decoder.handle(chunk);
    } finally {
      decoding = false;
      recordRoundTrips();
    }
    if (givenUp != null) {
      die(givenUp);
    } else {
      pump();
    }
    owner.progressed();
  }

  private void handleEcho(Frame echo) {
    if (givenUp != null) {
      // Given up while this read is decoded: its frames go back to the queue for a resend
      return;
    }
    if (!echo.isTagged()) {
      unexpectedEcho("not an echopair frame", echo);
    } else if (!echo.checksumValid()) {
      unexpectedEcho("bad checksum", echo);
    } else if (echo.senderId() != queue.senderId()) {
      unexpectedEcho("sender id " + String.format("%016x", echo.senderId()) + " is not this stream's", echo);
    } else {
      match(echo);
    }
  }

  /**
   * Echoes come back in the order the frames were written: a frame written before the one just echoed and still
   * unacknowledged was not echoed (the server found it corrupt). Reconnecting resends it, in order.
   */
  private void match(Frame echo) {
    long sequence = echo.sequence();
    QueuedFrame oldest = inFlight.peekFirst();
    if (oldest != null && oldest.sequence == sequence) {
      inFlight.pollFirst();
      acknowledged(oldest);
      return;
    }
    QueuedFrame later = removeInFlight(sequence);
    if (later == null) {
      unexpectedEcho("sequence " + sequence + " is not in flight", echo);
      return;
    }
    acknowledged(later);
    giveUp("no echo of seq " + oldest.sequence + " though seq " + sequence + ", written after it, was echoed");
  }

  private QueuedFrame removeInFlight(long sequence) {
    for (Iterator<QueuedFrame> frames = inFlight.iterator(); frames.hasNext(); ) {
      QueuedFrame frame = frames.next();
      if (frame.sequence == sequence) {
        frames.remove();
        return frame;
      }
    }
    return null;
  }

  private void acknowledged(QueuedFrame frame) {
    queue.done(1);
    // Frames of one write echoed in one read took the same time: counted together, recorded once
    long rttMicros = (readAtNanos - frame.writtenAtNanos) / 1000;
    if (rttMicros != sameRttMicros) {
      recordRoundTrips();
      sameRttMicros = rttMicros;
    }
    sameRttFrames++;
    if (LOG.isDebugEnabled()) {
      LOG.debug("Echo of frame {} on stream {}", frame.sequence, stream);
    }
  }

  private void recordRoundTrips() {
    if (sameRttFrames > 0) {
      roundTrips.record(sameRttMicros, sameRttFrames);
      sameRttFrames = 0;
    }
  }

  private void unexpectedEcho(String why, Frame echo) {
    owner.unexpectedEcho();
    if (echoWarningsLeft > 0) {
      echoWarningsLeft--;
      LOG.warn("Unexpected echo on stream {}: {}: {}{}", stream, why, echo,
          echoWarningsLeft == 0 ? " (further unexpected echoes on this connection are only counted)" : "");
    }
  }

  private void checkAckTimeout() {
    QueuedFrame oldest = inFlight.peekFirst();
    if (oldest != null
        && System.nanoTime() - oldest.writtenAtNanos >= TimeUnit.MILLISECONDS.toNanos(config.ackTimeoutMs())) {
      giveUp("no echo of seq " + oldest.sequence + " within " + config.ackTimeoutMs() + " ms");
    }
  }

  // ---- death

  /** Closes the connection so that its unacknowledged frames are resent after a reconnect; not while stopping. */
  private void giveUp(String reason) {
    if (keepOpen || dead) {
      return;
    }
    if (decoding) {
      // Closing now would run the socket's handlers inside the decoder; the read's end does it
      givenUp = reason;
    } else {
      die(reason);
    }
  }

  private void noteLossReason(String reason) {
    if (lossReason == null) {
      lossReason = reason;
    }
  }

  private void die(String reason) {
    if (dead) {
      return;
    }
    dead = true;
    vertx.cancelTimer(ackTimer);
    // Already closed when the peer closed it; closes it when we gave up or a failed write told us first
    closed = socket.close();
    int requeued = inFlight.size();
    queue.putBack(inFlight);
    inFlight.clear();
    owner.lost(reason, requeued);
  }
}
