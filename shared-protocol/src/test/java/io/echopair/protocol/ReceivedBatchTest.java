package io.echopair.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReceivedBatchTest {

  private static final Instant READ_AT = Instant.parse("2026-11-30T23:12:28.123456789Z");

  /** The frames the decoder makes of {@code bytes}, each added to {@code builder} as it comes (the view is reused). */
  private static void addFrames(ReceivedBatchBuilder builder, Buffer bytes, boolean repeat) {
    new FrameDecoder(FrameFormat.DEFAULT, frame -> builder.add(frame, repeat)).handle(bytes);
  }

  private static Buffer tagged(String text, long senderId, long sequence) {
    return new FrameEncoder(FrameFormat.DEFAULT).encode(FrameFormat.DEFAULT.encodeText(text), senderId, sequence, 0);
  }

  private static Buffer untagged(String text) {
    byte[] frame = new byte[FrameFormat.DEFAULT_FRAME_SIZE];
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, frame, 0, bytes.length);
    return Buffer.buffer(frame);
  }

  /** Through the codec's wire form and back, as a node of the cluster receives it. */
  private static ReceivedBatch overTheWire(ReceivedBatch batch) {
    ReceivedBatchCodec codec = new ReceivedBatchCodec();
    Buffer wire = Buffer.buffer("envelope");
    codec.encodeToWire(wire, batch);
    return codec.decodeFromWire("envelope".length(), wire);
  }

  @Test
  @DisplayName("A batch crosses the wire with every field of every frame: non-ASCII and escaped text, untagged frames, the repeat flag")
  void roundTrips() {
    ReceivedBatchBuilder builder = new ReceivedBatchBuilder();
    builder.start("3fa2b7c1", "127.0.0.1:53422", READ_AT);
    addFrames(builder, tagged("Grüße aus Köln — 東京 🚀", 0x00c0ffee00c0ffeeL, 17), false);
    addFrames(builder, untagged("From the seed"), false);
    addFrames(builder, tagged("late\noriginal\u202E", -1L, Long.MAX_VALUE), true);
    ReceivedBatch batch = overTheWire(builder.build(42));

    assertThat(batch.serverId()).isEqualTo("3fa2b7c1");
    assertThat(batch.peer()).isEqualTo("127.0.0.1:53422");
    assertThat(batch.time()).isEqualTo(READ_AT);
    assertThat(batch.droppedBefore()).isEqualTo(42);
    assertThat(batch.size()).isEqualTo(3);
    assertThat(batch.messages()).containsExactly(
        new ReceivedMessage("Grüße aus Köln — 東京 🚀", 17L, "00c0ffee00c0ffee", "127.0.0.1:53422", "3fa2b7c1",
            READ_AT, false),
        new ReceivedMessage("From the seed", null, null, "127.0.0.1:53422", "3fa2b7c1", READ_AT, false),
        new ReceivedMessage("late\\noriginal\\u202E", Long.MAX_VALUE, "ffffffffffffffff", "127.0.0.1:53422",
            "3fa2b7c1", READ_AT, true));
  }

  @Test
  @DisplayName("The text a batch gives is exactly what the frame's printableText gives, for every frame of a read")
  void textAsTheServerWouldLogIt() {
    Buffer read = Buffer.buffer();
    read.appendBuffer(tagged("tab\there", 1, 1)).appendBuffer(untagged("naïve café"))
        .appendBuffer(tagged("\\ backslash", 1, 2));
    List<String> printable = new ArrayList<>();
    new FrameDecoder(FrameFormat.DEFAULT, frame -> printable.add(frame.printableText())).handle(read.copy());
    ReceivedBatchBuilder builder = new ReceivedBatchBuilder();
    builder.start("s", "p", READ_AT);
    addFrames(builder, read, false);

    ReceivedBatch.Cursor cursor = overTheWire(builder.build(0)).cursor();
    List<String> texts = new ArrayList<>();
    while (cursor.next()) {
      texts.add(cursor.text());
    }
    assertThat(texts).containsExactlyElementsOf(printable).hasSize(3);
  }

  @Test
  @DisplayName("A builder starts afresh for each read: the second batch holds only its own frames")
  void reusedForTheNextRead() {
    ReceivedBatchBuilder builder = new ReceivedBatchBuilder();
    builder.start("s", "127.0.0.1:1", READ_AT);
    for (int i = 0; i < 500; i++) {
      addFrames(builder, tagged("frame " + i, 9, i + 1), false);
    }
    assertThat(builder.build(0).size()).isEqualTo(500);
    assertThat(builder.isOpen()).isFalse();

    builder.start("s", "127.0.0.1:2", READ_AT);
    addFrames(builder, untagged("alone"), false);
    ReceivedBatch second = builder.build(0);
    assertThat(second.messages()).extracting(ReceivedMessage::text, ReceivedMessage::peer)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("alone", "127.0.0.1:2"));
  }

  @Test
  @DisplayName("A message of either form gives its frames: a batch all of them, JSON its one")
  void messagesInEitherForm() {
    ReceivedMessage one = new ReceivedMessage("already \\u202E escaped \\n", 3L, "0000000000000007", "127.0.0.1:5",
        "abcd0123", READ_AT, true);
    assertThat(ReceivedBatch.messagesIn(one.toJson())).containsExactly(one);
    assertThat(ReceivedBatch.messagesIn(ReceivedBatch.of(one))).containsExactly(one);
    assertThatThrownBy(() -> ReceivedBatch.messagesIn("hello")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReceivedBatch.messagesIn(new JsonObject().put("text", "no peer")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("Bytes that are not a batch are refused with a reason, never read past their end")
  void refusesWhatIsNotABatch() {
    ReceivedBatchBuilder builder = new ReceivedBatchBuilder();
    builder.start("s", "p", READ_AT);
    addFrames(builder, untagged("x"), false);
    byte[] good = overTheWire(builder.build(0)).bytes();

    byte[] otherVersion = good.clone();
    otherVersion[0] = 9;
    assertThatThrownBy(() -> ReceivedBatch.of(otherVersion)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format 1");
    assertThatThrownBy(() -> ReceivedBatch.of(java.util.Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a received batch");
    assertThatThrownBy(() -> ReceivedBatch.of(java.util.Arrays.copyOf(good, good.length + 3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 bytes after the last frame");
    assertThatThrownBy(() -> ReceivedBatch.of(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
