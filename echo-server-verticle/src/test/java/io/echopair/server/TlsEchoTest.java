package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The frame port over TLS: the same frames, log lines and echoes as on plain TCP, encrypted. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TlsEchoTest extends TlsTestSupport {

  @Override
  NetClientOptions clientOptions() {
    return tlsClient();
  }

  @Test
  @DisplayName("A TLS client's frames are logged and echoed, and the start and connect lines say TLS")
  void echoesOverTls(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("over TLS", 0x7150, 20);
    deploy(vertx, tls(serverCertificate, "auto"))
        .compose(server -> exchange(clients, server.actualPort(), frames))
        .compose(echoed -> log.awaitContaining("disconnected").map(echoed))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(echoed).isEqualTo(frames);
          assertThat(loggedSequences(LOOPBACK)).hasSize(20).first().isEqualTo(1L);
          assertThat(log.linesContaining("Echo server listening on 127.0.0.1:")).singleElement().asString()
              .contains("(100-byte frames, echo on, TLS 1.2/1.3 with ")
              .contains(", certificate CN=server,O=echopair tests, expires "
                  + serverCertificate.notAfter().truncatedTo(ChronoUnit.SECONDS))
              .doesNotContain("client certificates");
          assertThat(log.linesContaining("Client 127.0.0.1:")).first().asString()
              .matches(".*Client 127\\.0\\.0\\.1:\\d+ connected over TLS \\(1 open\\)");
          assertThat(certificateLog.lines()).as("a certificate valid for a year: no expiry warning").isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Three instances share the TLS port: every connection is served, whichever event loop takes it")
  void instancesShareTheTlsPort(Vertx vertx, VertxTestContext ctx) {
    List<EchoServerVerticle> instances = new CopyOnWriteArrayList<>();
    DeploymentOptions three = new DeploymentOptions().setInstances(3)
        .setConfig(config(tls(serverCertificate, "auto")));
    vertx.deployVerticle(() -> {
      EchoServerVerticle instance = new EchoServerVerticle();
      instances.add(instance);
      return instance;
    }, three).compose(id -> {
      List<Future<Buffer>> exchanges = new ArrayList<>();
      for (int client = 1; client <= 9; client++) {
        exchanges.add(exchange(clients, instances.get(0).actualPort(), taggedFrames("client", client, 10)));
      }
      return Future.all(exchanges);
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int client = 1; client <= 9; client++) {
        assertThat(all.<Buffer>resultAt(client - 1)).isEqualTo(taggedFrames("client", client, 10));
      }
      assertThat(log.countContaining("Echo server listening on")).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("Frames written in the same breath as the handshake, in pieces of every size, all arrive")
  void noBytesLostAroundTheHandshake(Vertx vertx, VertxTestContext ctx) {
    Buffer frames = taggedFrames("at once", 0xA70, 500);
    deploy(vertx, tls(serverCertificate, "auto").put("logEvery", 0)).compose(server -> {
      List<Future<Buffer>> exchanges = new ArrayList<>();
      for (int client = 0; client < 10; client++) {
        exchanges.add(connect(clients, server.actualPort()).compose(socket -> {
          EchoCollector echo = EchoCollector.on(socket, frames.length());
          return writeAll(socket, pieces(frames, 1, 99, 4096, 7)).compose(written -> echo.future())
              .eventually(socket::close);
        }));
      }
      return Future.all(exchanges);
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int client = 0; client < 10; client++) {
        assertThat(all.<Buffer>resultAt(client)).isEqualTo(frames);
      }
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A TLS client that does not read its echoes is no longer read, and is read again once it takes them")
  void backpressureOverTls(Vertx vertx, VertxTestContext ctx) {
    log.atLevel(Level.DEBUG);
    // More than the kernel buffers between server and client hold, so that the server's own queue fills
    Buffer frames = taggedFrames("unread", 0xB0B, 160_000);
    NetClient smallReceiveBuffer = vertx.createNetClient(tlsClient().setReceiveBufferSize(64 * 1024));
    deploy(vertx, tls(serverCertificate, "auto").put("logEvery", 0).put("writeQueueMaxBytes", 65_536))
        .compose(server -> connect(smallReceiveBuffer, server.actualPort())
            .compose(socket -> {
              socket.pause();
              EchoCollector echo = EchoCollector.on(socket, frames.length());
              Future<Void> written = writeAll(socket, pieces(frames, 65_536));
              return log.awaitContaining("is not reading its echoes as fast as it sends: pausing reads")
                  .compose(paused -> {
                    socket.resume();
                    return Future.all(written, echo.future());
                  })
                  .map(done -> echo.future().result())
                  .eventually(socket::close);
            }))
        .eventually(smallReceiveBuffer::close)
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(echoed.length()).isEqualTo(frames.length());
          assertThat(echoed).isEqualTo(frames);
          assertThat(log.linesContaining("took its echoes: resuming reads")).isNotEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A certificate that expires in 5 days is a WARN at start, naming it")
  void expiringCertificateIsAWarning(Vertx vertx, VertxTestContext ctx) throws Exception {
    var expiring = authority.issue("soon").hosts(LOOPBACK).notAfter(Instant.now().plus(5, ChronoUnit.DAYS)).write();
    deploy(vertx, tls(expiring, "auto")).onComplete(ctx.succeeding(server -> ctx.verify(() -> {
      assertThat(certificateLog.events(line -> line.contains("expires in"))).singleElement()
          .satisfies(event -> assertThat(event.getLevel()).isEqualTo(Level.WARN))
          .satisfies(event -> assertThat(event.getFormattedMessage())
              .startsWith("TLS certificate of the server expires in 4 days: CN=soon,O=echopair tests, expires "));
      ctx.completeNow();
    })));
  }
}
