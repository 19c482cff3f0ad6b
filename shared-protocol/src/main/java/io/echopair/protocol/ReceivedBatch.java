package io.echopair.protocol;

import io.vertx.core.json.JsonObject;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames an echo server took from one read of one connection, as it publishes them on the event bus in one
 * message (the server's {@code publish} key): what {@link ReceivedMessage} says of each frame, in a compact binary
 * form that {@link ReceivedBatchCodec} carries. What the frames of a read share is said once.
 *
 * <pre>
 * byte     format version (1)
 * long     time of the read: seconds since the epoch
 * int                        and nanoseconds
 * long     frames the server dropped from the stream since its previous batch (its consumers were behind)
 * short    server id length, then its UTF-8 bytes
 * short    peer length, then its UTF-8 bytes
 * int      frame count, then per frame:
 *   byte     flags: 1 tagged, 2 repeat, 4 printable (the text is already escaped: it came as JSON)
 *   long     sender id  } tagged frames only
 *   long     sequence   }
 *   int      text length, then the text's bytes as received (up to the first NUL): PrintableText shows them
 * </pre>
 *
 * <p>All numbers big-endian. The text travels as the frame's bytes, and is escaped only by a reader that shows it:
 * the server copies bytes, the monitor escapes the lines it logs.
 */
public final class ReceivedBatch {

  static final byte VERSION = 1;
  static final int TAGGED = 1;
  static final int REPEAT = 2;
  static final int PRINTABLE = 4;
  // Where the dropped count lies: after the version and the time
  static final int DROPPED_AT = 1 + 8 + 4;

  private final byte[] bytes;
  private final String serverId;
  private final String peer;
  private final Instant time;
  private final long droppedBefore;
  private final int size;
  // Where the first frame starts
  private final int framesAt;

  /**
   * A batch from its encoded bytes, checked whole.
   *
   * @throws IllegalArgumentException when they are not a batch of this format
   */
  public static ReceivedBatch of(byte[] bytes) {
    return new ReceivedBatch(bytes);
  }

  /** One frame as a batch of its own: what a {@link ReceivedMessage} says, in this form. */
  public static ReceivedBatch of(ReceivedMessage message) {
    ReceivedBatchBuilder builder = new ReceivedBatchBuilder();
    builder.start(message.serverId(), message.peer(), message.time());
    byte[] text = message.text().getBytes(StandardCharsets.UTF_8);
    boolean tagged = message.sequence() != null;
    builder.add(tagged, tagged && message.senderId() != null ? Long.parseUnsignedLong(message.senderId(), 16) : 0,
        tagged ? message.sequence() : 0, message.repeat(), true, text, 0, text.length);
    return builder.build(0);
  }

  /**
   * The frames a message on the stream's address carries, whichever form a server published it in: a batch, or one
   * frame as JSON.
   *
   * @throws IllegalArgumentException when the body is neither
   */
  public static List<ReceivedMessage> messagesIn(Object body) {
    if (body instanceof ReceivedBatch batch) {
      return batch.messages();
    }
    if (body instanceof JsonObject json) {
      return List.of(ReceivedMessage.fromJson(json));
    }
    throw new IllegalArgumentException("neither a received batch nor a JSON object: " + body);
  }

  private ReceivedBatch(byte[] bytes) {
    this.bytes = bytes;
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if (in.get() != VERSION) {
        throw new IllegalArgumentException("not a received batch of format " + VERSION);
      }
      time = Instant.ofEpochSecond(in.getLong(), in.getInt());
      droppedBefore = in.getLong();
      serverId = string(in);
      peer = string(in);
      size = in.getInt();
      framesAt = in.position();
      checkFrames(in);
    } catch (BufferUnderflowException | DateTimeException | IllegalArgumentException wrong) {
      throw new IllegalArgumentException("not a received batch: " + wrong.getMessage(), wrong);
    }
  }

  private void checkFrames(ByteBuffer in) {
    if (size < 0 || droppedBefore < 0) {
      throw new IllegalArgumentException("negative count");
    }
    for (int i = 0; i < size; i++) {
      int flags = in.get();
      if ((flags & TAGGED) != 0) {
        in.position(in.position() + 16);
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw new IllegalArgumentException("frame " + i + " runs past the end");
      }
      in.position(in.position() + length);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " bytes after the last frame");
    }
  }

  private static String string(ByteBuffer in) {
    byte[] text = new byte[in.getShort() & 0xFFFF];
    in.get(text);
    return new String(text, StandardCharsets.UTF_8);
  }

  /** The encoded form, as the codec writes it; not to be changed. */
  byte[] bytes() {
    return bytes;
  }

  /** Bytes of the encoded form. */
  public int length() {
    return bytes.length;
  }

  /** The server deployment that received the frames. */
  public String serverId() {
    return serverId;
  }

  /** The client's address as the server sees it. */
  public String peer() {
    return peer;
  }

  /** When the server read the frames. */
  public Instant time() {
    return time;
  }

  /** Frames this server did not publish since its previous batch, because the stream's consumers were behind. */
  public long droppedBefore() {
    return droppedBefore;
  }

  /** How many frames the batch holds. */
  public int size() {
    return size;
  }

  /** Reads the frames one after the other, their text escaped only when asked. */
  public Cursor cursor() {
    return new Cursor();
  }

  /** Each frame as a {@link ReceivedMessage}, as the JSON form would give it. */
  public List<ReceivedMessage> messages() {
    List<ReceivedMessage> messages = new ArrayList<>(size);
    Cursor cursor = cursor();
    while (cursor.next()) {
      messages.add(new ReceivedMessage(cursor.text(), cursor.isTagged() ? cursor.sequence() : null,
          cursor.isTagged() ? SenderId.text(cursor.senderId()) : null, peer, serverId, time, cursor.isRepeat()));
    }
    return messages;
  }

  @Override
  public String toString() {
    return size + " frames from " + peer + " (server " + serverId + ", " + time + ")";
  }

  /** A position in the batch: {@link #next()} moves to the following frame; nothing is allocated but the text. */
  public final class Cursor {

    private final ByteBuffer in = ByteBuffer.wrap(bytes).position(framesAt);
    private int flags;
    private long senderId;
    private long sequence;
    private int textAt;
    private int textLength;

    private Cursor() {
    }

    /** Moves to the next frame; false when there is none. */
    public boolean next() {
      if (!in.hasRemaining()) {
        return false;
      }
      flags = in.get();
      if ((flags & TAGGED) != 0) {
        senderId = in.getLong();
        sequence = in.getLong();
      } else {
        senderId = 0;
        sequence = 0;
      }
      textLength = in.getInt();
      textAt = in.position();
      in.position(textAt + textLength);
      return true;
    }

    /** The batch this cursor reads. */
    public ReceivedBatch batch() {
      return ReceivedBatch.this;
    }

    /** Whether the frame carries echopair's trailer: false for the seed's client's frames. */
    public boolean isTagged() {
      return (flags & TAGGED) != 0;
    }

    /** Whether the server had logged this sequence number of this sender before (see {@link ReceivedMessage}). */
    public boolean isRepeat() {
      return (flags & REPEAT) != 0;
    }

    /** The sending stream's id; 0 for an untagged frame. */
    public long senderId() {
      return senderId;
    }

    /** The frame's sequence number; 0 for an untagged frame. */
    public long sequence() {
      return sequence;
    }

    /** The frame's text made safe for one log line, as {@link Frame#printableText()} gives it. */
    public String text() {
      if ((flags & PRINTABLE) != 0) {
        return new String(bytes, textAt, textLength, StandardCharsets.UTF_8);
      }
      return PrintableText.escape(bytes, textAt, textLength);
    }
  }
}
