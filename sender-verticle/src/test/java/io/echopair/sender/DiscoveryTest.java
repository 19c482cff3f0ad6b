package io.echopair.sender;

import static io.echopair.sender.SenderTesting.deploy;
import static io.echopair.sender.SenderTesting.fastConf;
import static io.echopair.sender.SenderTesting.range;
import static io.echopair.sender.SenderTesting.senderLog;
import static io.echopair.sender.SenderTesting.sequences;
import static io.echopair.sender.TlsTesting.tlsServer;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.ServerOffer;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.echopair.runtime.tls.TlsEngine;
import io.echopair.sender.TestEchoServer.Mode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender with {@code discovery} on the local event bus, with stand-ins for the echo servers' responders
 * (ClusterFailoverTest in pair-app runs the real ones, clustered).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DiscoveryTest {

  @RegisterExtension
  final LogCapture log = senderLog();

  @Test
  @DisplayName("Until a server answers, the sender says so and retries with backoff; then it connects to the server found and ignores host and port")
  void retriesUntilAServerAnswers(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO).compose(server ->
        deploy(vertx, discoveryConf().put("count", 5))
            .compose(sender -> log.await(line -> line.startsWith("No echo server found in the cluster yet; retrying in "), 2)
                .compose(retrying -> answerWith(vertx, offer("aaaa0001", server.port(), 0)))
                .compose(answering -> sender.completion())
                .map(status -> {
                  ctx.verify(() -> {
                    assertThat(status).isEqualTo(ExitStatus.OK);
                    assertThat(sequences(server.received())).isEqualTo(range(1, 5));
                    assertThat(log.lines()).contains("INFO Found echo server 127.0.0.1:" + server.port()
                        + " (server aaaa0001) for stream 1");
                    assertThat(log.lines()).anyMatch(line -> line.startsWith(
                        "INFO Sender connecting to an echo server found on the event bus of this JVM"));
                  });
                  return status;
                })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Of the servers that answer, the sender takes the one with the fewest clients")
  void takesTheLeastBusy(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO).compose(busy -> TestEchoServer.start(vertx, Mode.ECHO).compose(idle ->
        answerWith(vertx, offer("bbbb0001", busy.port(), 7))
            .compose(one -> answerWith(vertx, offer("bbbb0002", idle.port(), 0)))
            .compose(two -> deploy(vertx, discoveryConf().put("count", 3)))
            .compose(SenderVerticle::completion)
            .map(status -> {
              ctx.verify(() -> {
                assertThat(status).isEqualTo(ExitStatus.OK);
                assertThat(sequences(idle.received())).isEqualTo(range(1, 3));
                assertThat(busy.received()).isEmpty();
              });
              return status;
            })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("When its server goes away, the sender asks again, connects to the other server and resends what was not echoed")
  void looksAgainWhenTheServerGoesAway(Vertx vertx, VertxTestContext ctx) {
    TestEchoServer.start(vertx, Mode.ECHO).compose(first -> TestEchoServer.start(vertx, Mode.ECHO).compose(second ->
        answerWith(vertx, offer("cccc0001", first.port(), 0))
            .compose(answering -> deploy(vertx, discoveryConf().put("count", 30))
                .compose(sender -> first.whenReceived(5)
                    // The first server stops answering and goes away; the second one answers
                    .compose(five -> answering.unregister())
                    .compose(unregistered -> answerWith(vertx, offer("cccc0002", second.port(), 0)))
                    .compose(other -> first.close())
                    .compose(closed -> sender.completion())))
            .map(status -> {
              ctx.verify(() -> {
                assertThat(status).isEqualTo(ExitStatus.OK);
                assertThat(second.received()).isNotEmpty();
                assertThat(java.util.stream.Stream.concat(sequences(first.received()).stream(),
                    sequences(second.received()).stream()).distinct().sorted().toList()).isEqualTo(range(1, 30));
                assertThat(log.lines()).anyMatch(line -> line.startsWith("WARN Lost connection on stream 1 to 127.0.0.1:" + first.port()));
                assertThat(log.lines()).anyMatch(line -> line.startsWith("INFO Connected to 127.0.0.1:" + second.port()));
              });
              return status;
            })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("A sender still looking for a server stops at once when undeployed, not after drainTimeoutMs")
  void stopsWhileLooking(Vertx vertx, VertxTestContext ctx) {
    // Ten minutes of drain: a sender that waited for it would outlast the class's timeout by far
    deploy(vertx, discoveryConf().put("drainTimeoutMs", 600_000))
        .compose(sender -> log.awaitContaining("No echo server found in the cluster yet")
            .compose(looking -> vertx.undeploy(sender.deploymentID()))
            .compose(undeployed -> sender.completion()))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status).as("frames were produced and none got through").isEqualTo(ExitStatus.UNACKNOWLEDGED);
          assertThat(log.linesContaining("Sender finished")).hasSize(1);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A discovered server whose certificate is not from the sender's CA gets no frame; the sender retries until a server it can verify answers")
  void discoveredServersAreVerified(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    Authority ca = TestCertificates.authority(dir, "test CA");
    Issued impostorCertificate = TestCertificates.authority(dir, "stranger CA").issue("impostor").hosts("127.0.0.1").write();
    Issued serverCertificate = ca.issue("server").hosts("127.0.0.1").write();
    JsonObject conf = discoveryConf().put("count", 5)
        .put("tlsCaPath", ca.certificate().toString()).put("tlsEngine", "jdk");
    TestEchoServer.start(vertx, Mode.ECHO, tlsServer(impostorCertificate, TlsEngine.JDK)).compose(impostor ->
        TestEchoServer.start(vertx, Mode.ECHO, tlsServer(serverCertificate, TlsEngine.JDK)).compose(server ->
            answerWith(vertx, offer("dddd0001", impostor.port(), 0))
                .compose(answering -> deploy(vertx, conf)
                    .compose(sender -> log.awaitLine(line -> line.matches(
                            "WARN Reconnecting stream 1 in \\d+ ms \\(attempt 3\\): TLS handshake with 127\\.0\\.0\\.1:"
                                + impostor.port() + " failed: certificate not signed by a trusted CA \\(unknown CA\\)"))
                        .compose(refused -> answering.unregister())
                        .compose(gone -> answerWith(vertx, offer("dddd0002", server.port(), 0)))
                        .compose(verified -> sender.completion())))
                .map(status -> {
                  ctx.verify(() -> {
                    assertThat(status).isEqualTo(ExitStatus.OK);
                    assertThat(impostor.received()).isEmpty();
                    assertThat(impostor.connections()).isZero();
                    assertThat(sequences(server.received())).isEqualTo(range(1, 5));
                  });
                  return status;
                })))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static JsonObject discoveryConf() {
    // A port where nothing listens: with discovery it must not be used
    return fastConf(1).put("discovery", true);
  }

  private static ServerOffer offer(String serverId, int port, long clients) {
    return new ServerOffer(serverId, "127.0.0.1", port, clients, null);
  }

  /** A stand-in for a server's discovery responder. */
  private static Future<MessageConsumer<JsonObject>> answerWith(Vertx vertx, ServerOffer offer) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(ServerOffer.ADDRESS,
        request -> request.reply(offer.toJson()));
    return consumer.completion().map(consumer);
  }
}
