package io.echopair.sender;

import io.echopair.protocol.FrameEncoder;
import io.echopair.protocol.FrameFormat;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames of one stream, from produced to done: its sender id and sequence, a bounded queue of frames waiting to
 * be written (the oldest dropped when it is full), and the count of frames taken out by a connection and not yet done.
 * A connection that dies puts its unacknowledged frames back, in sequence order; a frame's second write is marked
 * resent.
 *
 * <p>Outlives the connections of its stream; on the verticle's event loop, so nothing here is synchronized.
 */
final class OutboundQueue {

  private static final Logger LOG = LoggerFactory.getLogger(OutboundQueue.class);

  private static final Comparator<QueuedFrame> IN_SEQUENCE = Comparator.comparingLong(frame -> frame.sequence);

  private final int stream;
  private final int capacity;
  private final long senderId;
  private final FrameEncoder encoder;
  private final int frameSize;
  private final ArrayDeque<QueuedFrame> waiting = new ArrayDeque<>();

  // The buffer the frames of the current tick are encoded into, and how many more it was sized for
  private Buffer tick;
  private int tickRoom;

  private long nextSequence = 1;
  private boolean overflowing;
  private long droppedThisEpisode;
  // Taken by a connection: in flight, or being written without acks
  private long taken;
  private long produced;
  private long sent;
  private long completed;
  private long dropped;

  OutboundQueue(int stream, int capacity, FrameFormat format) {
    this.stream = stream;
    this.capacity = capacity;
    this.senderId = newSenderId();
    this.encoder = new FrameEncoder(format);
    this.frameSize = format.frameSize();
  }

  private static long newSenderId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return id;
  }

  long senderId() {
    return senderId;
  }

  String senderIdHex() {
    return String.format("%016x", senderId);
  }

  boolean isFull() {
    return waiting.size() >= capacity;
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** Frames waiting to be written. */
  int size() {
    return waiting.size();
  }

  /** The next {@code frames} frames {@link #add} encodes go into one buffer, back to back. */
  void beginTick(int frames) {
    tick = Buffer.buffer(frames * frameSize);
    tickRoom = frames;
  }

  /** Encodes the next frame into the queue, dropping the oldest waiting frame when the queue is full. */
  void add(byte[] text, long sentAtMicros) {
    if (isFull()) {
      dropOldest();
    }
    if (tickRoom == 0) {
      beginTick(1);
    }
    long sequence = nextSequence++;
    int offset = tick.length();
    encoder.appendFrame(tick, text, senderId, sequence, sentAtMicros, 0);
    tickRoom--;
    waiting.addLast(new QueuedFrame(sequence, tick, offset));
    produced++;
    if (LOG.isDebugEnabled()) {
      LOG.debug("Produced frame {} on stream {}", sequence, stream);
    }
  }

  private void dropOldest() {
    waiting.pollFirst();
    dropped++;
    droppedThisEpisode++;
    if (!overflowing) {
      overflowing = true;
      LOG.warn("Queue full on stream {}: dropping oldest frames", stream);
    }
  }

  int frameSize() {
    return frameSize;
  }

  /** Takes the oldest waiting frame out to be written (there must be one); taken until done or put back. */
  QueuedFrame take() {
    QueuedFrame frame = waiting.pollFirst();
    frame.beforeWrite(encoder);
    taken++;
    sent++;
    if (overflowing && waiting.size() < capacity) {
      overflowing = false;
      LOG.info("Queue on stream {} has room again; {} frames were dropped", stream, droppedThisEpisode);
      droppedThisEpisode = 0;
    }
    return frame;
  }

  /** Taken frames that got through: echoed with acks, written without. */
  void done(int frames) {
    taken -= frames;
    completed += frames;
  }

  /** Puts taken frames back to be written again, keeping the queue in sequence order. */
  void putBack(Collection<QueuedFrame> frames) {
    if (frames.isEmpty()) {
      return;
    }
    taken -= frames.size();
    List<QueuedFrame> back = new ArrayList<>(frames);
    back.sort(IN_SEQUENCE);
    QueuedFrame first = waiting.peekFirst();
    if (first == null || back.get(back.size() - 1).sequence < first.sequence) {
      for (int i = back.size() - 1; i >= 0; i--) {
        waiting.addFirst(back.get(i));
      }
      return;
    }
    // Rare: frames from several failed writes come back in turn; merge them in
    back.addAll(waiting);
    back.sort(IN_SEQUENCE);
    waiting.clear();
    waiting.addAll(back);
  }

  // ---- counts

  long produced() {
    return produced;
  }

  /** Frames written to a socket, resends included. */
  long sent() {
    return sent;
  }

  /** Frames done: echoed with acks, written without. */
  long completed() {
    return completed;
  }

  long dropped() {
    return dropped;
  }

  /** Frames produced and neither done nor dropped: waiting, in flight or being written. */
  long outstanding() {
    return waiting.size() + taken;
  }
}
