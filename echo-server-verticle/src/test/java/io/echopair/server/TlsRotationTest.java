package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Renewed certificate files apply to new connections while the server runs; a broken renewal changes nothing. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TlsRotationTest extends TlsTestSupport {

  private static final long SCAN_PERIOD_MS = 100;
  private static final String RENEWED = "TLS certificate of the server renewed: CN=server,O=echopair tests, expires ";

  @Override
  NetClientOptions clientOptions() {
    return tlsClient();
  }

  @Test
  @DisplayName("A renewal while a client is connected: that client goes on echoing, a new one gets the new certificate")
  void renewalWhileConnected(Vertx vertx, VertxTestContext ctx) throws Exception {
    BigInteger before = serialOf(serverCertificate);
    Buffer frames = taggedFrames("before and after", 0x707, 5);
    EchoServerVerticle server = rotatingServer();
    vertx.deployVerticle(server)
        .compose(deployed -> connect(clients, server.actualPort()))
        .compose(open -> sendAndAwaitEcho(open, frames).map(open))
        .compose(open -> renew().compose(renewed -> certificateLog.awaitContaining(RENEWED)).map(open))
        .compose(open -> sendAndAwaitEcho(open, frames).map(echoed -> {
          ctx.verify(() -> {
            assertThat(echoed).as("the open connection's echo after the renewal").isEqualTo(frames);
            assertThat(serverCertificateOf(open).getSerialNumber()).isEqualTo(before);
          });
          return open;
        }))
        .compose(open -> connect(clients, server.actualPort()))
        .compose(fresh -> sendAndAwaitEcho(fresh, frames).map(echoed -> serverCertificateOf(fresh)))
        .onComplete(ctx.succeeding(presented -> ctx.verify(() -> {
          assertThat(presented.getSerialNumber()).isNotEqualTo(before).isEqualTo(serialOf(serverCertificate));
          assertThat(certificateLog.events(line -> line.startsWith(RENEWED))).singleElement()
              .satisfies(event -> assertThat(event.getLevel()).isEqualTo(Level.INFO));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A key that does not match the certificate is one ERROR and the old certificate is still served; "
      + "the next good renewal applies")
  void brokenRenewalKeepsTheOldCertificate(Vertx vertx, VertxTestContext ctx) throws Exception {
    BigInteger original = serialOf(serverCertificate);
    EchoServerVerticle server = rotatingServer();
    vertx.deployVerticle(server)
        .compose(deployed -> breakKey())
        .compose(broken -> certificateLog.awaitContaining("TLS certificate renewal of the server ignored"))
        .compose(logged -> presentedTo(server.actualPort()))
        .compose(presented -> {
          ctx.verify(() -> assertThat(presented.getSerialNumber()).as("after the broken renewal").isEqualTo(original));
          return renew().compose(renewed -> certificateLog.awaitContaining(RENEWED));
        })
        .compose(renewed -> presentedTo(server.actualPort()))
        .onComplete(ctx.succeeding(presented -> ctx.verify(() -> {
          assertThat(presented.getSerialNumber()).isNotEqualTo(original).isEqualTo(serialOf(serverCertificate));
          assertThat(certificateLog.events(line -> true)).filteredOn(event -> event.getLevel() == Level.ERROR)
              .singleElement().extracting(event -> event.getFormattedMessage()).asString()
              .startsWith("TLS certificate renewal of the server ignored, still using CN=server,O=echopair tests, "
                  + "expires ")
              .endsWith(": server.tlsKeyPath = \"" + serverCertificate.key()
                  + "\": does not belong to the certificate in server.tlsCertPath (CN=server,O=echopair tests)");
          ctx.completeNow();
        })));
  }

  /** A server that looks at its certificate files every {@link #SCAN_PERIOD_MS}. */
  private EchoServerVerticle rotatingServer() {
    return new EchoServerVerticle(ConfigSource.inline(config(tls(serverCertificate, "auto"))), SCAN_PERIOD_MS);
  }

  /** Writes a new certificate and key for the server over its files. */
  private Future<Issued> renew() {
    try {
      serverCertificate = authority.issue("server").hosts(LOOPBACK, "localhost").write();
      return Future.succeededFuture(serverCertificate);
    } catch (IOException unwritable) {
      return Future.failedFuture(unwritable);
    }
  }

  /** Writes the key of another certificate over the server's key file. */
  private Future<Void> breakKey() {
    try {
      Issued other = authority.issue("other").write();
      Files.copy(other.key(), serverCertificate.key(), StandardCopyOption.REPLACE_EXISTING);
      return Future.succeededFuture();
    } catch (IOException unwritable) {
      return Future.failedFuture(unwritable);
    }
  }

  /** The certificate the server presents to a new connection. */
  private Future<X509Certificate> presentedTo(int port) {
    return connect(clients, port).compose(socket -> {
      X509Certificate presented = serverCertificateOf(socket);
      return socket.close().map(presented);
    });
  }

  private static BigInteger serialOf(Issued issued) throws IOException, CertificateException {
    try (InputStream pem = Files.newInputStream(issued.certificate())) {
      return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem)).getSerialNumber();
    }
  }
}
