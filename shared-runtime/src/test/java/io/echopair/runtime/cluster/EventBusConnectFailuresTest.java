package io.echopair.runtime.cluster;

import io.echopair.runtime.testing.LogCapture;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

class EventBusConnectFailuresTest {

  @RegisterExtension
  final LogCapture ours = LogCapture.of(EventBusConnectFailures.class);
  @RegisterExtension
  final LogCapture vertx = LogCapture.of(EventBusConnectFailures.VERTX_LOGGER);

  @BeforeAll
  static void install() {
    EventBusConnectFailures.install();
    EventBusConnectFailures.install();
  }

  @Test
  @DisplayName("Vert.x's stack trace for a node it cannot reach becomes one line in words, once a minute per node")
  void oneLineInWords() {
    org.slf4j.Logger clusteredEventBus = LoggerFactory.getLogger(EventBusConnectFailures.VERTX_LOGGER);
    for (int i = 0; i < 5; i++) {
      clusteredEventBus.warn("Connecting to server 1a2b-node failed",
          new SSLHandshakeException("PKIX path building failed: unable to find valid certification path"));
    }
    clusteredEventBus.warn("Connecting to server 3c4d-node failed", new SslHandshakeTimeoutException("timed out"));
    clusteredEventBus.warn("Something else");

    assertThat(vertx.lines()).containsExactly("WARN Something else");
    assertThat(ours.lines()).containsExactly(
        "WARN Event bus: cannot reach node 1a2b-node: certificate not signed by a trusted CA (unknown CA); messages "
            + "for it are not delivered",
        "WARN Event bus: cannot reach node 3c4d-node: handshake timed out; messages for it are not delivered");
    assertThat(ours.anyThrowable()).isFalse();
  }

  @Test
  @DisplayName("after a minute, the next failure is logged with the count of those held back")
  void countsHeldBack() {
    EventBusConnectFailures filter = new EventBusConnectFailures();
    SSLHandshakeException failure = new SSLHandshakeException("PKIX path building failed");
    long start = 1_000_000_000L;
    filter.report("node", failure, start);
    filter.report("node", failure, start + 1);
    filter.report("node", failure, start + 2);
    filter.report("node", failure, start + TimeUnit.SECONDS.toNanos(61));
    assertThat(ours.messages()).hasSize(2);
    assertThat(ours.messages().get(1)).endsWith("(2 more failures in the last minute)");
  }
}
