package io.echopair.server;

import io.netty.channel.Channel;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops and restarts reading from one client socket, for as many reasons at once as apply, and holds the reads that
 * arrive while it is stopped.
 *
 * <p>{@code NetSocket.pause()} lets Vert.x go on reading into its own queues until about a megabyte per connection
 * piles up. Turning the channel's auto-read off instead stops at the socket: the read in progress is the last one, so
 * a client the server does not read costs its kernel buffers and that one read.
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

  /** The socket's handler: passes the read on, or holds it while reading is stopped. */
  void accept(Buffer chunk) {
    if (stoppedFor == 0) {
      reader.handle(chunk);
    } else {
      held.add(chunk);
    }
  }

  /** Stops reading and keeps {@code chunk}, which the reader was given but does not take now, as the next read. */
  void hold(Buffer chunk, Reason reason) {
    stop(reason);
    held.addFirst(chunk);
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
