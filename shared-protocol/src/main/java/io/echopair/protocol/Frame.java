package io.echopair.protocol;

import io.vertx.core.buffer.Buffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

  /** What a received frame is: only a valid frame is logged and echoed. */
  public enum Verdict {
    /** A tagged frame whose checksum matches, or an untagged frame of UTF-8 text then NUL padding (the seed's). */
    VALID,
    /** A tagged frame whose checksum does not match: damaged on the way, so its sender resends it. */
    CORRUPT,
    /**
     * Not a frame any client makes: no marker, and not UTF-8 text followed by NUL bytes only. Random bytes, or a
     * stream that lost its frame alignment.
     */
    UNDECODABLE
  }

  // Eight bytes at a time, in the order they lie in the array, to find the NUL and check the padding.
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /** {@link #offsetInRead()} of a frame whose bytes came in more than one read. */
  public static final int NOT_IN_ONE_READ = -1;

  private final FrameFormat format;
  private final byte[] bytes;
  // Big-endian view of bytes for the trailer's numbers.
  private final ByteBuffer view;
  private final CRC32C crc = new CRC32C();
  private int offsetInRead = NOT_IN_ONE_READ;

  Frame(FrameFormat format) {
    this.format = format;
    this.bytes = new byte[format.frameSize()];
    this.view = ByteBuffer.wrap(bytes);
  }

  /** The array the decoder fills; it holds exactly one frame. */
  byte[] array() {
    return bytes;
  }

  /**
   * Where the frame's bytes lie in the read the decoder was given last, or {@link #NOT_IN_ONE_READ} when they came in
   * more than one: a reader can then pass them on as a slice of that read, without copying.
   */
  public int offsetInRead() {
    return offsetInRead;
  }

  void offsetInRead(int offset) {
    this.offsetInRead = offset;
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

  /** Whether its sender marked it as written before, on an earlier connection ({@link FrameFormat#FLAG_RESENT}). */
  public boolean isResent() {
    return (flags() & FrameFormat.FLAG_RESENT) != 0;
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

  /** Whether the frame is one a client makes, and so may be logged and echoed; see {@link Verdict}. */
  public Verdict verdict() {
    if (isTagged()) {
      return checksumValid() ? Verdict.VALID : Verdict.CORRUPT;
    }
    return isTextThenPadding() ? Verdict.VALID : Verdict.UNDECODABLE;
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
    return Math.min(firstNul(), isTagged() ? format.trailerOffset() : bytes.length);
  }

  /** The text, decoded as UTF-8 (malformed bytes become U+FFFD). */
  public String text() {
    return new String(bytes, 0, textLength(), StandardCharsets.UTF_8);
  }

  /** The text made safe for one log line ({@link PrintableText}): what would break, hide or reorder it is escaped. */
  public String printableText() {
    return PrintableText.escape(bytes, 0, textLength());
  }

  /** The frame's first 24 bytes, escaped like text: what a log line shows of bytes that are not a frame. */
  public String printableStart() {
    return PrintableText.escape(bytes, 0, Math.min(24, bytes.length));
  }

  /** Appends the frame's bytes, exactly as received, to {@code out}. */
  public Buffer appendTo(Buffer out) {
    return out.appendBytes(bytes);
  }

  /** A new buffer holding the frame's bytes. */
  public Buffer copy() {
    return Buffer.buffer(bytes.clone());
  }

  /**
   * The seed's shape: text up to the first NUL (or the whole frame), valid UTF-8, and nothing but NUL after it. One
   * pass, eight bytes per step: this runs for every untagged frame.
   */
  private boolean isTextThenPadding() {
    int length = bytes.length;
    int words = length >>> 3;
    long textBits = 0;
    long afterNul = 0;
    int textEnd = -1;
    int i = 0;
    for (; i < words; i++) {
      long word = (long) LONGS.get(bytes, i << 3);
      long zeros = (word - ONES) & ~word & HIGH_BITS;
      if (zeros != 0) {
        // The lowest flagged byte is the first NUL (a borrow can only flag bytes above a true zero)
        int nulBit = Long.numberOfTrailingZeros(zeros) & ~7;
        textBits |= word & ((1L << nulBit) - 1);
        afterNul |= (word >>> nulBit) >>> 8;
        textEnd = (i << 3) + (nulBit >>> 3);
        i++;
        break;
      }
      textBits |= word;
    }
    for (; i < words; i++) {
      afterNul |= (long) LONGS.get(bytes, i << 3);
    }
    for (int b = words << 3; b < length; b++) {
      if (textEnd >= 0) {
        afterNul |= bytes[b];
      } else if (bytes[b] == 0) {
        textEnd = b;
      } else {
        textBits |= bytes[b];
      }
    }
    if (afterNul != 0) {
      return false;
    }
    // ASCII text needs no decoding; anything else must be well-formed UTF-8
    return (textBits & HIGH_BITS) == 0 || Utf8.isWellFormed(bytes, 0, textEnd >= 0 ? textEnd : length);
  }

  /** Index of the first NUL byte, or the frame size when there is none; eight bytes per step. */
  private int firstNul() {
    int i = 0;
    for (; i + Long.BYTES <= bytes.length; i += Long.BYTES) {
      long word = (long) LONGS.get(bytes, i);
      long zeros = (word - ONES) & ~word & HIGH_BITS;
      if (zeros != 0) {
        // The lowest flagged byte is the first NUL (a borrow can only flag bytes above a true zero)
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return bytes.length;
  }

  private long trailerLong(int field) {
    return isTagged() ? view.getLong(format.trailerOffset() + field) : 0L;
  }

  @Override
  public String toString() {
    return isTagged()
        ? "Frame[seq=" + sequence() + ", sender=" + SenderId.text(senderId()) + ", text=" + printableText() + "]"
        : "Frame[untagged, text=" + printableText() + "]";
  }
}
