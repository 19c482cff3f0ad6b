package io.echopair.server;

import io.echopair.protocol.Frame;
import io.echopair.protocol.FrameDecoder;
import io.echopair.protocol.SenderId;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one connection's bytes amount to: cuts them into frames, logs each new valid frame with the seed's words,
 * echoes the valid frames of a read as slices of it, and judges bad input, logged at a bounded rate.
 *
 * <p>A connection whose recent frames are mostly undecodable or corrupt is judged to be sending garbage: from then on
 * its frames are ignored, and the connection closes it.
 */
final class FrameIntake {

  private static final Logger LOG = LoggerFactory.getLogger(FrameIntake.class);

  /** Bad frames logged per connection per interval; the rest are counted. */
  static final int BAD_FRAME_LINES = 3;
  static final long BAD_FRAME_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** How far bad frames may outnumber good ones, recently, before the input counts as garbage. */
  static final int GARBAGE_SCORE = 16;

  private final SenderView senders;
  private final ServerStats stats;
  private final String peer;
  private final FrameDecoder decoder;
  private final Handler<Buffer> echoOut;
  private final FrameLines lines;
  private final LogLimiter badFrameLog = new LogLimiter(BAD_FRAME_LINES, BAD_FRAME_INTERVAL_NANOS);
  private MessagePublisher publisher = MessagePublisher.OFF;
  // The settings in force: the connection's, pushed again on a live change
  private ServerConfig config;

  private long frames;
  private long corrupt;
  private long undecodable;
  private long duplicates;
  private long reused;
  private long failed;
  // +1 per bad frame, -1 per good one, never below 0
  private int garbageScore;
  // Set once the input is judged garbage: why, for the disconnect line
  private String garbage;
  // The current read, its frames, and the run of valid frames in it whose echo is not written yet
  private Buffer read;
  private int readFrames;
  private int echoFrames;
  private int echoBytes;
  private int runStart = -1;
  private int runEnd;

  /** @param echoOut where the echoes go, in order: the socket */
  FrameIntake(ServerConfig config, SenderView senders, ServerStats stats, String peer,
              Handler<Buffer> echoOut) {
    this.config = config;
    this.senders = senders;
    this.stats = stats;
    this.peer = peer;
    this.echoOut = echoOut;
    this.lines = new FrameLines(LOG, peer);
    this.decoder = new FrameDecoder(config.frameFormat(), this::handleFrame);
  }

  /** Where each new frame is published on the event bus (the server's {@code publish} key); nowhere by default. */
  void publishTo(MessagePublisher publisher) {
    this.publisher = publisher;
  }

  /** The server's settings changed while running: logEvery applies from the next frame. */
  void use(ServerConfig changed) {
    config = changed;
  }

  /**
   * Takes one read: logs its frames and writes their echoes, a run of consecutive valid frames as one slice of the
   * read (nothing copied), a frame that came in two reads as a copy.
   */
  void read(Buffer chunk) {
    read = chunk;
    readFrames = 0;
    try {
      decoder.handle(chunk);
    } catch (RuntimeException bug) {
      // The decoder went on with the rest of the read: one frame's handling failed, the framing did not
      handlingFailed(bug);
    } finally {
      // Another connection of the same sender may be waiting for this read to end
      senders.endRead();
    }
    publisher.endOfRead();
    writeEchoRun();
    lines.flush();
    read = null;
    stats.received(chunk.length(), readFrames);
    if (echoFrames > 0) {
      stats.echoed(echoFrames, echoBytes);
      echoFrames = 0;
      echoBytes = 0;
    }
  }

  /** The most lines a read of {@code bytes} can log: what a connection asks of the log before it reads. */
  int linesAtMost(int bytes) {
    int logEvery = config.logEvery();
    if (logEvery == 0) {
      return 0;
    }
    int framesAtMost = (decoder.bufferedBytes() + bytes) / config.frameSize();
    return framesAtMost / logEvery + 1;
  }

  /** Whether the input is judged to be garbage: the connection should close. */
  boolean isGarbage() {
    return garbage != null;
  }

  /** Bytes received of a frame that is not complete yet. */
  int partialBytes() {
    return decoder.bufferedBytes();
  }

  long frames() {
    return frames;
  }

  /** Why garbage closes the connection, for its disconnect line. */
  String garbageReason() {
    return garbage;
  }

  /** What the disconnect line adds: {@code , 2 corrupt, 3 duplicates}. */
  void describeCounts(StringBuilder details) {
    appendCount(details, corrupt, "corrupt", "corrupt");
    appendCount(details, undecodable, "undecodable", "undecodable");
    appendCount(details, duplicates, "duplicate", "duplicates");
    appendCount(details, reused, "reused sequence number", "reused sequence numbers");
    appendCount(details, failed, "read failed", "reads failed");
    if (badFrameLog.heldBack() > 0) {
      details.append(", ").append(badFrameLog.heldBack()).append(" warnings not logged");
    }
    if (decoder.bufferedBytes() > 0) {
      details.append(", ").append(decoder.bufferedBytes()).append(" bytes of an incomplete frame discarded");
    }
  }

  private void handleFrame(Frame frame) {
    if (garbage != null) {
      // Judged garbage: the connection is closing, and what follows is not counted as frames
      return;
    }
    frames++;
    readFrames++;
    switch (frame.verdict()) {
      case VALID -> acceptFrame(frame);
      case CORRUPT -> rejectFrame(frame, "Corrupt frame from {} (seq={}): checksum mismatch, not echoed{}",
          frame.sequence());
      case UNDECODABLE -> rejectFrame(frame,
          "Undecodable frame from {}: neither an echopair frame nor text then NUL padding, not echoed; it starts {}{}",
          frame.printableStart());
    }
  }

  private void acceptFrame(Frame frame) {
    if (garbageScore > 0) {
      garbageScore--;
    }
    // A resent frame is echoed again (its sender waits for that) but logged only the first time
    SenderView.Delivery delivery = frame.isTagged() ? senders.record(frame) : SenderView.Delivery.NEW;
    if (delivery == SenderView.Delivery.DUPLICATE) {
      duplicates++;
    } else {
      if (delivery == SenderView.Delivery.REUSED) {
        warnReused(frame);
      }
      publisher.publish(frame, peer, delivery == SenderView.Delivery.REUSED);
      int logEvery = config.logEvery();
      if (logEvery > 0 && frames % logEvery == 0) {
        lines.add(frame);
      }
    }
    if (config.echo()) {
      echo(frame);
    }
  }

  private void echo(Frame frame) {
    echoFrames++;
    echoBytes += frame.size();
    int at = frame.offsetInRead();
    if (runStart >= 0 && at == runEnd) {
      runEnd += frame.size();
      return;
    }
    writeEchoRun();
    if (at == Frame.NOT_IN_ONE_READ) {
      echoOut.handle(frame.copy());
    } else {
      runStart = at;
      runEnd = at + frame.size();
    }
  }

  /** Writes the echo of the frames gathered so far: a slice of the read, sharing its bytes. */
  private void writeEchoRun() {
    if (runStart >= 0) {
      echoOut.handle(read.slice(runStart, runEnd));
      runStart = -1;
    }
  }

  private void rejectFrame(Frame frame, String message, Object detail) {
    // Not echoed: the echo run ends before it
    writeEchoRun();
    if (frame.verdict() == Frame.Verdict.CORRUPT) {
      corrupt++;
      stats.corruptFrame();
    } else {
      undecodable++;
      stats.undecodableFrame();
    }
    if (badFrameLog.allow(System.nanoTime())) {
      lines.flush();
      LOG.warn(message, peer, detail, badFrameLog.heldBackNote("more not logged"));
    }
    if (++garbageScore >= GARBAGE_SCORE) {
      garbage = "mostly garbage: " + (corrupt + undecodable) + " of " + frames + " frames undecodable or corrupt";
    }
  }

  private void handlingFailed(RuntimeException bug) {
    failed++;
    if (badFrameLog.allow(System.nanoTime())) {
      lines.flush();
      LOG.error("Failed to handle a frame from {}; going on with the next{}", peer,
          badFrameLog.heldBackNote("more not logged"), bug);
    }
  }

  private void warnReused(Frame frame) {
    reused++;
    if (badFrameLog.allow(System.nanoTime())) {
      lines.flush();
      LOG.warn("Frame from {} repeats seq {} of sender {} without the resent flag: logged again; is another client "
          + "using this sender id?{}", peer, frame.sequence(), SenderId.text(frame.senderId()),
          badFrameLog.heldBackNote("more not logged"));
    }
  }

  private static void appendCount(StringBuilder details, long count, String one, String many) {
    if (count > 0) {
      details.append(", ").append(count).append(' ').append(count == 1 ? one : many);
    }
  }
}
