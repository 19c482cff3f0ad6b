package io.echopair.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.Frame.Verdict;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a received frame is worth: only a valid frame is logged and echoed. */
class FrameVerdictTest {

  @Test
  @DisplayName("The seed's frame, text that fills the frame, UTF-8 text and an empty text are valid")
  void seedShapesAreValid() {
    assertThat(verdict(seedFrame("This Msg From Client".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(Verdict.VALID);
    assertThat(verdict("x".repeat(100).getBytes(StandardCharsets.US_ASCII))).isEqualTo(Verdict.VALID);
    assertThat(verdict(seedFrame("보낸 메시지".getBytes(StandardCharsets.UTF_8)))).isEqualTo(Verdict.VALID);
    assertThat(verdict(new byte[100])).isEqualTo(Verdict.VALID);
  }

  @Test
  @DisplayName("A byte after the text's NUL, wherever it lies, or text that is not UTF-8, is undecodable")
  void otherShapesAreUndecodable() {
    byte[] text = "This Msg From Client".getBytes(StandardCharsets.US_ASCII);
    for (int at = text.length + 1; at < 100; at++) {
      byte[] frame = seedFrame(text);
      frame[at] = 'x';
      assertThat(verdict(frame)).as("stray byte at %d", at).isEqualTo(Verdict.UNDECODABLE);
    }
    assertThat(verdict(seedFrame(new byte[] {'a', (byte) 0xFF, 'b'}))).isEqualTo(Verdict.UNDECODABLE);
    assertThat(verdict(seedFrame(new byte[] {(byte) 0xC0, (byte) 0x80}))).as("overlong NUL").isEqualTo(Verdict.UNDECODABLE);
    assertThat(verdict(seedFrame(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))).as("a surrogate")
        .isEqualTo(Verdict.UNDECODABLE);
  }

  @Test
  @DisplayName("A tagged frame is valid with its checksum, corrupt with any bit changed, undecodable with its marker hit")
  void taggedFrames() {
    Buffer frame = new FrameEncoder(FrameFormat.DEFAULT).encode(FrameFormat.DEFAULT.encodeText("tagged"), 7, 1, 0);
    assertThat(verdict(frame.getBytes())).isEqualTo(Verdict.VALID);
    byte[] damaged = frame.getBytes();
    damaged[2] ^= 0x01;
    assertThat(verdict(damaged)).isEqualTo(Verdict.CORRUPT);
    byte[] noMarker = frame.getBytes();
    noMarker[FrameFormat.DEFAULT.trailerOffset()] ^= 0x01;
    assertThat(verdict(noMarker)).as("no marker, and a trailer after the NUL").isEqualTo(Verdict.UNDECODABLE);
  }

  @Property(tries = 3000)
  @Label("for any untagged bytes of any frame size, the verdict is the one a plain byte-by-byte reading gives")
  void agreesWithAPlainReading(@ForAll("untagged") byte[] frame) {
    assertThat(verdict(frame)).isEqualTo(plainVerdict(frame));
  }

  /** Frames of 64 to 200 bytes shaped like text then padding, with a few bytes anywhere changed. */
  @Provide
  Arbitrary<byte[]> untagged() {
    Arbitrary<Integer> sizes = Arbitraries.integers().between(64, 200);
    Arbitrary<String> texts = Arbitraries.strings().ofMaxLength(60);
    Arbitrary<List<Integer>> changes = Arbitraries.integers().between(0, 1000).list().ofMaxSize(3);
    Arbitrary<List<Byte>> values = Arbitraries.bytes().list().ofSize(3);
    return sizes.flatMap(size -> texts.flatMap(text -> changes.flatMap(at -> values.map(bytes -> {
      byte[] frame = new byte[size];
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(utf8, 0, frame, 0, Math.min(utf8.length, size));
      for (int i = 0; i < at.size(); i++) {
        frame[at.get(i) % size] = bytes.get(i);
      }
      // Never the marker: these are untagged frames
      frame[size - FrameFormat.TRAILER_SIZE] = 0;
      return frame;
    }))));
  }

  private static Verdict plainVerdict(byte[] frame) {
    int nul = 0;
    while (nul < frame.length && frame[nul] != 0) {
      nul++;
    }
    for (int i = nul; i < frame.length; i++) {
      if (frame[i] != 0) {
        return Verdict.UNDECODABLE;
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(frame, 0, nul));
      return Verdict.VALID;
    } catch (CharacterCodingException notUtf8) {
      return Verdict.UNDECODABLE;
    }
  }

  private static byte[] seedFrame(byte[] text) {
    byte[] frame = new byte[100];
    System.arraycopy(text, 0, frame, 0, text.length);
    return frame;
  }

  /** Decodes {@code bytes} as one frame of their own size and returns its verdict. */
  private static Verdict verdict(byte[] bytes) {
    List<Verdict> verdicts = new ArrayList<>();
    new FrameDecoder(new FrameFormat(bytes.length), frame -> verdicts.add(frame.verdict())).handle(Buffer.buffer(bytes));
    assertThat(verdicts).hasSize(1);
    return verdicts.get(0);
  }
}
