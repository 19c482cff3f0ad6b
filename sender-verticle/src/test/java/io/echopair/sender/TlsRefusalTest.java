package io.echopair.sender;

import static io.echopair.sender.SenderTesting.deploy;
import static io.echopair.sender.SenderTesting.senderLog;
import static io.echopair.sender.TlsTesting.mutualTlsServer;
import static io.echopair.sender.TlsTesting.tlsConf;
import static io.echopair.sender.TlsTesting.tlsServer;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.tls.TlsEngine;
import io.echopair.sender.TestEchoServer.Mode;
import io.echopair.sender.TestEchoServer.Received;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Servers the sender must not deliver to, with each engine: the sender says why in words, keeps retrying with
 * backoff, and the server gets no frame.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TlsRefusalTest {

  /** What is wrong with the server, and how the sender's line says it. */
  enum Refusal {
    UNKNOWN_CA("certificate not signed by a trusted CA (unknown CA)"),
    WRONG_HOST("wrong host name: the certificate is not for 127.0.0.1"),
    EXPIRED("certificate expired"),
    CLIENT_CERTIFICATE_REQUIRED("the peer requires a client certificate and we have none"),
    PLAIN_TCP("not TLS: the peer does not answer with TLS (a plain TCP port?)");

    final String words;

    Refusal(String words) {
      this.words = words;
    }
  }

  @RegisterExtension
  final LogCapture log = senderLog();

  @TempDir
  Path dir;

  static Stream<Arguments> refusals() {
    return TlsTesting.engines().flatMap(engine -> Stream.of(Refusal.values()).map(refusal -> Arguments.of(engine, refusal)));
  }

  @ParameterizedTest(name = "{1} with {0}: the sender says why, keeps retrying, delivers nothing")
  @MethodSource("refusals")
  void refused(TlsEngine engine, Refusal refusal, Vertx vertx, VertxTestContext ctx) throws Exception {
    Authority ca = TestCertificates.authority(dir, "test CA");
    TestEchoServer.start(vertx, Mode.ECHO, server(refusal, ca, engine))
        .compose(echo -> deploy(vertx, tlsConf(echo.port(), ca, engine).put("count", 3))
            .compose(sender -> log.awaitLine(line -> line.matches("WARN Reconnecting stream 1 in \\d+ ms \\(attempt 3\\): "
                    + "TLS handshake with 127\\.0\\.0\\.1:" + echo.port() + " failed: " + Pattern.quote(refusal.words)))
                .compose(thirdAttempt -> sender.stats())
                .map(stats -> {
                  ctx.verify(() -> {
                    assertThat(stats.completed()).isZero();
                    if (refusal == Refusal.PLAIN_TCP) {
                      // It received the sender's TLS hello, cut into frames: none of them is a frame of the sender
                      assertThat(echo.received()).extracting(Received::text).doesNotContain("This Msg From Client");
                    } else {
                      assertThat(echo.received()).isEmpty();
                      assertThat(echo.connections()).as("handshakes that succeeded on the server").isZero();
                    }
                    assertThat(log.linesContaining("Reconnecting stream 1")).hasSizeGreaterThanOrEqualTo(3)
                        .allMatch(line -> line.endsWith(" failed: " + refusal.words));
                    assertThat(log.anyThrowable()).isFalse();
                  });
                  return stats;
                })))
        .onComplete(ctx.succeedingThenComplete());
  }

  private NetServerOptions server(Refusal refusal, Authority ca, TlsEngine engine) throws IOException {
    return switch (refusal) {
      case UNKNOWN_CA -> tlsServer(TestCertificates.authority(dir, "stranger CA").issue("stranger")
          .hosts("127.0.0.1").write(), engine);
      case WRONG_HOST -> tlsServer(ca.issue("elsewhere").hosts("other.example").write(), engine);
      case EXPIRED -> tlsServer(ca.issue("old server").hosts("127.0.0.1")
          .notAfter(Instant.now().minusSeconds(86_400)).write(), engine);
      case CLIENT_CERTIFICATE_REQUIRED -> mutualTlsServer(ca.issue("server").hosts("127.0.0.1").write(), engine, ca);
      case PLAIN_TCP -> new NetServerOptions();
    };
  }
}
