package io.echopair.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A view of one received frame.
 *
 * <p>A {@link FrameDecoder} reuses one instance for every frame it decodes, so a frame is valid only while its handler
 * runs: use {@link #copy()} or {@link #appendTo(Buffer)} to keep its bytes.
 *
 * <p>A frame is <em>tagged</em> when its trailer starts with the echopair marker; it then carries a sender id, a
 * sequence number, a send time and a checksum. A frame from the seed's client is not tagged (its trailer is all zero):
 * its text is everything up to the first NUL, and it has no sequence number.
 */
public final class Frame {

  private final FrameFormat format;
  private final byte[] bytes;
  // Big-endian view of bytes for the trailer's numbers.
  private final ByteBuffer view;
  private final CRC32C crc = new CRC32C();

  Frame(FrameFormat format) {
    this.format = format;
    this.bytes = new byte[format.frameSize()];
    this.view = ByteBuffer.wrap(bytes);
  }

  /** The array the decoder fills; it holds exactly one frame. */
  byte[] array() {
    return bytes;
  }

  public FrameFormat format() {
    return format;
  }

  public int size() {
    return bytes.length;
  }

  /** Whether the frame carries the echopair trailer; {@code false} for frames of the seed's client. */
  public boolean isTagged() {
    int t = format.trailerOffset();
    return bytes[t + FrameFormat.MAGIC_0] == FrameFormat.MAGIC_BYTE_0
        && bytes[t + FrameFormat.MAGIC_1] == FrameFormat.MAGIC_BYTE_1;
  }

  /** The trailer's format version, 0 when the frame is not tagged. */
  public int version() {
    return isTagged() ? bytes[format.trailerOffset() + FrameFormat.VERSION] & 0xFF : 0;
  }

  /** The trailer's flag bits, 0 when the frame is not tagged. */
  public int flags() {
    return isTagged() ? bytes[format.trailerOffset() + FrameFormat.FLAGS] & 0xFF : 0;
  }

  /** The id of the stream the frame belongs to, 0 when the frame is not tagged. */
  public long senderId() {
    return trailerLong(FrameFormat.SENDER_ID);
  }

  /** The frame's sequence number in its stream (from 1), 0 when the frame is not tagged. */
  public long sequence() {
    return trailerLong(FrameFormat.SEQUENCE);
  }

  /** When the sender made the frame, in microseconds since the epoch; 0 when the frame is not tagged. */
  public long sentAtMicros() {
    return trailerLong(FrameFormat.SENT_AT_MICROS);
  }

  /** Whether the checksum matches the bytes; always {@code true} for a frame that is not tagged (it has none). */
  public boolean checksumValid() {
    if (!isTagged()) {
      return true;
    }
    crc.reset();
    crc.update(bytes, 0, format.checksumOffset());
    return (int) crc.getValue() == view.getInt(format.checksumOffset());
  }

  /** Length in bytes of the text: up to the first NUL, within the text area of a tagged frame, else the whole frame. */
  public int textLength() {
    int limit = isTagged() ? format.trailerOffset() : bytes.length;
    for (int i = 0; i < limit; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return limit;
  }

  /** The text, decoded as UTF-8 (malformed bytes become U+FFFD). */
  public String text() {
    return new String(bytes, 0, textLength(), StandardCharsets.UTF_8);
  }

  /** The text made safe for one log line ({@link PrintableText}): what would break, hide or reorder it is escaped. */
  public String printableText() {
    return PrintableText.escape(bytes, 0, textLength());
  }

  /** Appends the frame's bytes, exactly as received, to {@code out}. */
  public Buffer appendTo(Buffer out) {
    return out.appendBytes(bytes);
  }

  /** A new buffer holding the frame's bytes. */
  public Buffer copy() {
    return Buffer.buffer(bytes.clone());
  }

  private long trailerLong(int field) {
    return isTagged() ? view.getLong(format.trailerOffset() + field) : 0L;
  }

  @Override
  public String toString() {
    return isTagged()
        ? "Frame[seq=" + sequence() + ", sender=" + Long.toHexString(senderId()) + ", text=" + printableText() + "]"
        : "Frame[untagged, text=" + printableText() + "]";
  }
}
