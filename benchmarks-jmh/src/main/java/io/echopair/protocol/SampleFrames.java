package io.echopair.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** The inputs of the benchmarks: frames as our sender and the seed's client make them, 100 bytes each. */
public final class SampleFrames {

  public static final FrameFormat FORMAT = FrameFormat.DEFAULT;
  /** The seed's message, the text of every frame its client and our sender send by default. */
  public static final String SEED_TEXT = "This Msg From Client";
  /** Two-, three- and four-byte UTF-8 sequences, 47 bytes: a text the ASCII shortcuts do not cover. */
  public static final String NON_ASCII_TEXT = "Grüße aus Köln: 日本語のテキスト ✓";
  public static final long SENDER_ID = 0x5EED_C0FF_EE00_0001L;
  public static final long SENT_AT_MICROS = 1_764_000_000_000_000L;

  private SampleFrames() {
  }

  /**
   * {@code count} frames of the seed's text back to back, as one connection sends them: our sender's (tagged, sequence
   * 1, 2, 3 ...) or the seed's client's (untagged: text, then NUL up to the end).
   */
  public static byte[] stream(boolean tagged, int count) {
    byte[] text = FORMAT.encodeText(SEED_TEXT);
    Buffer out = Buffer.buffer(count * FORMAT.frameSize());
    FrameEncoder encoder = new FrameEncoder(FORMAT);
    byte[] untagged = new byte[FORMAT.frameSize()];
    System.arraycopy(text, 0, untagged, 0, text.length);
    for (int i = 0; i < count; i++) {
      if (tagged) {
        encoder.appendFrame(out, text, SENDER_ID, i + 1, SENT_AT_MICROS, 0);
      } else {
        out.appendBytes(untagged);
      }
    }
    return out.getBytes();
  }

  /**
   * Our sender's frame with this sequence number and these flags, as a {@link FrameDecoder} hands it to the server. Each
   * call decodes with a decoder of its own, so the frame keeps its bytes: no later frame is decoded into it.
   */
  public static Frame decoded(long sequence, int flags) {
    Buffer bytes = Buffer.buffer(FORMAT.frameSize());
    new FrameEncoder(FORMAT).appendFrame(bytes, FORMAT.encodeText(SEED_TEXT), SENDER_ID, sequence, SENT_AT_MICROS,
        flags);
    Frame[] decoded = new Frame[1];
    new FrameDecoder(FORMAT, frame -> decoded[0] = frame).handle(bytes);
    return decoded[0];
  }

  /** The UTF-8 bytes of {@code text}. */
  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
