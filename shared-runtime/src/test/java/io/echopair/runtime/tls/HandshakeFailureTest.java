package io.echopair.runtime.tls;

import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real handshakes that fail, with the JDK's engine and with OpenSSL when it loads: each side's reason in words.
 */
@ExtendWith(VertxExtension.class)
class HandshakeFailureTest {

  @TempDir
  static Path dir;
  static Authority ca;
  static Authority stranger;
  static Issued server;
  static Issued client;
  static Issued strangerClient;
  static Issued expiredServer;
  static Issued expiredClient;
  static Issued otherHost;

  @BeforeAll
  static void certificates() throws Exception {
    ca = TestCertificates.authority(dir, "test CA");
    stranger = TestCertificates.authority(dir, "stranger CA");
    server = ca.issue("server").hosts("127.0.0.1", "localhost").write();
    client = ca.issue("sender-1").write();
    strangerClient = stranger.issue("intruder").write();
    expiredServer = ca.issue("old server").hosts("127.0.0.1").notAfter(Instant.now().minusSeconds(86_400)).write();
    expiredClient = ca.issue("old sender").notAfter(Instant.now().minusSeconds(86_400)).write();
    otherHost = ca.issue("elsewhere").hosts("other.example").write();
  }

  static Stream<TlsEngine> engines() {
    return TlsEngine.JDK.options("test").getClass() == TlsEngine.AUTO.options("test").getClass()
        ? Stream.of(TlsEngine.JDK) : Stream.of(TlsEngine.JDK, TlsEngine.OPENSSL);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("a plain TCP client on a TLS port is named as such by the server")
  void plainClient(TlsEngine engine, Vertx vertx) throws Exception {
    Outcome outcome = handshake(vertx, engine, server, false, null, false);
    assertThat(outcome.server()).isEqualTo("not TLS: plain TCP on a TLS port");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("a client without a certificate, where one is required: both sides say so")
  void noClientCertificate(TlsEngine engine, Vertx vertx) throws Exception {
    Outcome outcome = handshake(vertx, engine, server, true, null, true);
    assertThat(outcome.server()).isEqualTo("no client certificate");
    // The JDK's server answers bad_certificate, OpenSSL's certificate_required
    assertThat(outcome.client()).isIn("the peer refused our certificate, or its absence (bad certificate)",
        "the peer requires a client certificate from a CA it trusts, and we sent none it accepts");
    // A client that knows it had none to present can say it plainly, whatever the alert
    assertThat(HandshakeFailure.describe(outcome.clientFailure(), false))
        .isEqualTo("the peer requires a client certificate and we have none");
    assertThat(HandshakeFailure.describe(outcome.clientFailure(), true)).isEqualTo(outcome.client());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("a TLS client of a plain TCP echo server, which sends its hello back: not TLS")
  void plainServer(TlsEngine engine, Vertx vertx) throws Exception {
    NetServer plain = vertx.createNetServer().connectHandler(socket -> socket.handler(socket::write));
    int port = await(plain.listen(0, "127.0.0.1")).actualPort();
    NetClient tlsClientOf = vertx.createNetClient(new NetClientOptions().setSsl(true)
        .setSslEngineOptions(engine.options("test")).setHostnameVerificationAlgorithm("HTTPS")
        .setTrustOptions(new PemTrustOptions().addCertPath(ca.certificate().toString())));
    Throwable failure = await(tlsClientOf.connect(port, "127.0.0.1")
        .transform(connected -> Future.succeededFuture(connected.cause())));
    assertThat(HandshakeFailure.isTls(failure)).isTrue();
    assertThat(HandshakeFailure.describe(failure)).isEqualTo("not TLS: the peer does not answer with TLS (a plain TCP port?)");
    plain.close();
    tlsClientOf.close();
  }

  @Test
  @DisplayName("a connection refused before TLS began is not a TLS failure")
  void refusedIsNotTls(Vertx vertx) throws Exception {
    NetServer closed = vertx.createNetServer().connectHandler(socket -> socket.close());
    int port = await(closed.listen(0, "127.0.0.1")).actualPort();
    await(closed.close());
    Throwable failure = await(vertx.createNetClient().connect(port, "127.0.0.1")
        .transform(connected -> Future.succeededFuture(connected.cause())));
    assertThat(failure).isNotNull();
    assertThat(HandshakeFailure.isTls(failure)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("a client certificate from another CA is not even sent: the client picks one the server's CAs issued")
  void clientCertificateOfAnotherCa(TlsEngine engine, Vertx vertx) throws Exception {
    Outcome outcome = handshake(vertx, engine, server, true, strangerClient.keyCertOptions(), true);
    assertThat(outcome.server()).isEqualTo("no client certificate");
    assertThat(outcome.client()).startsWith("the peer re");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("a client that insists on a certificate from another CA: unknown CA")
  void unknownClientCa(TlsEngine engine, Vertx vertx) throws Exception {
    Outcome outcome = handshake(vertx, engine, server, true, strangerClient.insisting(vertx), true);
    assertThat(outcome.server()).isEqualTo("certificate not signed by a trusted CA (unknown CA)");
    assertThat(outcome.client()).startsWith("the peer refused our certificate");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("an expired client certificate: expired")
  void expiredClientCertificate(TlsEngine engine, Vertx vertx) throws Exception {
    Outcome outcome = handshake(vertx, engine, server, true, expiredClient.insisting(vertx), true);
    assertThat(outcome.server()).isEqualTo("certificate expired");
    assertThat(outcome.client()).startsWith("the peer refused our certificate");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("a server certificate from another CA: unknown CA")
  void unknownServerCa(TlsEngine engine, Vertx vertx) throws Exception {
    Issued foreign = stranger.issue("foreign server").hosts("127.0.0.1").write();
    Outcome outcome = handshake(vertx, engine, foreign, false, null, true);
    assertThat(outcome.client()).isEqualTo("certificate not signed by a trusted CA (unknown CA)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("an expired server certificate: expired")
  void expiredServerCertificate(TlsEngine engine, Vertx vertx) throws Exception {
    Outcome outcome = handshake(vertx, engine, expiredServer, false, null, true);
    assertThat(outcome.client()).isEqualTo("certificate expired");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  @DisplayName("a server certificate for another host: wrong host name, naming the host")
  void wrongHost(TlsEngine engine, Vertx vertx) throws Exception {
    Outcome outcome = handshake(vertx, engine, otherHost, false, null, true);
    assertThat(outcome.client()).isEqualTo("wrong host name: the certificate is not for 127.0.0.1");
  }

  /** What each side said of one handshake; null for a side that saw no failure. */
  record Outcome(String server, String client, Throwable clientFailure) {
  }

  private Outcome handshake(Vertx vertx, TlsEngine engine, Issued serverCertificate, boolean requireClient,
                            KeyCertOptions clientCertificate, boolean tlsClient) throws Exception {
    SSLEngineOptions engineOptions = engine.options("test");
    Promise<Throwable> serverSide = Promise.promise();
    NetServerOptions serverOptions = new NetServerOptions().setSsl(true).setSslEngineOptions(engineOptions)
        .setKeyCertOptions(serverCertificate.keyCertOptions());
    if (requireClient) {
      serverOptions.setClientAuth(ClientAuth.REQUIRED)
          .setTrustOptions(new PemTrustOptions().addCertPath(ca.certificate().toString()));
    }
    NetServer tlsServer = vertx.createNetServer(serverOptions)
        .exceptionHandler(serverSide::tryComplete)
        .connectHandler(socket -> serverSide.tryFail("handshake succeeded"));
    int port = await(tlsServer.listen(0, "127.0.0.1")).actualPort();

    NetClientOptions clientOptions = new NetClientOptions().setConnectTimeout(10_000);
    if (tlsClient) {
      clientOptions.setSsl(true).setSslEngineOptions(engineOptions).setHostnameVerificationAlgorithm("HTTPS")
          .setTrustOptions(new PemTrustOptions().addCertPath(ca.certificate().toString()));
      if (clientCertificate != null) {
        clientOptions.setKeyCertOptions(clientCertificate);
      }
    }
    NetClient tlsClientOf = vertx.createNetClient(clientOptions);
    Promise<Throwable> clientSide = Promise.promise();
    tlsClientOf.connect(port, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        clientSide.tryComplete(connected.cause());
        return;
      }
      NetSocket socket = connected.result();
      // TLS 1.3: the client finishes first; the server's refusal of its certificate arrives as an alert on read
      socket.exceptionHandler(clientSide::tryComplete);
      socket.closeHandler(closed -> clientSide.tryComplete(null));
      socket.write(Buffer.buffer(new byte[100]));
    });
    Throwable onServer = requireClient || !tlsClient || serverCertificate == server
        ? await(serverSide.future()) : null;
    Throwable onClient = tlsClient ? await(clientSide.future()) : null;
    tlsServer.close();
    tlsClientOf.close();
    return new Outcome(onServer == null ? null : HandshakeFailure.describe(onServer),
        onClient == null ? null : HandshakeFailure.describe(onClient), onClient);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
