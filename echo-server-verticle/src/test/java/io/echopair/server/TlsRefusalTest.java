package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients the TLS port refuses, with the JDK's engine and with OpenSSL (their error messages differ): nothing they send
 * is logged or echoed, their connection is closed, and one WARN line names the reason in words.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TlsRefusalTest extends TlsTestSupport {

  private static final String REFUSED = "Refused TLS handshake from 127.0.0.1:";

  @ParameterizedTest(name = "server engine {0}")
  @ValueSource(strings = {"jdk", "openssl"})
  @DisplayName("A plain TCP client that sends a seed frame to the TLS port is refused as not TLS")
  void plainTcpClient(String engine, Vertx vertx, VertxTestContext ctx) {
    refusal(vertx, ctx, tls(serverCertificate, engine), new NetClientOptions(), "not TLS: plain TCP on a TLS port");
  }

  @ParameterizedTest(name = "server engine {0}")
  @ValueSource(strings = {"jdk", "openssl"})
  @DisplayName("Under mutual TLS, a client without a certificate is refused for that")
  void noClientCertificate(String engine, Vertx vertx, VertxTestContext ctx) {
    refusal(vertx, ctx, mutualTls(serverCertificate, authority, engine), tlsClient(), "no client certificate");
  }

  @ParameterizedTest(name = "server engine {0}")
  @ValueSource(strings = {"jdk", "openssl"})
  @DisplayName("Under mutual TLS, a client certificate from an authority the server does not trust is refused")
  void clientCertificateOfAnUnknownAuthority(String engine, Vertx vertx, VertxTestContext ctx) throws Exception {
    Authority stranger = TestCertificates.authority(dir, "stranger CA");
    Issued strangers = stranger.issue("sender-1").write();
    refusal(vertx, ctx, mutualTls(serverCertificate, authority, engine),
        tlsClient().setKeyCertOptions(strangers.insisting(vertx)),
        "certificate not signed by a trusted CA (unknown CA)");
  }

  @ParameterizedTest(name = "server engine {0}")
  @ValueSource(strings = {"jdk", "openssl"})
  @DisplayName("Under mutual TLS, an expired client certificate is refused for that")
  void expiredClientCertificate(String engine, Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued expired = authority.issue("sender-1").notAfter(Instant.now().minus(1, ChronoUnit.DAYS)).write();
    refusal(vertx, ctx, mutualTls(serverCertificate, authority, engine),
        tlsClient().setKeyCertOptions(expired.insisting(vertx)), "certificate expired");
  }

  @ParameterizedTest(name = "server engine {0}")
  @ValueSource(strings = {"jdk", "openssl"})
  @DisplayName("A client that offers only CBC cipher suites or static RSA key exchange is refused: no suite in common")
  void weakCipherSuites(String engine, Vertx vertx, VertxTestContext ctx) throws Exception {
    // An RSA certificate: with it, Netty's own defaults would take both kinds
    Issued rsa = authority.issue("rsa server").hosts("127.0.0.1", "localhost").rsaPkcs1().write();
    NetClientOptions weak = tlsClient().setEnabledSecureTransportProtocols(Set.of("TLSv1.2"))
        .addEnabledCipherSuite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")
        .addEnabledCipherSuite("TLS_RSA_WITH_AES_128_GCM_SHA256")
        .addEnabledCipherSuite("TLS_RSA_WITH_AES_128_CBC_SHA");
    refusal(vertx, ctx, tls(rsa, engine), weak, "no cipher suite in common");
  }

  @ParameterizedTest(name = "server engine {0}")
  @ValueSource(strings = {"jdk", "openssl"})
  @DisplayName("Many refused handshakes make a line per second at most; the next line counts the ones left out")
  void refusalLinesAreRateLimited(String engine, Vertx vertx, VertxTestContext ctx) {
    int attempts = 30;
    long start = System.nanoTime();
    deploy(vertx, tls(serverCertificate, engine)).compose(server -> {
      List<Future<Attempt>> all = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        all.add(attempt(vertx, new NetClientOptions(), server.actualPort(), seedFrame("hello")));
      }
      return Future.all(all)
          .compose(done -> when(vertx, () -> server.stats().snapshot().refused() == attempts))
          .map(refused -> {
            ctx.verify(() -> {
              double seconds = (System.nanoTime() - start) / 1e9;
              assertThat(log.countContaining(REFUSED)).isBetween(1, 1 + (int) Math.ceil(seconds));
            });
            return server;
          });
    }).compose(server -> refuseUntil(vertx, server.actualPort(),
        line -> line.startsWith(REFUSED) && line.endsWith(" more refused)")))
        .onComplete(ctx.succeeding(noted -> ctx.verify(() -> {
          assertThat(noted.getFormattedMessage()).matches(
              "Refused TLS handshake from 127\\.0\\.0\\.1:\\d+: not TLS: plain TCP on a TLS port \\(\\d+ more refused\\)");
          ctx.completeNow();
        })));
  }

  /** Refused connections one after another until a refusal line matches. */
  private Future<ILoggingEvent> refuseUntil(Vertx vertx, int port, Predicate<String> line) {
    Future<ILoggingEvent> logged = log.await(line);
    refuseAgain(vertx, port, logged);
    return logged;
  }

  private void refuseAgain(Vertx vertx, int port, Future<ILoggingEvent> until) {
    attempt(vertx, new NetClientOptions(), port, seedFrame("hello")).onComplete(done -> {
      if (!until.isComplete()) {
        refuseAgain(vertx, port, until);
      }
    });
  }

  /**
   * Deploys a server with {@code serverKeys}, makes one attempt with {@code client} that writes a frame, and checks
   * that nothing got through and that one WARN line names {@code reason}.
   */
  private void refusal(Vertx vertx, VertxTestContext ctx, JsonObject serverKeys, NetClientOptions client,
                       String reason) {
    Buffer frame = tagged("let me in", 0xBAD, 1);
    deploy(vertx, serverKeys).compose(server -> attempt(vertx, client, server.actualPort(), frame)
            .compose(attempt -> log.awaitContaining(REFUSED).map(line -> {
              ctx.verify(() -> {
                assertThat(attempt.received.length()).as("bytes the refused client received").isZero();
                assertThat(server.stats().snapshot().refused()).isEqualTo(1);
                assertThat(server.stats().open()).isZero();
              });
              return line;
            })))
        .onComplete(ctx.succeeding(line -> ctx.verify(() -> {
          assertThat(line.getLevel()).isEqualTo(Level.WARN);
          assertThat(line.getFormattedMessage()).matches(
              "Refused TLS handshake from 127\\.0\\.0\\.1:\\d+: " + Pattern.quote(reason));
          assertThat(line.getThrowableProxy()).isNull();
          assertThat(log.countContaining(REFUSED)).isEqualTo(1);
          assertThat(log.messages()).noneMatch(message -> message.startsWith("Recv Msg"))
              .noneMatch(message -> message.contains("connected"));
          ctx.completeNow();
        })));
  }
}
