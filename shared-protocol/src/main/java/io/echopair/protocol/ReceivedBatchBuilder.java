package io.echopair.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Gathers the frames of one read into a {@link ReceivedBatch}: a server keeps one per event loop and reuses its array,
 * so a frame costs a copy of its text and nothing allocated.
 */
public final class ReceivedBatchBuilder {

  private ByteBuffer out = ByteBuffer.allocate(16 * 1024);
  private int size;
  private boolean open;
  // Where the frame count goes, the header's last field
  private int countAt;

  /** Begins a batch: the frames added next were read at {@code time} from {@code peer} by server {@code serverId}. */
  public void start(String serverId, String peer, Instant time) {
    out.clear();
    size = 0;
    open = true;
    byte[] server = serverId.getBytes(StandardCharsets.UTF_8);
    byte[] from = peer.getBytes(StandardCharsets.UTF_8);
    room(1 + 8 + 4 + 8 + 2 + server.length + 2 + from.length + 4);
    out.put(ReceivedBatch.VERSION).putLong(time.getEpochSecond()).putInt(time.getNano())
        .putLong(0).putShort((short) server.length).put(server).putShort((short) from.length).put(from);
    countAt = out.position();
    out.putInt(0);
  }

  /** Whether a batch was started and not yet built or dropped. */
  public boolean isOpen() {
    return open;
  }

  /** Frames added since {@link #start}. */
  public int size() {
    return size;
  }

  /** Adds a valid frame; {@code repeat}: the server had logged its sequence number before. */
  public void add(Frame frame, boolean repeat) {
    boolean tagged = frame.isTagged();
    add(tagged, frame.senderId(), frame.sequence(), repeat, false, frame.array(), 0, frame.textLength());
  }

  /** {@code printable}: the text is escaped already, as the JSON form carries it. */
  void add(boolean tagged, long senderId, long sequence, boolean repeat, boolean printable, byte[] text, int offset,
           int length) {
    room(1 + 16 + 4 + length);
    out.put((byte) ((tagged ? ReceivedBatch.TAGGED : 0) | (repeat ? ReceivedBatch.REPEAT : 0)
        | (printable ? ReceivedBatch.PRINTABLE : 0)));
    if (tagged) {
      out.putLong(senderId).putLong(sequence);
    }
    out.putInt(length).put(text, offset, length);
    size++;
  }

  /**
   * Ends the batch: its encoded form, to publish.
   *
   * @param droppedBefore frames the server did not publish since its previous batch
   */
  public ReceivedBatch build(long droppedBefore) {
    out.putLong(ReceivedBatch.DROPPED_AT, droppedBefore);
    out.putInt(countAt, size);
    open = false;
    return ReceivedBatch.of(Arrays.copyOf(out.array(), out.position()));
  }

  /** Ends the batch without building it: its frames are dropped. */
  public void drop() {
    open = false;
  }

  private void room(int bytes) {
    if (out.remaining() < bytes) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + bytes));
      out.flip();
      out = bigger.put(out);
    }
  }
}
