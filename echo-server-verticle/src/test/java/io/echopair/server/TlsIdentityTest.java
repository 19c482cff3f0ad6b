package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.FrameFormat;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Under mutual TLS a client is its certificate's subject: in the connect line, and for its senders' frames. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TlsIdentityTest extends TlsTestSupport {

  private static final long SENDER = 0x5eed_1d;

  @Test
  @DisplayName("Two identities with the same sender id and sequence numbers, from one address, are both logged; "
      + "a frame one of them resends is a duplicate")
  void identitiesScopeTheSenders(Vertx vertx, VertxTestContext ctx) throws Exception {
    Issued first = authority.issue("sender-1").write();
    Issued second = authority.issue("sender-2").write();
    NetClientOptions asFirst = tlsClient(first);
    NetClientOptions asSecond = tlsClient(second);
    deploy(vertx, mutualTls(serverCertificate, authority, "auto")).compose(server -> {
      int port = server.actualPort();
      return exchange(vertx, asFirst, port, frames(SENDER, 1, 5, 0))
          .compose(done -> exchange(vertx, asSecond, port, frames(SENDER, 1, 5, 0)))
          .compose(done -> exchange(vertx, asFirst, port, frames(SENDER, 5, 5, FrameFormat.FLAG_RESENT)))
          .compose(done -> log.await(line -> line.contains("disconnected"), 3))
          .map(server);
    }).onComplete(ctx.succeeding(server -> ctx.verify(() -> {
      assertThat(loggedSequences(LOOPBACK)).containsExactly(1L, 2L, 3L, 4L, 5L, 1L, 2L, 3L, 4L, 5L);
      assertThat(server.ledger().duplicates()).as("the first identity's resend").isEqualTo(1);
      assertThat(log.linesContaining("without the resent flag")).isEmpty();
      assertThat(log.linesContaining(" connected ")).hasSize(3)
          .satisfies(lines -> assertThat(lines.get(0))
              .matches(".*Client 127\\.0\\.0\\.1:\\d+ connected as CN=sender-1,O=echopair tests \\(1 open\\)"))
          .satisfies(lines -> assertThat(lines.get(1)).contains(" connected as CN=sender-2,O=echopair tests (1 open)"));
      assertThat(log.linesContaining("Echo server listening on")).singleElement().asString()
          .endsWith(", client certificates required)");
      ctx.completeNow();
    })));
  }
}
