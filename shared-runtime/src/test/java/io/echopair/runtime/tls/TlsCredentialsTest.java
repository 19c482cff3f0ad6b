package io.echopair.runtime.tls;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
class TlsCredentialsTest {

  @TempDir
  static Path dir;
  static Authority ca;
  static Issued server;

  @BeforeAll
  static void certificates() throws Exception {
    ca = TestCertificates.authority(dir, "test CA");
    server = ca.issue("server").hosts("127.0.0.1").write();
  }

  private static TlsFiles files(Path cert, Path key, Path trust) {
    return new TlsFiles(cert == null ? null : new PemFile("server.tlsCertPath", cert),
        key == null ? null : new PemFile("server.tlsKeyPath", key),
        trust == null ? null : new PemFile("server.tlsClientCaPath", trust));
  }

  @Test
  @DisplayName("a certificate chain, its PKCS#8 key and a trust bundle load, and say whose certificate it is")
  void loads(Vertx vertx) {
    TlsCredentials credentials = TlsCredentials.load(vertx, files(server.certificate(), server.key(), ca.certificate()));
    assertThat(credentials.subject()).isEqualTo("CN=server,O=echopair tests");
    assertThat(credentials.describe()).startsWith("CN=server,O=echopair tests, expires ");
    assertThat(credentials.keyCertOptions()).isNotNull();
    assertThat(credentials.trustOptions()).isNotNull();
    assertThat(credentials.sameAs(TlsCredentials.load(vertx, credentials.files()))).isTrue();
  }

  @Test
  @DisplayName("an RSA key in PKCS#1 form loads")
  void pkcs1(Vertx vertx) throws Exception {
    Issued rsa = ca.issue("rsa server").rsaPkcs1().write();
    assertThat(Files.readString(rsa.key())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(TlsCredentials.load(vertx, files(rsa.certificate(), rsa.key(), null)).subject())
        .isEqualTo("CN=rsa server,O=echopair tests");
  }

  @Test
  @DisplayName("a key of another certificate is refused, naming both keys")
  void keyOfAnotherCertificate(Vertx vertx) throws Exception {
    Issued other = ca.issue("other").write();
    assertThatThrownBy(() -> TlsCredentials.load(vertx, files(server.certificate(), other.key(), null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("server.tlsKeyPath = \"" + other.key() + "\": does not belong to the certificate in "
            + "server.tlsCertPath (CN=server,O=echopair tests)");
  }

  @Test
  @DisplayName("a certificate without its key, and a key without its certificate, are refused")
  void halfAPair(Vertx vertx) {
    assertThatThrownBy(() -> TlsCredentials.load(vertx, files(server.certificate(), null, null)))
        .hasMessage("server.tlsCertPath is set without server.tlsKeyPath: set both (the certificate chain and its "
            + "private key), or neither");
    assertThatThrownBy(() -> TlsCredentials.load(vertx, files(null, server.key(), null)))
        .hasMessage("server.tlsKeyPath is set without server.tlsCertPath: set both (the certificate chain and its "
            + "private key), or neither");
  }

  @Test
  @DisplayName("a missing file, a file that is not PEM and a key file that holds a certificate are named")
  void badFiles(Vertx vertx) throws Exception {
    Path missing = dir.resolve("missing.crt");
    assertThatThrownBy(() -> TlsCredentials.load(vertx, files(missing, server.key(), null)))
        .hasMessage("server.tlsCertPath = \"" + missing + "\": cannot be read (no such file)");
    Path text = Files.writeString(dir.resolve("text.crt"), "hello\n");
    assertThatThrownBy(() -> TlsCredentials.load(vertx, files(null, null, text)))
        .hasMessageStartingWith("server.tlsClientCaPath = \"" + text + "\": ");
    assertThatThrownBy(() -> TlsCredentials.load(vertx, files(server.certificate(), server.certificate(), null)))
        .hasMessageStartingWith("server.tlsKeyPath = \"" + server.certificate() + "\": not a PEM private key");
  }

  @Test
  @DisplayName("an expired certificate is refused with its date")
  void expired(Vertx vertx) throws Exception {
    Issued old = ca.issue("old").notAfter(Instant.parse("2020-01-02T03:04:05Z")).write();
    assertThatThrownBy(() -> TlsCredentials.load(vertx, files(old.certificate(), old.key(), null)))
        .hasMessage("server.tlsCertPath = \"" + old.certificate() + "\": the certificate CN=old,O=echopair tests "
            + "expired on 2020-01-02T03:04:05Z");
  }
}
