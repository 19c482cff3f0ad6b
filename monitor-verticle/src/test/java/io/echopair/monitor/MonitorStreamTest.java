package io.echopair.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.FrameDecoder;
import io.echopair.protocol.FrameEncoder;
import io.echopair.protocol.FrameFormat;
import io.echopair.protocol.ReceivedBatch;
import io.echopair.protocol.ReceivedBatchBuilder;
import io.echopair.protocol.ReceivedMessage;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The monitor reading the stream in batches, one per server read: its lines, its counts, its bound. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class MonitorStreamTest {

  @RegisterExtension
  final LogCapture log = LogCapture.of("io.echopair");

  private static Future<String> deploy(Vertx vertx, JsonObject conf) {
    return vertx.deployVerticle(new MonitorVerticle(ConfigSource.inline(conf), Overrides.none(), 50));
  }

  /** {@code texts} as one read of server {@code serverId}: frames of sender 0xc0ffee00 from seq {@code firstSeq}. */
  private static ReceivedBatch batch(String serverId, long droppedBefore, long firstSeq, String... texts) {
    FrameEncoder encoder = new FrameEncoder(FrameFormat.DEFAULT);
    Buffer read = Buffer.buffer();
    for (int i = 0; i < texts.length; i++) {
      encoder.appendFrame(read, FrameFormat.DEFAULT.encodeText(texts[i]), 0xc0ffee00L, firstSeq + i, 0, 0);
    }
    ReceivedBatchBuilder builder = new ReceivedBatchBuilder();
    builder.start(serverId, "127.0.0.1:53422", Instant.now());
    new FrameDecoder(FrameFormat.DEFAULT, frame -> builder.add(frame, false)).handle(read);
    return builder.build(droppedBefore);
  }

  @Test
  @DisplayName("A batch gives one line per frame, the very lines the JSON form gives, and counts its frames as messages")
  void sameLinesAsJson(Vertx vertx, VertxTestContext ctx) {
    ReceivedMessage seed = new ReceivedMessage("Grüße \\n from the seed", null, null, "127.0.0.1:53422", "0badcafe",
        Instant.now());
    deploy(vertx, new JsonObject().put("statsIntervalMs", 200))
        .compose(monitor -> {
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS,
              batch("3fa2b7c1", 0, 17, "This Msg From Client", "Another one"));
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, ReceivedBatch.of(seed));
          vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS, seed.toJson());
          return log.awaitContaining("Stats: 4 messages in the last");
        })
        .onComplete(ctx.succeeding(count -> ctx.verify(() -> {
          assertThat(log.linesContaining("[server")).containsExactly(
              "INFO [server 3fa2b7c1] 127.0.0.1:53422 seq=17: This Msg From Client",
              "INFO [server 3fa2b7c1] 127.0.0.1:53422 seq=18: Another one",
              "INFO [server 0badcafe] 127.0.0.1:53422: Grüße \\n from the seed",
              "INFO [server 0badcafe] 127.0.0.1:53422: Grüße \\n from the seed");
          assertThat(count.getFormattedMessage()).endsWith("from 2 servers; 4 in total");
          assertThat(LogCapture.fields(count)).containsEntry("total", 4L).containsEntry("droppedByServers", 0L)
              .containsEntry("droppedByMonitor", 0L);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A monitor that cannot keep up keeps backlogFrames, drops and counts the rest, and adds the servers' drops: published = logged + dropped")
  void boundedAndCounted(VertxTestContext ctx) throws InterruptedException {
    // One event loop: blocking it holds the monitor while the messages arrive
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    deploy(vertx, new JsonObject().put("statsIntervalMs", 100).put("backlogFrames", 10))
        .onComplete(ctx.succeeding(deployed -> vertx.runOnContext(v -> {
          blocked.countDown();
          try {
            release.await();
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
          }
        })));
    assertThat(blocked.await(20, TimeUnit.SECONDS)).isTrue();
    // 10 reads of 4 frames; the first says its server dropped 5 frames before it
    for (int read = 0; read < 10; read++) {
      vertx.eventBus().publish(ReceivedMessage.DEFAULT_ADDRESS,
          batch("3fa2b7c1", read == 0 ? 5 : 0, read * 4 + 1L, "a", "b", "c", "d"));
    }
    release.countDown();

    log.awaitContaining("; 8 in total, 37 dropped").onComplete(ctx.succeeding(count -> ctx.verify(() -> {
      // Taken: the first two reads (8 frames <= 10); each later one would go past 10 while those wait
      assertThat(log.countContaining("[server 3fa2b7c1]")).isEqualTo(8);
      assertThat(log.linesContaining("[server")).last().asString().endsWith("seq=8: d");
      assertThat(count.getFormattedMessage())
          .endsWith("; 8 in total, 37 dropped (5 by the servers, 32 by this monitor: it was behind)");
      assertThat(LogCapture.fields(count)).containsEntry("droppedByServers", 5L)
          .containsEntry("droppedByMonitor", 32L);
      // Nothing silently lost: the server published 45 frames or said it dropped them
      long published = 40 + 5;
      assertThat(8 + 5 + 32).isEqualTo(published);
      vertx.close().onComplete(ctx.succeedingThenComplete());
    })));
  }
}
