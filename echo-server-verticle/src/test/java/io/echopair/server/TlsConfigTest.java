package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Wrong TLS settings are one line naming the key and the file, from the jar's check before Vert.x starts (exit status
 * 78) and from the verticle's start alike.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TlsConfigTest extends TlsTestSupport {

  @Test
  @DisplayName("A certificate without its key is refused")
  void certificateWithoutKey(Vertx vertx, VertxTestContext ctx) {
    refusedAtStart(vertx, ctx, tls(serverCertificate, "auto").put("tlsKeyPath", ""),
        "server.tlsCertPath is set without server.tlsKeyPath: set both (the certificate chain and its private key), "
            + "or neither");
  }

  @Test
  @DisplayName("A key without its certificate is refused")
  void keyWithoutCertificate(Vertx vertx, VertxTestContext ctx) {
    refusedAtStart(vertx, ctx, tls(serverCertificate, "auto").put("tlsCertPath", ""),
        "server.tlsKeyPath is set without server.tlsCertPath: set both (the certificate chain and its private key), "
            + "or neither");
  }

  @Test
  @DisplayName("Client certificates required without TLS are refused")
  void clientCaWithoutCertificate(Vertx vertx, VertxTestContext ctx) {
    refusedAtStart(vertx, ctx, new JsonObject().put("tlsClientCaPath", authority.certificate().toString()),
        "server.tlsClientCaPath is set without server.tlsCertPath: requiring client certificates needs TLS, so set "
            + "tlsCertPath and tlsKeyPath too");
  }

  @Test
  @DisplayName("A certificate file that does not exist is refused, naming key and file")
  void missingFile(Vertx vertx, VertxTestContext ctx) {
    String missing = dir.resolve("missing.crt").toString();
    refusedAtStart(vertx, ctx, tls(serverCertificate, "auto").put("tlsCertPath", missing),
        "server.tlsCertPath = \"" + missing + "\": cannot be read (no such file)");
  }

  @Test
  @DisplayName("A key that does not belong to the certificate is refused")
  void keyOfAnotherCertificate(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued other = authority.issue("other").write();
    refusedAtStart(vertx, ctx, tls(serverCertificate, "auto").put("tlsKeyPath", other.key().toString()),
        "server.tlsKeyPath = \"" + other.key() + "\": does not belong to the certificate in server.tlsCertPath "
            + "(CN=server,O=echopair tests)");
  }

  @Test
  @DisplayName("A file that holds no PEM key is refused")
  void notAKey(Vertx vertx, VertxTestContext ctx) throws Exception {
    Files.writeString(serverCertificate.key(), "not a key\n");
    assertThatThrownBy(() -> validate(tls(serverCertificate, "auto")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("server.tlsKeyPath = \"" + serverCertificate.key()
            + "\": not a PEM private key (PKCS#8, PKCS#1 or SEC 1)");
    ctx.completeNow();
  }

  @Test
  @DisplayName("An expired server certificate is refused")
  void expiredCertificate(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued expired = authority.issue("old").notAfter(Instant.parse("2020-01-01T00:00:00Z")).write();
    refusedAtStart(vertx, ctx, tls(expired, "auto"),
        "server.tlsCertPath = \"" + expired.certificate() + "\": the certificate CN=old,O=echopair tests expired on "
            + "2020-01-01T00:00:00Z");
  }

  @Test
  @DisplayName("An unknown engine is refused")
  void unknownEngine(Vertx vertx, VertxTestContext ctx) {
    refusedAtStart(vertx, ctx, tls(serverCertificate, "boring"),
        "server.tlsEngine = \"boring\": must be auto, openssl or jdk");
  }

  @Test
  @DisplayName("A certificate in PKCS#1 RSA form is accepted, with both engines")
  void rsaPkcs1Key(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued rsa = authority.issue("server").hosts(LOOPBACK).rsaPkcs1().fileName("rsa").write();
    validate(tls(rsa, "jdk"));
    validate(tls(rsa, "openssl"));
    deploy(vertx, tls(rsa, "openssl"))
        .compose(server -> exchange(vertx, tlsClient(), server.actualPort(), taggedFrames("rsa", 1, 3)))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(echoed).isEqualTo(taggedFrames("rsa", 1, 3));
          ctx.completeNow();
        })));
  }

  private static void validate(JsonObject keys) {
    new EchoServerApplication().validate(config(keys), Overrides.none());
  }

  /** The jar's check refuses {@code keys} with {@code message}, and so does a verticle's start, leaving nothing. */
  private void refusedAtStart(Vertx vertx, VertxTestContext ctx, JsonObject keys, String message) {
    assertThatThrownBy(() -> validate(keys))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message)
        .satisfies(refused -> assertThat(refused.getStackTrace()).isEmpty());
    deploy(vertx, keys).onComplete(ctx.failing(failure -> ctx.verify(() -> {
      assertThat(failure).isInstanceOf(ConfigException.class).hasMessage(message);
      assertThat(vertx.sharedData().getLocalMap("io.echopair.server.tls")).isEmpty();
      assertThat(vertx.sharedData().getLocalMap("io.echopair.server.stats")).isEmpty();
      ctx.completeNow();
    })));
  }
}
