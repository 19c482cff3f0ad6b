package io.echopair.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The size of a frame and where its parts lie: text from byte 0, NUL padding, and a 32-byte trailer at the end.
 *
 * <pre>
 * 0                                   textCapacity   frameSize-32                    frameSize
 * | text (UTF-8) | NUL ... NUL        | NUL (always) | trailer: magic, version, flags,  |
 * |                                   |              | senderId, sequence, sentAt, crc |
 * </pre>
 *
 * Both sides must use the same frame size; the seed's programs use 100 bytes.
 */
public record FrameFormat(int frameSize) {

  /** The seed's {@code sizeof(sendBuffer)}. */
  public static final int DEFAULT_FRAME_SIZE = 100;
  public static final int TRAILER_SIZE = 32;
  public static final int MIN_FRAME_SIZE = 64;
  public static final int MAX_FRAME_SIZE = 65_536;
  public static final FrameFormat DEFAULT = new FrameFormat(DEFAULT_FRAME_SIZE);

  // Trailer fields, relative to the trailer's first byte; multi-byte fields are big-endian.
  static final int MAGIC_0 = 0;
  static final int MAGIC_1 = 1;
  static final int VERSION = 2;
  static final int FLAGS = 3;
  static final int SENDER_ID = 4;
  static final int SEQUENCE = 12;
  static final int SENT_AT_MICROS = 20;
  static final int CHECKSUM = 28;

  /**
   * Flag bit: the sender wrote this frame before, on a connection that was lost before its echo came back. Only a
   * frame with this bit may be taken as a repeat of one already logged; a frame without it is always logged.
   */
  public static final int FLAG_RESENT = 0x01;

  static final byte MAGIC_BYTE_0 = 'E';
  static final byte MAGIC_BYTE_1 = 'P';
  static final byte CURRENT_VERSION = 1;

  public FrameFormat {
    if (frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE) {
      throw new IllegalArgumentException(
          "frame size " + frameSize + " is out of range: must be between " + MIN_FRAME_SIZE + " and " + MAX_FRAME_SIZE);
    }
  }

  /** The most UTF-8 bytes of text a frame holds: one NUL always ends the text, so a C reader stops before the trailer. */
  public int textCapacity() {
    return frameSize - TRAILER_SIZE - 1;
  }

  /** Offset of the trailer's first byte. */
  public int trailerOffset() {
    return frameSize - TRAILER_SIZE;
  }

  /** Offset of the CRC32C, which covers every byte before it. */
  int checksumOffset() {
    return trailerOffset() + CHECKSUM;
  }

  /**
   * Returns the UTF-8 bytes of {@code text}, or throws when they cannot travel in a frame of this format.
   *
   * @throws IllegalArgumentException when the text contains a NUL character or is longer than {@link #textCapacity()}
   */
  public byte[] encodeText(String text) {
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      throw new IllegalArgumentException("message contains a NUL character at index " + nul
          + ": NUL ends the text on the wire");
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > textCapacity()) {
      throw new IllegalArgumentException("message is " + bytes.length + " bytes in UTF-8; a " + frameSize
          + "-byte frame holds at most " + textCapacity());
    }
    return bytes;
  }
}
