package io.echopair.server;

import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.echopair.runtime.tls.CertificateWatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TLS tests share: an authority that signs the server's certificate and the clients', made in a temporary
 * directory for each test; the server's TLS keys; TLS clients; and a connection attempt that records all it got.
 */
abstract class TlsTestSupport extends ServerTestSupport {

  /** What the certificate watch logs: renewals, and certificates close to their expiry. */
  @RegisterExtension
  final LogCapture certificateLog = LogCapture.of(CertificateWatch.class);

  @TempDir
  Path dir;
  /** Signs the server's certificate and the clients' certificates. */
  Authority authority;
  /** The server's certificate, for 127.0.0.1. */
  Issued serverCertificate;

  /** The certificates first: the clients trust their authority. */
  @BeforeEach
  @Override
  void createClients(Vertx vertx) {
    try {
      authority = TestCertificates.authority(dir, "test CA");
      serverCertificate = authority.issue("server").hosts(LOOPBACK, "localhost").write();
    } catch (IOException unwritable) {
      throw new UncheckedIOException(unwritable);
    }
    super.createClients(vertx);
  }

  /** The server's keys for TLS with {@code certificate} and {@code engine}. */
  static JsonObject tls(Issued certificate, String engine) {
    return new JsonObject()
        .put("tlsCertPath", certificate.certificate().toString())
        .put("tlsKeyPath", certificate.key().toString())
        .put("tlsEngine", engine);
  }

  /** The server's keys for mutual TLS: clients need a certificate signed by {@code clientAuthority}. */
  static JsonObject mutualTls(Issued certificate, Authority clientAuthority, String engine) {
    return tls(certificate, engine).put("tlsClientCaPath", clientAuthority.certificate().toString());
  }

  /** A TLS client that trusts the test authority and checks the server's host name; no certificate of its own. */
  NetClientOptions tlsClient() {
    return new NetClientOptions()
        .setSsl(true)
        .setHostnameVerificationAlgorithm("HTTPS")
        .setTrustOptions(new PemTrustOptions().addCertPath(authority.certificate().toString()))
        .setSslHandshakeTimeout(10)
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
  }

  /** A TLS client that presents {@code certificate}. */
  NetClientOptions tlsClient(Issued certificate) {
    return tlsClient().setKeyCertOptions(certificate.keyCertOptions());
  }

  /** The certificate the server presented on {@code socket}. */
  static X509Certificate serverCertificateOf(NetSocket socket) {
    try {
      return (X509Certificate) socket.peerCertificates().get(0);
    } catch (SSLPeerUnverifiedException unverified) {
      throw new AssertionError("no server certificate", unverified);
    }
  }

  /** One connection with a client of its own made with {@code options}: sends {@code frames}, awaits their echo. */
  static Future<Buffer> exchange(Vertx vertx, NetClientOptions options, int port, Buffer frames) {
    NetClient client = vertx.createNetClient(options);
    return exchange(client, port, frames).eventually(client::close);
  }

  /** Connects with {@code options}, writes {@code frames}, and records what comes back until the connection ends. */
  static Future<Attempt> attempt(Vertx vertx, NetClientOptions options, int port, Buffer frames) {
    NetClient client = vertx.createNetClient(options);
    Attempt attempt = new Attempt();
    return connect(client, port)
        .compose(socket -> attempt.watch(socket, frames), failed -> {
          attempt.connectFailure = failed;
          return Future.succeededFuture(attempt);
        })
        .eventually(client::close);
  }

  /** What one connection attempt got: whether it connected, the bytes it received, and how it ended. */
  static final class Attempt {

    Throwable connectFailure;
    final Buffer received = Buffer.buffer();
    Throwable error;

    private Future<Attempt> watch(NetSocket socket, Buffer frames) {
      Promise<Attempt> ended = Promise.promise();
      socket.handler(received::appendBuffer)
          .exceptionHandler(failure -> error = failure)
          .closeHandler(closed -> ended.complete(this));
      socket.write(frames);
      return ended.future();
    }

    boolean connected() {
      return connectFailure == null;
    }
  }
}
