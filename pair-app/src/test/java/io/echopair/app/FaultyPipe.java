package io.echopair.app;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Random;

/**
 * One direction of a proxied connection: forwards what {@code from} reads to {@code to} in random small pieces, some
 * of them late, and applies its {@link FaultPlan} (cut, flipped bit, stall) at the planned byte offsets.
 *
 * <p>Runs on the proxy's event loop. Reading pauses while more than {@link #MAX_PENDING_BYTES} wait, and writing
 * waits for {@code to} to drain: memory stays bounded whatever the peers do.
 */
final class FaultyPipe {

  private static final int MAX_PENDING_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final NetSocket from;
  private final NetSocket to;
  private final Random random;
  private final FaultPlan plan;
  private final FaultPlan.Profile profile;
  private final FaultInjectingProxy.Faults faults;
  private final Runnable cut;
  private final ArrayDeque<Buffer> pending = new ArrayDeque<>();

  private int pendingBytes;
  private long offset;
  private long pieceEnd;
  private boolean waiting;
  private boolean readPaused;
  private boolean stalled;
  private boolean closed;

  FaultyPipe(Vertx vertx, NetSocket from, NetSocket to, Random random, FaultPlan plan, FaultPlan.Profile profile,
             FaultInjectingProxy.Faults faults, Runnable cut) {
    this.vertx = vertx;
    this.from = from;
    this.to = to;
    this.random = random;
    this.plan = plan;
    this.profile = profile;
    this.faults = faults;
    this.cut = cut;
  }

  /** Starts reading {@code from}; what it reads goes to {@code to}. */
  void start() {
    from.handler(this::handleRead);
    from.resume();
  }

  /** Drops what was not forwarded yet: the connection is gone. */
  void close() {
    closed = true;
    pending.clear();
  }

  private void handleRead(Buffer chunk) {
    if (closed) {
      return;
    }
    pending.addLast(chunk);
    pendingBytes += chunk.length();
    if (pendingBytes > MAX_PENDING_BYTES && !readPaused) {
      readPaused = true;
      from.pause();
    }
    forward();
  }

  /** Forwards pending bytes piece by piece until it must wait (a delay, a stall, a full socket) or has none left. */
  private void forward() {
    while (!closed && !waiting && !pending.isEmpty()) {
      if (offset == plan.cutAt()) {
        faults.cut(offset % profile.frameSize() != 0);
        cut.run();
        return;
      }
      if (offset == plan.stallAt() && !stalled) {
        stalled = true;
        faults.stalls.increment();
        waitFor(plan.stallMs());
        return;
      }
      if (offset == pieceEnd) {
        // Piece boundaries and delays are drawn in offset order: the same for the same seed, however reads arrive
        pieceEnd = offset + 1 + random.nextInt(profile.maxPieceBytes());
        if (random.nextDouble() < profile.delayProbability()) {
          faults.delays.increment();
          waitFor(1 + random.nextInt(profile.maxDelayMs()));
          return;
        }
      }
      writePiece();
      if (to.writeQueueFull()) {
        waiting = true;
        to.drainHandler(drained -> resume());
        return;
      }
    }
    if (readPaused && pendingBytes < MAX_PENDING_BYTES / 2) {
      readPaused = false;
      from.resume();
    }
  }

  /** Writes the pending bytes up to the next planned offset (piece end, cut, stall), at most one read's worth. */
  private void writePiece() {
    long limit = pieceEnd;
    if (plan.cutAt() > offset) {
      limit = Math.min(limit, plan.cutAt());
    }
    if (plan.stallAt() > offset && !stalled) {
      limit = Math.min(limit, plan.stallAt());
    }
    Buffer head = pending.peekFirst();
    int length = (int) Math.min(head.length(), limit - offset);
    Buffer piece = head.getBuffer(0, length);
    if (length == head.length()) {
      pending.pollFirst();
    } else {
      pending.pollFirst();
      pending.addFirst(head.getBuffer(length, head.length()));
    }
    if (plan.corruptAt() >= offset && plan.corruptAt() < offset + length) {
      int at = (int) (plan.corruptAt() - offset);
      piece.setByte(at, (byte) (piece.getByte(at) ^ plan.corruptMask()));
      faults.corruptions.increment();
    }
    pendingBytes -= length;
    offset += length;
    faults.pieces.increment();
    to.write(piece);
  }

  private void waitFor(long delayMs) {
    waiting = true;
    vertx.setTimer(delayMs, id -> resume());
  }

  private void resume() {
    waiting = false;
    forward();
  }
}
