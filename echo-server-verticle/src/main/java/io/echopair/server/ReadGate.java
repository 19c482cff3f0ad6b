package io.echopair.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops and restarts reading from one client socket, for as many reasons at once as apply, and holds the reads that
 * arrive while it is stopped.
 *
 * <p>It takes the socket's reads as Netty made them ({@link #accept(Object)}), in its pooled buffers, without the
 * heap copy Vert.x makes of each read for a plain {@code NetSocket.handler}: a read handled at once is looked at in
 * place and released when its handling returns (its echoes hold their own reference, {@link EchoWriter}). A read
 * that is held for later is copied to the heap first, so that a client the server does not read pins no pooled
 * memory.
 *
 * <p>{@code NetSocket.pause()} lets Vert.x go on reading into its own queues until about a megabyte per connection
 * piles up, and Vert.x 5.0.7 never releases the pooled reads it queued for a paused socket that then closes. Turning
 * the channel's auto-read off instead stops at the socket: the read in progress is the last one, so a client the
 * server does not read costs its kernel buffers and that one read.
 */
final class ReadGate {

  /** Why reading stopped; several may hold at once. */
  enum Reason {
    /** The client does not take its echoes as fast as it sends. */
    ECHOES,
    /** The log is behind and this client has been sending more than its share of lines. */
    LOG
  }

  private final Channel channel;
  private final Handler<Buffer> reader;
  private final ServerStats stats;
  private final ArrayDeque<Buffer> held = new ArrayDeque<>(1);
  private int stoppedFor;

  /**
   * @param reader handles each read, now or once reading restarts
   * @param stats  counts the connections stopped for each reason
   */
  ReadGate(NetSocket socket, Handler<Buffer> reader, ServerStats stats) {
    this.channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
    this.reader = reader;
    this.stats = stats;
  }

  /**
   * The socket's message handler: passes a read on, or holds a copy of it while reading is stopped; then releases
   * it. Anything else Netty hands over (nothing, for a TCP socket) is released unread.
   */
  void accept(Object message) {
    if (!(message instanceof ByteBuf read)) {
      ReferenceCountUtil.release(message);
      return;
    }
    try {
      Buffer chunk = BufferInternal.buffer(read);
      if (stoppedFor == 0) {
        reader.handle(chunk);
      } else {
        held.add(onHeap(chunk));
      }
    } finally {
      read.release();
    }
  }

  /** Stops reading and keeps {@code chunk}, which the reader was given but does not take now, as the next read. */
  void hold(Buffer chunk, Reason reason) {
    stop(reason);
    held.addFirst(onHeap(chunk));
  }

  /** The bytes of a read, on the heap: the pooled buffer they arrived in goes back to the pool. */
  private static Buffer onHeap(Buffer chunk) {
    return Buffer.buffer(chunk.getBytes());
  }

  void stop(Reason reason) {
    if (isStoppedFor(reason)) {
      return;
    }
    if (stoppedFor == 0) {
      channel.config().setAutoRead(false);
    }
    stoppedFor |= bit(reason);
    stats.readingStopped(reason);
  }

  /** Lifts one reason; with none left, reads again, starting with the reads it held. */
  void restart(Reason reason) {
    if (!isStoppedFor(reason)) {
      return;
    }
    stoppedFor &= ~bit(reason);
    stats.readingRestarted(reason);
    if (stoppedFor == 0) {
      channel.config().setAutoRead(true);
      while (stoppedFor == 0 && !held.isEmpty()) {
        reader.handle(held.poll());
      }
    }
  }

  /** Lifts every reason: for a connection that is closing, whose input must be read (and thrown away). */
  void restartAll() {
    for (Reason reason : Reason.values()) {
      restart(reason);
    }
  }

  /** Hands over the reads held, oldest first, and holds none from now on. */
  List<Buffer> takeHeld() {
    List<Buffer> taken = new ArrayList<>(held);
    held.clear();
    return taken;
  }

  /** Forgets every reason, without reading again: the socket is closed. */
  void closed() {
    for (Reason reason : Reason.values()) {
      if (isStoppedFor(reason)) {
        stoppedFor &= ~bit(reason);
        stats.readingRestarted(reason);
      }
    }
    held.clear();
  }

  boolean isStopped() {
    return stoppedFor != 0;
  }

  boolean isStoppedFor(Reason reason) {
    return (stoppedFor & bit(reason)) != 0;
  }

  /** Bytes of the reads held while stopped. */
  int heldBytes() {
    int bytes = 0;
    for (Buffer chunk : held) {
      bytes += chunk.length();
    }
    return bytes;
  }

  private static int bit(Reason reason) {
    return 1 << reason.ordinal();
  }
}
