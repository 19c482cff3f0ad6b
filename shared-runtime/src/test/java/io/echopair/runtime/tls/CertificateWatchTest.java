package io.echopair.runtime.tls;

import ch.qos.logback.classic.Level;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class CertificateWatchTest {

  private static final long SCAN_MS = 50;

  @RegisterExtension
  final LogCapture log = LogCapture.of(CertificateWatch.class).atLevel(Level.INFO);

  @TempDir
  Path dir;
  Authority ca;
  Path certFile;
  Path keyFile;
  CertificateWatch watch;
  final List<TlsCredentials> applied = new CopyOnWriteArrayList<>();

  @BeforeEach
  void files() throws Exception {
    ca = TestCertificates.authority(dir, "test CA");
    Issued first = ca.issue("server v1").hosts("127.0.0.1").fileName("server-v1").write();
    certFile = dir.resolve("server.crt");
    keyFile = dir.resolve("server.key");
    install(first);
  }

  @AfterEach
  void stop(Vertx vertx) {
    if (watch != null) {
      vertx.runOnContext(v -> watch.close());
    }
  }

  private void install(Issued issued) throws Exception {
    // As renewal tools do: write beside, then rename over
    Files.copy(issued.certificate(), dir.resolve("next.crt"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(issued.key(), dir.resolve("next.key"), StandardCopyOption.REPLACE_EXISTING);
    Files.move(dir.resolve("next.crt"), certFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Files.move(dir.resolve("next.key"), keyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void startWatch(Vertx vertx) throws Exception {
    TlsFiles files = new TlsFiles(new PemFile("server.tlsCertPath", certFile), new PemFile("server.tlsKeyPath", keyFile),
        null);
    TlsCredentials initial = TlsCredentials.load(vertx, files);
    watch = await(vertx.executeBlocking(() -> initial).compose(loaded -> {
      io.vertx.core.Promise<CertificateWatch> started = io.vertx.core.Promise.promise();
      vertx.runOnContext(v -> started.complete(CertificateWatch.start(vertx, "server", loaded, SCAN_MS, renewed -> {
        applied.add(renewed);
        return Future.succeededFuture();
      })));
      return started.future();
    }));
  }

  @Test
  @DisplayName("renewed files are applied once, with one INFO line naming the new certificate")
  void renewal(Vertx vertx) throws Exception {
    startWatch(vertx);
    install(ca.issue("server v2").hosts("127.0.0.1").fileName("server-v2").write());
    String line = await(log.awaitLine(l -> l.contains("renewed")));
    assertThat(line).startsWith("INFO TLS certificate of the server renewed: CN=server v2,O=echopair tests, expires ");
    assertThat(applied).extracting(TlsCredentials::subject).containsExactly("CN=server v2,O=echopair tests");
  }

  @Test
  @DisplayName("a broken renewal keeps the certificate in use, with one ERROR line; the next good one applies")
  void brokenRenewal(Vertx vertx) throws Exception {
    startWatch(vertx);
    Issued v2 = ca.issue("server v2").hosts("127.0.0.1").fileName("server-v2").write();
    Issued unrelated = ca.issue("unrelated").write();
    // The certificate renewed, the key not: they do not belong together
    Files.copy(v2.certificate(), certFile, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(unrelated.key(), keyFile, StandardCopyOption.REPLACE_EXISTING);
    String error = await(log.awaitLine(l -> l.startsWith("ERROR")));
    assertThat(error).isEqualTo("ERROR TLS certificate renewal of the server ignored, still using "
        + watch.current().describe() + ": server.tlsKeyPath = \"" + keyFile + "\": does not belong to the "
        + "certificate in server.tlsCertPath (CN=server v2,O=echopair tests)");
    assertThat(watch.current().subject()).isEqualTo("CN=server v1,O=echopair tests");
    // Fixed: applied, and the broken state was reported once however many scans saw it
    Files.copy(v2.key(), keyFile, StandardCopyOption.REPLACE_EXISTING);
    await(log.awaitContaining("renewed: CN=server v2"));
    assertThat(log.count(message -> message.startsWith("TLS certificate renewal"))).isEqualTo(1);
    assertThat(applied).extracting(TlsCredentials::subject).containsExactly("CN=server v2,O=echopair tests");
  }

  @Test
  @DisplayName("a certificate that expires within 14 days is a WARN at start")
  void expiringSoon(Vertx vertx) throws Exception {
    install(ca.issue("short-lived").hosts("127.0.0.1").notAfter(Instant.now().plus(Duration.ofDays(5).plusHours(1)))
        .write());
    startWatch(vertx);
    assertThat(log.lines()).filteredOn(l -> l.startsWith("WARN")).singleElement().asString()
        .startsWith("WARN TLS certificate of the server expires in 5 days: CN=short-lived,O=echopair tests, expires ");
  }

  @Test
  @DisplayName("a certificate far from its expiry logs nothing at start")
  void notExpiringSoon(Vertx vertx) throws Exception {
    startWatch(vertx);
    assertThat(log.lines()).isEmpty();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
