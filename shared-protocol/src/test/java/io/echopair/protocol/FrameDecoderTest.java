package io.echopair.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

  private static final long SENDER = 0x3FA2_0000_0000_0001L;

  private final FrameEncoder encoder = new FrameEncoder(FrameFormat.DEFAULT);
  private final List<Decoded> decoded = new ArrayList<>();
  private final FrameDecoder decoder = new FrameDecoder(FrameFormat.DEFAULT, frame -> decoded.add(Decoded.of(frame)));

  /** What a test keeps of a frame, since the decoder reuses its Frame. */
  record Decoded(boolean tagged, long senderId, long sequence, long sentAtMicros, boolean checksumValid, String text,
                 String printable, Buffer bytes) {
    static Decoded of(Frame frame) {
      return new Decoded(frame.isTagged(), frame.senderId(), frame.sequence(), frame.sentAtMicros(),
          frame.checksumValid(), frame.text(), frame.printableText(), frame.copy());
    }
  }

  @Test
  @DisplayName("a frame encoded and decoded keeps its text and trailer fields")
  void roundTrip() {
    Buffer frame = encoder.encode(text("This Msg From Client"), SENDER, 42, 1_700_000_000_123_456L);

    decoder.handle(frame);

    assertThat(frame.length()).isEqualTo(100);
    assertThat(decoded).singleElement().satisfies(d -> {
      assertThat(d.tagged()).isTrue();
      assertThat(d.senderId()).isEqualTo(SENDER);
      assertThat(d.sequence()).isEqualTo(42);
      assertThat(d.sentAtMicros()).isEqualTo(1_700_000_000_123_456L);
      assertThat(d.checksumValid()).isTrue();
      assertThat(d.text()).isEqualTo("This Msg From Client");
      assertThat(d.bytes()).isEqualTo(frame);
    });
  }

  @Test
  @DisplayName("the seed client's buffer (text then 80 NULs) is a valid untagged frame")
  void seedFrameAccepted() {
    byte[] seed = new byte[100];
    byte[] msg = "This Msg From Client".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(msg, 0, seed, 0, msg.length);

    decoder.handle(Buffer.buffer(seed));

    assertThat(decoded).singleElement().satisfies(d -> {
      assertThat(d.tagged()).isFalse();
      assertThat(d.sequence()).isZero();
      assertThat(d.senderId()).isZero();
      assertThat(d.checksumValid()).isTrue();
      assertThat(d.text()).isEqualTo("This Msg From Client");
    });
  }

  @Test
  @DisplayName("a seed reader that stops at the first NUL sees exactly our text")
  void seedServerReadsOurText() {
    byte[] frame = encoder.encode(text("This Msg From Client"), SENDER, 1, 0).getBytes();
    int firstNul = 0;
    while (frame[firstNul] != 0) {
      firstNul++;
    }
    assertThat(new String(frame, 0, firstNul, StandardCharsets.UTF_8)).isEqualTo("This Msg From Client");
  }

  @Test
  @DisplayName("an untagged frame whose text runs into the trailer area keeps its whole text")
  void untaggedLongText() {
    byte[] seed = "y".repeat(99).getBytes(StandardCharsets.US_ASCII);
    decoder.handle(Buffer.buffer(seed).appendByte((byte) 0));
    assertThat(decoded).singleElement().satisfies(d -> assertThat(d.text()).hasSize(99));
  }

  @Test
  @DisplayName("a stream of three frames split in two at every byte yields the three frames")
  void everySplitPoint() {
    Buffer stream = threeFrames();
    for (int split = 0; split <= stream.length(); split++) {
      decoded.clear();
      decoder.handle(stream.getBuffer(0, split));
      decoder.handle(stream.getBuffer(split, stream.length()));
      assertThat(decoded).as("split at %d", split).extracting(Decoded::sequence).containsExactly(1L, 2L, 3L);
      assertThat(decoded).allMatch(Decoded::checksumValid);
      assertThat(decoder.bufferedBytes()).isZero();
    }
  }

  @Test
  @DisplayName("a stream of three frames cut in three pieces at every pair of points yields the three frames")
  void everyPairOfSplitPoints() {
    Buffer stream = threeFrames();
    int n = stream.length();
    for (int a = 0; a <= n; a += 3) {
      for (int b = a; b <= n; b += 7) {
        decoded.clear();
        decoder.handle(stream.getBuffer(0, a));
        decoder.handle(stream.getBuffer(a, b));
        decoder.handle(stream.getBuffer(b, n));
        assertThat(decoded).as("cut at %d and %d", a, b).extracting(Decoded::sequence).containsExactly(1L, 2L, 3L);
      }
    }
  }

  @Test
  @DisplayName("frames delivered one byte at a time come out whole")
  void byteByByte() {
    Buffer stream = threeFrames();
    for (int i = 0; i < stream.length(); i++) {
      decoder.handle(stream.getBuffer(i, i + 1));
    }
    assertThat(decoded).extracting(Decoded::sequence).containsExactly(1L, 2L, 3L);
  }

  @Test
  @DisplayName("many frames coalesced in one read all come out, in order, byte for byte")
  void coalesced() {
    Buffer stream = Buffer.buffer();
    for (int seq = 1; seq <= 500; seq++) {
      encoder.appendFrame(stream, text("frame " + seq), SENDER, seq, seq, 0);
    }

    decoder.handle(stream);

    assertThat(decoded).hasSize(500);
    for (int i = 0; i < 500; i++) {
      assertThat(decoded.get(i).sequence()).isEqualTo(i + 1);
      assertThat(decoded.get(i).text()).isEqualTo("frame " + (i + 1));
      assertThat(decoded.get(i).bytes()).isEqualTo(stream.getBuffer(i * 100, i * 100 + 100));
    }
  }

  @Test
  @DisplayName("an incomplete frame waits in the decoder and is reported by bufferedBytes")
  void partialFrameBuffered() {
    decoder.handle(threeFrames().getBuffer(0, 117));
    assertThat(decoded).hasSize(1);
    assertThat(decoder.bufferedBytes()).isEqualTo(17);
  }

  @Test
  @DisplayName("a handler that throws for one frame gets the other frames of the read, then the failure is rethrown")
  void failingFrameDoesNotCostTheOthers() {
    IllegalStateException boom = new IllegalStateException("frame 2 is bad");
    FrameDecoder failing = failingOn(Set.of(2L), seq -> boom);
    Buffer stream = frames(1, 5);

    assertThatThrownBy(() -> failing.handle(stream.getBuffer(0, 350))).isSameAs(boom);
    assertThat(decoded).extracting(Decoded::sequence).containsExactly(1L, 3L);
    assertThat(failing.bufferedBytes()).isEqualTo(50);

    failing.handle(stream.getBuffer(350, 500));
    assertThat(decoded).extracting(Decoded::sequence).containsExactly(1L, 3L, 4L, 5L);
    assertThat(decoded).allMatch(Decoded::checksumValid);
  }

  @Test
  @DisplayName("a handler that throws for the frame a read completes still gets the whole frames after it")
  void failingCompletedFrame() {
    FrameDecoder failing = failingOn(Set.of(1L), seq -> new IllegalArgumentException("frame " + seq));
    Buffer stream = frames(1, 3);

    failing.handle(stream.getBuffer(0, 40));
    assertThatThrownBy(() -> failing.handle(stream.getBuffer(40, 300))).hasMessage("frame 1");
    assertThat(decoded).extracting(Decoded::sequence).containsExactly(2L, 3L);
    assertThat(failing.bufferedBytes()).isZero();
  }

  @Test
  @DisplayName("when several frames of a read fail, the first failure is rethrown once and every good frame comes out")
  void severalFailuresInOneRead() {
    FrameDecoder failing = failingOn(Set.of(2L, 3L, 5L), seq -> new IllegalStateException("frame " + seq));

    assertThatThrownBy(() -> failing.handle(frames(1, 6))).hasMessage("frame 2");
    assertThat(decoded).extracting(Decoded::sequence).containsExactly(1L, 4L, 6L);
  }

  @Test
  @DisplayName("an Error from the handler propagates at once")
  void errorPropagates() {
    FrameDecoder failing = failingOn(Set.of(1L), seq -> { throw new StackOverflowError("deep"); });

    assertThatThrownBy(() -> failing.handle(frames(1, 3))).isInstanceOf(StackOverflowError.class);
    assertThat(decoded).isEmpty();
  }

  @Test
  @DisplayName("a flipped byte anywhere in a tagged frame fails its checksum")
  void corruptionDetected() {
    Buffer good = encoder.encode(text("This Msg From Client"), SENDER, 7, 99);
    for (int i = 0; i < 96; i++) {
      Buffer bad = good.copy();
      bad.setByte(i, (byte) (bad.getByte(i) ^ 0x01));
      decoded.clear();
      decoder.handle(bad);
      if (i == 68 || i == 69) {
        // The marker itself: a frame without it is untagged, and untagged frames carry no checksum
        assertThat(decoded.get(0).tagged()).isFalse();
      } else {
        assertThat(decoded.get(0).checksumValid()).as("byte %d flipped", i).isFalse();
      }
    }
  }

  @Test
  @DisplayName("text that is not valid UTF-8 is escaped for the log and never throws")
  void invalidUtf8() {
    byte[] seed = new byte[100];
    byte[] bad = {'o', 'k', (byte) 0xC3, '(', (byte) 0xFF, 'z'};
    System.arraycopy(bad, 0, seed, 0, bad.length);

    decoder.handle(Buffer.buffer(seed));

    assertThat(decoded).singleElement().satisfies(d -> {
      assertThat(d.printable()).isEqualTo("ok\\xC3(\\xFFz");
      assertThat(d.text()).isEqualTo("ok\uFFFD(\uFFFDz");
    });
  }

  @Test
  @DisplayName("newlines and control characters are escaped so a frame stays one log line")
  void controlCharactersEscaped() {
    Buffer frame = encoder.encode(text("line1\nFAKE INFO\r\t\u0007 \\ é 가"), SENDER, 1, 0);
    decoder.handle(frame);
    assertThat(decoded.get(0).printable()).isEqualTo("line1\\nFAKE INFO\\r\\t\\u0007 \\\\ é 가");
  }

  @Test
  @DisplayName("a truncated multi-byte character at the end of the text is escaped")
  void truncatedSequence() {
    byte[] bytes = {'a', (byte) 0xE4, (byte) 0xB8};
    assertThat(PrintableText.escape(bytes, 0, bytes.length)).isEqualTo("a\\xE4\\xB8");
  }

  private Buffer threeFrames() {
    return frames(1, 3);
  }

  private Buffer frames(int first, int last) {
    Buffer stream = Buffer.buffer();
    for (int seq = first; seq <= last; seq++) {
      encoder.appendFrame(stream, text("This Msg From Client"), SENDER, seq, 0, 0);
    }
    return stream;
  }

  /** A decoder that records the frames like {@link #decoder}, except those it throws for. */
  private FrameDecoder failingOn(Set<Long> bad, Function<Long, RuntimeException> failure) {
    return new FrameDecoder(FrameFormat.DEFAULT, frame -> {
      if (bad.contains(frame.sequence())) {
        throw failure.apply(frame.sequence());
      }
      decoded.add(Decoded.of(frame));
    });
  }

  private static byte[] text(String s) {
    return FrameFormat.DEFAULT.encodeText(s);
  }
}
