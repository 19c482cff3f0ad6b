package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.FrameEncoder;
import io.echopair.protocol.FrameFormat;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the server tests share: deploying a server on a loopback port 0, clients, frames and backpressured writes.
 * A test class that talks to a server extends it for the server's log lines and a client, both closed after each test.
 */
abstract class ServerTestSupport {

  static final String LOOPBACK = "127.0.0.1";

  /** What the server package logs during the test. */
  @RegisterExtension
  final LogCapture log = LogCapture.of("io.echopair.server");

  /** Connects to the server under test; see {@link #connect(NetClient, int)}. */
  NetClient clients;

  @BeforeEach
  void createClients(Vertx vertx) {
    clients = vertx.createNetClient(clientOptions());
  }

  /** The options of {@link #clients}; a test class overrides it for, e.g., a small receive buffer. */
  NetClientOptions clientOptions() {
    return new NetClientOptions();
  }

  /** Closing the client first spares Vert.x's close its 30 s grace period for open client connections. */
  @AfterEach
  void closeClients(VertxTestContext ctx) {
    clients.close().onComplete(ctx.succeedingThenComplete());
  }

  /** A configuration on 127.0.0.1, port 0, with {@code overrides} on top. */
  static JsonObject config(JsonObject overrides) {
    return new JsonObject().put("host", LOOPBACK).put("port", 0).mergeIn(overrides);
  }

  /** Deploys one server instance with {@code config(overrides)}. */
  static Future<EchoServerVerticle> deploy(Vertx vertx, JsonObject overrides) {
    EchoServerVerticle verticle = new EchoServerVerticle();
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config(overrides))).map(id -> verticle);
  }

  /** A client connection to the server on loopback. */
  static Future<NetSocket> connect(NetClient client, int port) {
    return client.connect(port, LOOPBACK);
  }

  /** One tagged 100-byte frame. */
  static Buffer tagged(String text, long senderId, long sequence) {
    return new FrameEncoder(FrameFormat.DEFAULT)
        .encode(FrameFormat.DEFAULT.encodeText(text), senderId, sequence, System.currentTimeMillis() * 1000);
  }

  /** One tagged 100-byte frame as a sender writes it again after a reconnect: with the resent flag. */
  static Buffer resent(String text, long senderId, long sequence) {
    return new FrameEncoder(FrameFormat.DEFAULT).appendFrame(Buffer.buffer(), FrameFormat.DEFAULT.encodeText(text),
        senderId, sequence, System.currentTimeMillis() * 1000, FrameFormat.FLAG_RESENT);
  }

  /** One tagged 100-byte frame whose text is any bytes (e.g. not UTF-8). */
  static Buffer tagged(byte[] text, long senderId, long sequence) {
    return new FrameEncoder(FrameFormat.DEFAULT).encode(text, senderId, sequence, System.currentTimeMillis() * 1000);
  }

  /** A frame as the seed's client sends it: {@code char sendBuffer[100] = "..."}, text then NULs, no trailer. */
  static Buffer seedFrame(String text) {
    byte[] frame = new byte[FrameFormat.DEFAULT_FRAME_SIZE];
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, frame, 0, bytes.length);
    return Buffer.buffer(frame);
  }

  /** Tagged frames "frame &lt;seq&gt;" of {@code sender} with sequences {@code from..to} and trailer {@code flags}. */
  static Buffer frames(long sender, long from, long to, int flags) {
    FrameEncoder encoder = new FrameEncoder(FrameFormat.DEFAULT);
    Buffer all = Buffer.buffer();
    for (long seq = from; seq <= to; seq++) {
      encoder.appendFrame(all, FrameFormat.DEFAULT.encodeText("frame " + seq), sender, seq, 0, flags);
    }
    return all;
  }

  /** One connection from {@code client}: sends {@code frames}, waits for their echo and closes. */
  static Future<Buffer> exchange(NetClient client, int port, Buffer frames) {
    return connect(client, port).compose(socket -> sendAndAwaitEcho(socket, frames).eventually(socket::close));
  }

  /** The sequence numbers of the Recv Msg lines of clients at {@code address}, or of all clients when null, in order. */
  List<Long> loggedSequences(String address) {
    return log.messages().stream()
        .filter(line -> line.startsWith("Recv Msg : "))
        .filter(line -> address == null || line.contains("(peer " + address + ":"))
        .map(line -> Long.valueOf(line.replaceAll(".*seq=(-?\\d+)\\)$", "$1")))
        .toList();
  }

  /** {@code frames} tagged frames "&lt;prefix&gt; &lt;seq&gt;", seq from 1, in one buffer. */
  static Buffer taggedFrames(String prefix, long senderId, int frames) {
    FrameEncoder encoder = new FrameEncoder(FrameFormat.DEFAULT);
    Buffer all = Buffer.buffer(frames * FrameFormat.DEFAULT_FRAME_SIZE);
    for (int seq = 1; seq <= frames; seq++) {
      encoder.appendFrame(all, FrameFormat.DEFAULT.encodeText(prefix + " " + seq), senderId, seq, 0, 0);
    }
    return all;
  }

  /** Cuts {@code bytes} into pieces of the given sizes, cycling through them. */
  static List<Buffer> pieces(Buffer bytes, int... sizes) {
    List<Buffer> pieces = new ArrayList<>();
    int position = 0;
    for (int i = 0; position < bytes.length(); i++) {
      int end = Math.min(bytes.length(), position + sizes[i % sizes.length]);
      pieces.add(bytes.getBuffer(position, end));
      position = end;
    }
    return pieces;
  }

  /** Writes {@code frames} in one write and completes with their echo: exactly as many bytes back. */
  static Future<Buffer> sendAndAwaitEcho(NetSocket socket, Buffer frames) {
    EchoCollector echo = EchoCollector.on(socket, frames.length());
    socket.write(frames);
    return echo.future();
  }

  /** Writes the pieces in order, one write each, waiting for the drain whenever the write queue is full. */
  static Future<Void> writeAll(NetSocket socket, List<Buffer> pieces) {
    Promise<Void> done = Promise.promise();
    writeFrom(socket, pieces.iterator(), done);
    return done.future();
  }

  private static void writeFrom(NetSocket socket, Iterator<Buffer> pieces, Promise<Void> done) {
    while (pieces.hasNext()) {
      socket.write(pieces.next());
      if (socket.writeQueueFull()) {
        socket.drainHandler(drained -> writeFrom(socket, pieces, done));
        return;
      }
    }
    done.complete();
  }

  /**
   * With the log stuck: one client floods {@code flood} in 64 KiB writes while another sends {@code pings} frames, each
   * after the echo of the last. Once the pings are echoed, checks that the flooder still waits for its echoes and is
   * the one connection paused for the log, then runs {@code release}; completes when the flood is echoed.
   */
  Future<Buffer> floodPastAStuckLog(EchoServerVerticle server, Buffer flood, int pings, VertxTestContext ctx,
                                    Runnable release) {
    int port = server.actualPort();
    Future<Buffer> flooded = connect(clients, port).compose(socket -> {
      EchoCollector echo = EchoCollector.on(socket, flood.length());
      writeAll(socket, pieces(flood, 64 * 1024));
      return echo.future();
    });
    // The pings are answered while the log is stuck: the event loop is free, and the flooder waits
    return connect(clients, port)
        .compose(pinger -> ping(pinger, 1, pings))
        .compose(pinged -> {
          ctx.verify(() -> {
            assertThat(flooded.isComplete()).as("the flooder is still waiting for its echoes").isFalse();
            assertThat(server.stats().connectionsPausedForLog()).isEqualTo(1);
          });
          release.run();
          return flooded;
        });
  }

  /** Sends frame {@code seq}, waits for its echo, then the next, up to {@code last}. */
  private static Future<Void> ping(NetSocket socket, long seq, int last) {
    if (seq > last) {
      return Future.succeededFuture();
    }
    return sendAndAwaitEcho(socket, tagged("ping " + seq, 0x9196L, seq)).compose(echoed -> ping(socket, seq + 1, last));
  }

  /** Completes once {@code condition} holds, checked every 20 ms (the test's timeout bounds the wait). */
  static Future<Void> when(Vertx vertx, BooleanSupplier condition) {
    Promise<Void> holds = Promise.promise();
    vertx.setPeriodic(20, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        holds.complete();
      }
    });
    return holds.future();
  }

  /** Completes once {@code probe} has given the same value 10 times in a row, 20 ms apart: progress has stopped. */
  static <T> Future<T> settled(Vertx vertx, Supplier<T> probe) {
    Promise<T> still = Promise.promise();
    Object[] last = {null};
    int[] same = {0};
    vertx.setPeriodic(20, id -> {
      T value = probe.get();
      same[0] = value.equals(last[0]) ? same[0] + 1 : 0;
      last[0] = value;
      if (same[0] == 10) {
        vertx.cancelTimer(id);
        still.complete(value);
      }
    });
    return still.future();
  }

  /** {@code count} readings of {@code probe}, 20 ms apart: for an invariant that must hold all along. */
  static <T> Future<List<T>> readings(Vertx vertx, int count, Supplier<T> probe) {
    Promise<List<T>> done = Promise.promise();
    List<T> values = new ArrayList<>();
    vertx.setPeriodic(20, id -> {
      values.add(probe.get());
      if (values.size() == count) {
        vertx.cancelTimer(id);
        done.complete(values);
      }
    });
    return done.future();
  }

  /** Collects a socket's bytes until {@code expected} have arrived; more is an error, as in Vert.x's NetTest. */
  static final class EchoCollector implements Handler<Buffer> {

    private final int expected;
    private final Buffer received = Buffer.buffer();
    private final Promise<Buffer> complete = Promise.promise();

    EchoCollector(int expected) {
      this.expected = expected;
    }

    /** Reads everything {@code socket} receives and fails on an exception. */
    static EchoCollector on(NetSocket socket, int expected) {
      EchoCollector collector = new EchoCollector(expected);
      socket.handler(collector).exceptionHandler(collector.complete::tryFail);
      return collector;
    }

    @Override
    public void handle(Buffer chunk) {
      received.appendBuffer(chunk);
      if (received.length() > expected) {
        complete.tryFail(new AssertionError("Too many bytes received: " + received.length() + " > " + expected));
      } else if (received.length() == expected) {
        complete.tryComplete(received);
      }
    }

    Future<Buffer> future() {
      return complete.future();
    }

    int receivedBytes() {
      return received.length();
    }
  }
}
