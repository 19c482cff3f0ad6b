package io.echopair.server;

import io.echopair.server.ReadGate.Reason;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one connection's echoes and counts them until the socket has passed them to the kernel: the server's memory
 * for this client. While they pile up beyond {@code writeQueueMaxBytes}, the client is not read, until half are sent.
 * Vert.x's own writeQueueFull() would only turn true once 16 more writes had piled up behind a full socket.
 */
final class EchoWriter {

  private static final Logger LOG = LoggerFactory.getLogger(EchoWriter.class);

  private final NetSocketInternal socket;
  private final ReadGate gate;
  private final StallWatch clock;
  private final int maxUnsentBytes;
  private final String peer;
  // Echo bytes handed to the socket and not yet passed to the kernel
  private long unsentBytes;

  EchoWriter(NetSocket socket, ReadGate gate, StallWatch clock, int maxUnsentBytes, String peer) {
    this.socket = (NetSocketInternal) socket;
    this.gate = gate;
    this.clock = clock;
    this.maxUnsentBytes = maxUnsentBytes;
    this.peer = peer;
  }

  /**
   * Writes {@code echo}, which may be a slice of a read still in Netty's pooled buffer: the write takes a reference of
   * its own, which Netty gives back once the bytes are written or the write failed, so the read can be released as
   * soon as it is handled.
   */
  void write(Buffer echo) {
    int bytes = echo.length();
    unsentBytes += bytes;
    // Not BufferInternal.getByteBuf(): a view Netty cannot release, which would not keep the read alive either
    ByteBuf retained = ((BufferImpl) echo).byteBuf().retainedSlice();
    socket.writeMessage(retained).onComplete(written -> {
      // Netty releases what it was given, written or failed; a write Vert.x still queued when the connection closed
      // is failed without being released
      if (written.failed() && retained.refCnt() > 0) {
        retained.release();
      }
      sent(bytes);
    });
  }

  /** After a read: stop reading from a client whose echoes pile up. */
  void stopReadingIfPilingUp() {
    if (unsentBytes >= maxUnsentBytes && !gate.isStoppedFor(Reason.ECHOES)) {
      gate.stop(Reason.ECHOES);
      LOG.debug("Client {} is not reading its echoes as fast as it sends: pausing reads", peer);
    }
  }

  long unsentBytes() {
    return unsentBytes;
  }

  private void sent(int bytes) {
    unsentBytes -= bytes;
    long now = System.nanoTime();
    // Taking its echoes is activity too
    clock.active(now);
    if (gate.isStoppedFor(Reason.ECHOES) && unsentBytes <= maxUnsentBytes / 2) {
      LOG.debug("Client {} took its echoes: resuming reads", peer);
      clock.readingRestarted(now);
      gate.restart(Reason.ECHOES);
    }
  }
}
