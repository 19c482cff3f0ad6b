package io.echopair.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Builds frames: the text from byte 0, NUL padding, then the trailer with its checksum.
 *
 * <p>One encoder belongs to one event loop: it reuses a scratch array between calls.
 */
public final class FrameEncoder {

  private final FrameFormat format;
  private final byte[] scratch;
  // Big-endian view of scratch for the trailer's numbers.
  private final ByteBuffer trailer;
  private final CRC32C crc = new CRC32C();

  public FrameEncoder(FrameFormat format) {
    this.format = format;
    this.scratch = new byte[format.frameSize()];
    this.trailer = ByteBuffer.wrap(scratch);
  }

  public FrameFormat format() {
    return format;
  }

  /**
   * Appends one frame to {@code out}.
   *
   * @param text UTF-8 text from {@link FrameFormat#encodeText(String)}
   */
  public Buffer appendFrame(Buffer out, byte[] text, long senderId, long sequence, long sentAtMicros, int flags) {
    if (text.length > format.textCapacity()) {
      throw new IllegalArgumentException("text is " + text.length + " bytes; a frame holds at most " + format.textCapacity());
    }
    Arrays.fill(scratch, (byte) 0);
    System.arraycopy(text, 0, scratch, 0, text.length);
    int t = format.trailerOffset();
    scratch[t + FrameFormat.MAGIC_0] = FrameFormat.MAGIC_BYTE_0;
    scratch[t + FrameFormat.MAGIC_1] = FrameFormat.MAGIC_BYTE_1;
    scratch[t + FrameFormat.VERSION] = FrameFormat.CURRENT_VERSION;
    scratch[t + FrameFormat.FLAGS] = (byte) flags;
    trailer.putLong(t + FrameFormat.SENDER_ID, senderId);
    trailer.putLong(t + FrameFormat.SEQUENCE, sequence);
    trailer.putLong(t + FrameFormat.SENT_AT_MICROS, sentAtMicros);
    crc.reset();
    crc.update(scratch, 0, format.checksumOffset());
    trailer.putInt(format.checksumOffset(), (int) crc.getValue());
    return out.appendBytes(scratch);
  }

  /**
   * Sets {@link FrameFormat#FLAG_RESENT} in a frame this format encoded, in place, and updates its checksum: what a
   * sender does before it writes a frame again on a new connection.
   */
  public void markResent(Buffer frame) {
    if (frame.length() != format.frameSize()) {
      throw new IllegalArgumentException("a frame is " + format.frameSize() + " bytes, got " + frame.length());
    }
    int flags = format.trailerOffset() + FrameFormat.FLAGS;
    frame.setByte(flags, (byte) (frame.getByte(flags) | FrameFormat.FLAG_RESENT));
    frame.getBytes(0, format.frameSize(), scratch);
    crc.reset();
    crc.update(scratch, 0, format.checksumOffset());
    frame.setInt(format.checksumOffset(), (int) crc.getValue());
  }

  /** Returns one new frame. */
  public Buffer encode(byte[] text, long senderId, long sequence, long sentAtMicros) {
    return appendFrame(Buffer.buffer(format.frameSize()), text, senderId, sequence, sentAtMicros, 0);
  }
}
