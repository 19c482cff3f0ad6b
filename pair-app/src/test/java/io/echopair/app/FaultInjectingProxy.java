package io.echopair.app;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy for the tests, on 127.0.0.1, that makes the network unreliable: it cuts connections at random points
 * (often inside a frame), flips a bit now and then, stalls, delays, and forwards what it reads in random small pieces.
 *
 * <p>Each direction of each connection follows a {@link FaultPlan} drawn from {@code seed}, the connection's number
 * and the direction: the same seed replays the same faults at the same byte offsets.
 */
final class FaultInjectingProxy extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(FaultInjectingProxy.class);
  private static final String LOOPBACK = "127.0.0.1";

  /** What the proxy has done so far; safe to read from any thread. */
  static final class Faults {
    final LongAdder connections = new LongAdder();
    final LongAdder cuts = new LongAdder();
    final LongAdder midFrameCuts = new LongAdder();
    final LongAdder corruptions = new LongAdder();
    final LongAdder stalls = new LongAdder();
    final LongAdder delays = new LongAdder();
    final LongAdder pieces = new LongAdder();

    void cut(boolean midFrame) {
      cuts.increment();
      if (midFrame) {
        midFrameCuts.increment();
      }
    }

    /** Faults injected: cuts, flipped bits, stalls and delays (pieces are not counted: every write is cut). */
    long total() {
      return cuts.sum() + corruptions.sum() + stalls.sum() + delays.sum();
    }

    String describe() {
      return String.format(Locale.ROOT, "%d connections; %d faults: %d cuts (%d inside a frame), %d flipped bits, "
              + "%d stalls, %d delays; %d pieces written", connections.sum(), total(), cuts.sum(), midFrameCuts.sum(),
          corruptions.sum(), stalls.sum(), delays.sum(), pieces.sum());
    }
  }

  private final int targetPort;
  private final long seed;
  private final FaultPlan.Profile profile;
  private final Faults faults = new Faults();
  private NetServer server;
  private NetClient client;
  private int accepted;

  /** A proxy to {@code 127.0.0.1:targetPort}. */
  FaultInjectingProxy(int targetPort, long seed, FaultPlan.Profile profile) {
    this.targetPort = targetPort;
    this.seed = seed;
    this.profile = profile;
  }

  @Override
  public Future<?> start() {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(this::accept);
    return server.listen(0, LOOPBACK);
  }

  /** Where the clients connect. */
  int port() {
    return server.actualPort();
  }

  Faults faults() {
    return faults;
  }

  private void accept(NetSocket downstream) {
    int number = ++accepted;
    faults.connections.increment();
    // Nothing is read until the server side is connected
    downstream.pause();
    client.connect(targetPort, LOOPBACK).onComplete(connected -> {
      if (connected.failed()) {
        LOG.debug("Proxy connection {}: server unreachable: {}", number, connected.cause().toString());
        downstream.close();
      } else {
        wire(number, downstream, connected.result());
      }
    });
  }

  private void wire(int number, NetSocket downstream, NetSocket upstream) {
    Random toServerRandom = new Random(seed * 1_000_003L + number * 2L);
    Random toClientRandom = new Random(seed * 1_000_003L + number * 2L + 1);
    FaultPlan toServerPlan = FaultPlan.draw(toServerRandom, profile);
    FaultPlan toClientPlan = FaultPlan.draw(toClientRandom, profile);
    LOG.debug("Proxy connection {}: to the server {}, to the client {}", number, toServerPlan, toClientPlan);
    Runnable closeBoth = () -> {
      downstream.close();
      upstream.close();
    };
    FaultyPipe toServer = new FaultyPipe(vertx, downstream, upstream, toServerRandom, toServerPlan, profile, faults,
        closeBoth);
    FaultyPipe toClient = new FaultyPipe(vertx, upstream, downstream, toClientRandom, toClientPlan, profile, faults,
        closeBoth);
    // Whichever side goes, the other goes too; bytes not forwarded yet are lost, as on a real broken path
    for (NetSocket socket : new NetSocket[] {downstream, upstream}) {
      socket.endHandler(v -> closeBoth.run());
      socket.exceptionHandler(error -> closeBoth.run());
      socket.closeHandler(v -> {
        toServer.close();
        toClient.close();
        closeBoth.run();
      });
    }
    toServer.start();
    toClient.start();
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(client::close);
  }
}
