package io.echopair.sender;

import io.echopair.protocol.Frame;
import io.echopair.protocol.FrameDecoder;
import io.echopair.protocol.FrameEncoder;
import io.echopair.protocol.FrameFormat;
import io.echopair.runtime.tls.TlsCredentials;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A loopback server for the sender's tests: it records every frame it receives and echoes it, ignores it, stops
 * reading, or answers with wrong echoes; it can be closed and listen again on the same port, which it holds meanwhile. With TLS options it
 * speaks TLS, records each client's certificate subject, and can take new certificates while it runs.
 */
final class TestEchoServer {

  /** What the server does with what it receives. */
  enum Mode {
    /** Sends every byte back. */
    ECHO,
    /** Reads and records, never answers. */
    SILENT,
    /** Never reads: the sender's writes back up. */
    NOT_READING,
    /** Echoes each frame, then sends it again, a copy with one byte changed, and a copy with another sender id. */
    MISBEHAVING
  }

  /** One frame as the server received it, and on which of its connections (numbered from 1). */
  record Received(long senderId, long sequence, String text, int connection) {
  }

  private record Waiter(Predicate<List<Received>> condition, Promise<List<Received>> promise) {
  }

  private final Vertx vertx;
  private final Mode mode;
  private final NetServerOptions options;
  private final List<String> clientSubjects = new ArrayList<>();
  private final List<Received> received = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private NetServer server;
  private int port;
  // While down: holds the port without listening
  private SocketChannel holder;

  private TestEchoServer(Vertx vertx, Mode mode, NetServerOptions options) {
    this.vertx = vertx;
    this.mode = mode;
    this.options = options;
  }

  /** A server listening on a free loopback port. */
  static Future<TestEchoServer> start(Vertx vertx, Mode mode) {
    return start(vertx, mode, new NetServerOptions());
  }

  /** A server with these options (TLS, for one) listening on a free loopback port. */
  static Future<TestEchoServer> start(Vertx vertx, Mode mode, NetServerOptions options) {
    return new TestEchoServer(vertx, mode, options).listen(0);
  }

  /**
   * A server that is down on a port of its own: the port is held by a bound socket that does not listen, so a connect
   * is refused and no other program (nor the sender's own connect) can take the port until {@link #listenAgain()}.
   */
  static Future<TestEchoServer> reservePort(Vertx vertx, Mode mode) {
    TestEchoServer server = new TestEchoServer(vertx, mode, new NetServerOptions());
    try {
      server.port = server.hold(0);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return Future.succeededFuture(server);
  }

  /** Listens again on its port: bound beside the holding socket (both reuse the address), which then lets go. */
  Future<TestEchoServer> listenAgain() {
    return listen(port).andThen(listening -> letGo());
  }

  /** Binds a socket to 127.0.0.1:{@code onPort} without listening; returns the port. */
  private int hold(int onPort) throws IOException {
    holder = SocketChannel.open();
    holder.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    holder.bind(new InetSocketAddress("127.0.0.1", onPort));
    return ((InetSocketAddress) holder.getLocalAddress()).getPort();
  }

  private void letGo() {
    try {
      if (holder != null) {
        holder.close();
        holder = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Future<TestEchoServer> listen(int onPort) {
    server = vertx.createNetServer(options).connectHandler(this::handleConnection);
    return server.listen(onPort, "127.0.0.1").map(listening -> {
      port = listening.actualPort();
      return this;
    });
  }

  int port() {
    return port;
  }

  /** Closes the listening socket and every connection. */
  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    sockets.forEach(socket -> closing.add(socket.close()));
    closing.add(server.close());
    return Future.join(closing).mapEmpty();
  }

  /** Goes down: closes like {@link #close()}, then holds the port for {@link #listenAgain()}. */
  Future<Void> closeHoldingPort() {
    Promise<Void> held = Promise.promise();
    close().onComplete(closed -> holdWhenFree(held, 200));
    return held.future();
  }

  /** The listening socket may outlive its close future by a moment (its own event loop closes it): tries again. */
  private void holdWhenFree(Promise<Void> held, int triesLeft) {
    try {
      hold(port);
      held.complete();
    } catch (IOException inUse) {
      if (triesLeft == 0) {
        held.fail(inUse);
      } else {
        vertx.setTimer(5, id -> holdWhenFree(held, triesLeft - 1));
      }
    }
  }

  /** Closes the connections and keeps listening: the sender reconnects. */
  Future<Void> closeConnections() {
    List<Future<Void>> closing = new ArrayList<>();
    sockets.forEach(socket -> closing.add(socket.close()));
    return Future.join(closing).mapEmpty();
  }

  /** New TLS connections use {@code ssl}; open ones keep what they had. */
  Future<Boolean> updateSSLOptions(ServerSSLOptions ssl) {
    return server.updateSSLOptions(ssl);
  }

  /** Connections accepted so far: with TLS, those whose handshake succeeded. */
  int connections() {
    return connections.get();
  }

  /** The certificate subject of each TLS connection's client, in the order accepted; "none" without one. */
  synchronized List<String> clientSubjects() {
    return List.copyOf(clientSubjects);
  }

  /** Completes with a copy of the frames received so far, once they satisfy {@code condition}. */
  Future<List<Received>> whenReceived(Predicate<List<Received>> condition) {
    Promise<List<Received>> promise = Promise.promise();
    synchronized (this) {
      waiters.add(new Waiter(condition, promise));
    }
    wakeWaiters();
    return promise.future();
  }

  /** Completes once {@code count} frames have arrived. */
  Future<List<Received>> whenReceived(int count) {
    return whenReceived(frames -> frames.size() >= count);
  }

  synchronized List<Received> received() {
    return List.copyOf(received);
  }

  private void handleConnection(NetSocket socket) {
    int connection = connections.incrementAndGet();
    if (socket.isSsl()) {
      recordClientSubject(socket);
    }
    sockets.add(socket);
    FrameDecoder decoder = new FrameDecoder(FrameFormat.DEFAULT, frame -> {
      record(new Received(frame.senderId(), frame.sequence(), frame.text(), connection));
      if (mode == Mode.MISBEHAVING) {
        socket.write(wrongEchoes(frame));
      }
    });
    socket.handler(chunk -> handleChunk(socket, decoder, chunk));
    if (mode == Mode.NOT_READING) {
      socket.pause();
    }
    socket.endHandler(v -> socket.close());
    socket.exceptionHandler(error -> socket.close());
    socket.closeHandler(v -> sockets.remove(socket));
  }

  private synchronized void recordClientSubject(NetSocket socket) {
    try {
      clientSubjects.add(TlsCredentials.subjectOf((X509Certificate) socket.peerCertificates().get(0)));
    } catch (SSLPeerUnverifiedException none) {
      clientSubjects.add("none");
    }
  }

  private void handleChunk(NetSocket socket, FrameDecoder decoder, Buffer chunk) {
    decoder.handle(chunk);
    if (mode == Mode.ECHO) {
      socket.write(chunk);
      // Backpressure: stop reading until the sender has read our echoes
      if (socket.writeQueueFull()) {
        socket.pause();
        socket.drainHandler(v -> socket.resume());
      }
    }
  }

  private static Buffer wrongEchoes(Frame frame) {
    Buffer echoes = frame.copy();
    // The same sequence twice: the second is no longer in flight
    frame.appendTo(echoes);
    Buffer corrupted = frame.copy();
    corrupted.setByte(0, (byte) (corrupted.getByte(0) ^ 1));
    echoes.appendBuffer(corrupted);
    byte[] text = FrameFormat.DEFAULT.encodeText(frame.text());
    return new FrameEncoder(FrameFormat.DEFAULT)
        .appendFrame(echoes, text, frame.senderId() ^ 1, frame.sequence(), frame.sentAtMicros(), 0);
  }

  private void record(Received frame) {
    synchronized (this) {
      received.add(frame);
    }
    wakeWaiters();
  }

  private void wakeWaiters() {
    List<Promise<List<Received>>> satisfied = new ArrayList<>();
    List<Received> snapshot;
    synchronized (this) {
      if (waiters.isEmpty()) {
        return;
      }
      waiters.removeIf(waiter -> waiter.condition().test(received) && satisfied.add(waiter.promise()));
      snapshot = List.copyOf(received);
    }
    // Outside the lock: the waiting test goes on in these handlers
    satisfied.forEach(promise -> promise.complete(snapshot));
  }
}
