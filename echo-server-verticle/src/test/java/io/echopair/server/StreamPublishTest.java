package io.echopair.server;

import static io.echopair.server.ServerTestSupport.resent;
import static io.echopair.server.ServerTestSupport.seedFrame;
import static io.echopair.server.ServerTestSupport.taggedFrames;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.ReceivedBatch;
import io.echopair.protocol.ReceivedMessage;
import io.echopair.runtime.config.Overrides;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What one connection publishes, read by read: {@link FrameIntake} feeding a {@link MessagePublisher}. */
class StreamPublishTest {

  private static final String PEER = "127.0.0.1:53422";

  private final ServerStats stats = new ServerStats();
  private final List<ReceivedBatch> published = new ArrayList<>();
  // The writes to the event bus not completed yet, oldest first
  private final List<Promise<Void>> writes = new ArrayList<>();

  private FrameIntake intake(long backlogBytes, boolean writesComplete) {
    ServerConfig config = ServerConfig.from(ServerConfig.SCHEMA.parse(new JsonObject().put("logEvery", 0),
        Overrides.none()));
    FrameIntake intake = new FrameIntake(config, new SenderView(new DeliveryLedger(1024, 100), "127.0.0.1"), stats,
        PEER, echo -> { });
    intake.publishTo(new MessagePublisher(batch -> {
      published.add(batch);
      if (writesComplete) {
        return Future.succeededFuture();
      }
      Promise<Void> written = Promise.promise();
      writes.add(written);
      return written.future();
    }, "3fa2b7c1", backlogBytes, stats));
    return intake;
  }

  @Test
  @DisplayName("The new frames of one read go out as one batch; a frame cut between two reads goes with the read that completes it")
  void oneBatchPerRead() {
    FrameIntake intake = intake(1 << 20, true);
    Buffer three = taggedFrames("hello", 0xc0ffeeL, 3);
    Buffer more = taggedFrames("more", 0xbeefL, 2);

    intake.read(three);
    intake.read(more.getBuffer(0, 150));
    intake.read(more.getBuffer(150, 200).appendBuffer(seedFrame("From the seed")));
    // Only a resent frame, already logged: nothing new to publish
    intake.read(resent("hello 3", 0xc0ffeeL, 3));

    assertThat(published).extracting(ReceivedBatch::size).containsExactly(3, 1, 2);
    assertThat(published).allSatisfy(batch -> {
      assertThat(batch.peer()).isEqualTo(PEER);
      assertThat(batch.serverId()).isEqualTo("3fa2b7c1");
      assertThat(batch.droppedBefore()).isZero();
    });
    assertThat(published.stream().flatMap(batch -> batch.messages().stream()).map(ReceivedMessage::text))
        .containsExactly("hello 1", "hello 2", "hello 3", "more 1", "more 2", "From the seed");
    assertThat(published.get(2).messages().get(1).sequence()).as("untagged").isNull();
    assertThat(stats.framesPublished()).isEqualTo(6);
    assertThat(stats.framesNotPublished()).isZero();
  }

  @Test
  @DisplayName("While publishBacklogBytes wait to be written, a read's frames are dropped, counted, and told by the next batch: published + dropped = every new frame")
  void boundedBacklog() {
    FrameIntake intake = intake(1, false);

    intake.read(taggedFrames("first", 1, 4));
    // The first batch is not written yet: the next reads find the backlog full
    intake.read(taggedFrames("second", 2, 3));
    intake.read(taggedFrames("third", 3, 5));
    assertThat(published).hasSize(1);
    assertThat(stats.framesNotPublished()).isEqualTo(8);
    assertThat(stats.describeStream()).isEqualTo("; stream 4 frames published, 8 dropped (consumers behind)");

    writes.get(0).complete();
    intake.read(taggedFrames("fourth", 4, 2));

    assertThat(published).extracting(ReceivedBatch::size).containsExactly(4, 2);
    assertThat(published.get(1).droppedBefore()).as("dropped since the previous batch").isEqualTo(8);
    long told = published.stream().mapToLong(batch -> batch.size() + batch.droppedBefore()).sum();
    assertThat(told).as("frames published or told dropped").isEqualTo(4 + 3 + 5 + 2);
    assertThat(stats.framesPublished() + stats.framesNotPublished()).isEqualTo(14);
  }

  @Test
  @DisplayName("A write that fails frees its room too: the stream goes on")
  void failedWriteFreesRoom() {
    FrameIntake intake = intake(1, false);
    intake.read(taggedFrames("a", 1, 2));
    writes.get(0).fail("no handlers");
    intake.read(taggedFrames("b", 2, 2));
    assertThat(published).hasSize(2);
    assertThat(stats.framesNotPublished()).isZero();
  }
}
