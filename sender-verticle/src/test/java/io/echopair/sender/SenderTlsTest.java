package io.echopair.sender;

import static io.echopair.sender.SenderTesting.deploy;
import static io.echopair.sender.SenderTesting.range;
import static io.echopair.sender.SenderTesting.senderLog;
import static io.echopair.sender.SenderTesting.sequences;
import static io.echopair.sender.TlsTesting.mutualTlsServer;
import static io.echopair.sender.TlsTesting.serverCertificate;
import static io.echopair.sender.TlsTesting.tlsConf;
import static io.echopair.sender.TlsTesting.tlsServer;
import static io.echopair.sender.TlsTesting.withClientCertificate;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.echopair.runtime.tls.CertificateWatch;
import io.echopair.runtime.tls.TlsEngine;
import io.echopair.sender.TestEchoServer.Mode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sender over TLS and mutual TLS, against a TLS stand-in for the echo server. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class SenderTlsTest {

  @RegisterExtension
  final LogCapture log = senderLog();
  @RegisterExtension
  final LogCapture watchLog = LogCapture.of(CertificateWatch.class);

  @TempDir
  Path dir;
  Authority ca;
  Issued server;

  @BeforeEach
  void certificates() throws Exception {
    ca = TestCertificates.authority(dir, "test CA");
    server = ca.issue("server").hosts("127.0.0.1", "localhost").write();
  }

  @Test
  @DisplayName("Over TLS every frame is echoed and acknowledged, and the lines name TLS, its version and the server's certificate")
  void tlsWithAcks(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO, tlsServer(server, TlsEngine.JDK))
        .compose(echo -> deploy(vertx, tlsConf(echo.port(), ca, TlsEngine.JDK).put("count", 5).put("connections", 2))
            .compose(sender -> sender.completion().compose(status -> sender.stats().map(stats -> {
              ctx.verify(() -> {
                assertThat(status).isEqualTo(ExitStatus.OK);
                assertThat(stats.completed()).isEqualTo(10);
                assertThat(SenderTesting.sequencesBySender(echo.received()).values())
                    .hasSize(2).allSatisfy(sequence -> assertThat(sequence).isEqualTo(range(1, 5)));
                assertThat(log.lines()).contains("INFO Sender connecting to 127.0.0.1:" + echo.port()
                    + " (2 connections, a frame every 20 ms, 5 frames per connection) over TLS (JDK; no client certificate)");
                assertThat(log.linesContaining("Connected to")).hasSize(2).allMatch(line -> line.matches(
                    "INFO Connected to 127\\.0\\.0\\.1:" + echo.port() + " over TLSv1\\.3, server "
                        + Pattern.quote(server.subject()) + " \\(stream [12], sender id [0-9a-f]{16}\\)"));
                assertThat(log.lines()).contains("INFO Sender finished: produced 10, acknowledged 10, "
                    + "dropped on queue overflow 0, unacknowledged at exit 0");
                assertThat(echo.clientSubjects()).containsExactly("none", "none");
              });
              return stats;
            }))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("With mutual TLS the server sees the sender's certificate subject, and the frames get through")
  void mutualTls(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued client = ca.issue("sender-1").write();
    deliversAll(vertx, ctx, mutualTlsServer(server, TlsEngine.JDK, ca),
        withClientCertificate(tlsConf(0, ca, TlsEngine.JDK), client), echo -> {
          assertThat(echo.clientSubjects()).containsExactly("CN=sender-1,O=echopair tests");
          assertThat(log.linesContaining("Sender connecting to")).singleElement().asString()
              .endsWith(" over TLS (JDK; client certificate CN=sender-1,O=echopair tests, expires "
                  + client.notAfter().truncatedTo(ChronoUnit.SECONDS) + ")");
        });
  }

  @Test
  @DisplayName("Connecting by host name, the name is what the server's certificate must be for")
  void verifiesTheHostName(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued onlyLocalhost = ca.issue("named").hosts("localhost").write();
    deliversAll(vertx, ctx, tlsServer(onlyLocalhost, TlsEngine.JDK),
        tlsConf(0, ca, TlsEngine.JDK).put("host", "localhost"), echo -> assertThat(log.lines()).anyMatch(line ->
            line.startsWith("INFO Connected to localhost:" + echo.port() + " over TLSv1.3, server CN=named,O=echopair tests")));
  }

  @Test
  @DisplayName("With tlsVerifyHost false, a certificate for another host is accepted, and the first line says the host is not verified")
  void hostVerificationOff(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued elsewhere = ca.issue("elsewhere").hosts("other.example").write();
    deliversAll(vertx, ctx, tlsServer(elsewhere, TlsEngine.JDK), tlsConf(0, ca, TlsEngine.JDK).put("tlsVerifyHost", false),
        echo -> assertThat(log.linesContaining("Sender connecting to")).singleElement().asString()
            .endsWith("over TLS (JDK; no client certificate; the server's host name is not verified)"));
  }

  @Test
  @DisplayName("A sender refused for a wrong host name keeps retrying, and delivers everything once the server has the right certificate")
  void retriesUntilTheServerIsFixed(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued elsewhere = ca.issue("elsewhere").hosts("other.example").write();
    TestEchoServer.start(vertx, Mode.ECHO, tlsServer(elsewhere, TlsEngine.JDK))
        .compose(echo -> deploy(vertx, tlsConf(echo.port(), ca, TlsEngine.JDK).put("count", 5))
            .compose(sender -> log.awaitLine(line -> line.matches("WARN Reconnecting stream 1 in \\d+ ms \\(attempt 3\\): "
                    + "TLS handshake with 127\\.0\\.0\\.1:" + echo.port()
                    + " failed: wrong host name: the certificate is not for 127\\.0\\.0\\.1"))
                .compose(refused -> {
                  ctx.verify(() -> {
                    assertThat(echo.received()).isEmpty();
                    assertThat(echo.connections()).isZero();
                  });
                  return echo.updateSSLOptions(serverCertificate(server));
                })
                .compose(fixed -> sender.completion())
                .map(status -> {
                  ctx.verify(() -> {
                    assertThat(status).isEqualTo(ExitStatus.OK);
                    assertThat(sequences(echo.received())).isEqualTo(range(1, 5));
                    assertThat(log.anyThrowable()).isFalse();
                  });
                  return status;
                })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("A renewed client certificate is used by the next connection, while the open one is kept")
  void rotatesTheClientCertificate(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued first = ca.issue("sender-1").fileName("sender").write();
    JsonObject conf = withClientCertificate(tlsConf(0, ca, TlsEngine.JDK), first).put("intervalMs", 10);
    TestEchoServer.start(vertx, Mode.ECHO, mutualTlsServer(server, TlsEngine.JDK, ca))
        .compose(echo -> deployScanning(vertx, conf.put("port", echo.port()))
            .compose(sender -> echo.whenReceived(3)
                .compose(going -> renew(vertx, "sender-2"))
                .compose(renewed -> watchLog.awaitContaining("TLS certificate of the sender renewed: CN=sender-2,O=echopair tests"))
                .compose(renewed -> sender.stats())
                .compose(afterRenewal -> {
                  ctx.verify(() -> {
                    assertThat(afterRenewal.reconnects()).as("the open connection is kept").isZero();
                    assertThat(echo.clientSubjects()).containsExactly("CN=sender-1,O=echopair tests");
                  });
                  return echo.closeConnections();
                })
                .compose(closed -> echo.whenReceived(frames -> frames.stream().anyMatch(frame -> frame.connection() == 2)))
                .map(frames -> {
                  ctx.verify(() -> assertThat(echo.clientSubjects())
                      .containsExactly("CN=sender-1,O=echopair tests", "CN=sender-2,O=echopair tests"));
                  return frames;
                })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("A TLS file that cannot be read fails the deployment with one line naming the key and the file")
  void missingFileFailsDeployment(Vertx vertx, VertxTestContext ctx) {
    Path missing = dir.resolve("missing-ca.pem");
    deploy(vertx, tlsConf(7777, ca, TlsEngine.JDK).put("tlsCaPath", missing.toString()))
        .onComplete(ctx.failing(error -> ctx.verify(() -> {
          assertThat(error).isInstanceOf(ConfigException.class)
              .hasMessage("sender.tlsCaPath = \"" + missing + "\": cannot be read (no such file)");
          ctx.completeNow();
        })));
  }

  /**
   * Starts a server with {@code options}, runs a sender configured by {@code conf} (its port set to the server's) to
   * a count of 3, checks that it ends with 0 and the server got frames 1 to 3 in order, then checks {@code andThen}
   * and completes the test.
   */
  private static void deliversAll(Vertx vertx, VertxTestContext ctx, NetServerOptions options, JsonObject conf,
                                  Consumer<TestEchoServer> andThen) {
    TestEchoServer.start(vertx, Mode.ECHO, options)
        .compose(echo -> deploy(vertx, conf.copy().put("port", echo.port()).put("count", 3))
            .compose(SenderVerticle::completion)
            .map(status -> {
              ctx.verify(() -> {
                assertThat(status).isEqualTo(ExitStatus.OK);
                assertThat(sequences(echo.received())).isEqualTo(range(1, 3));
                andThen.accept(echo);
              });
              return echo;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** The files of {@code sender}, rewritten with a new certificate for {@code commonName}, off the event loop. */
  private Future<Issued> renew(Vertx vertx, String commonName) {
    return vertx.executeBlocking(() -> ca.issue(commonName).fileName("sender").write());
  }

  /** A sender that looks at its certificate files every 20 ms. */
  private static Future<SenderVerticle> deployScanning(Vertx vertx, JsonObject json) {
    SenderVerticle sender = new SenderVerticle(ConfigSource.inline(json), Overrides.none(), 20);
    return vertx.deployVerticle(sender).map(id -> sender);
  }
}
