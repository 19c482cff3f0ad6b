package io.echopair.sender;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Collectors;

/** What the sender's tests share: the sender's log lines, a fast configuration and a way to deploy a sender with it. */
final class SenderTesting {

  private SenderTesting() {
  }

  /** What the sender package logs, for a test class's {@code @RegisterExtension} field: closed after each test. */
  static LogCapture senderLog() {
    return LogCapture.of("io.echopair.sender");
  }

  /** Short intervals and delays so that each test takes well under a second of sending. */
  static JsonObject fastConf(int port) {
    return new JsonObject()
        .put("port", port)
        .put("intervalMs", 20)
        .put("statsIntervalMs", 0)
        .put("reconnectInitialDelayMs", 20)
        .put("reconnectMaxDelayMs", 100)
        .put("drainTimeoutMs", 5000);
  }

  /** Deploys a sender configured by {@code json} alone (no environment overrides). */
  static Future<SenderVerticle> deploy(Vertx vertx, JsonObject json) {
    SenderVerticle sender = new SenderVerticle(ConfigSource.inline(json), Overrides.none());
    return vertx.deployVerticle(sender).map(id -> sender);
  }

  /** The sequence numbers received, in arrival order. */
  static List<Long> sequences(List<TestEchoServer.Received> frames) {
    return frames.stream().map(TestEchoServer.Received::sequence).toList();
  }

  static List<Long> range(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
  }

  /** The frames received, grouped by sender id. */
  static java.util.Map<Long, List<Long>> sequencesBySender(List<TestEchoServer.Received> frames) {
    return frames.stream().collect(Collectors.groupingBy(TestEchoServer.Received::senderId,
        Collectors.mapping(TestEchoServer.Received::sequence, Collectors.toList())));
  }
}
