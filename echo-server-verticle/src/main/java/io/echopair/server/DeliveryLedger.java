package io.echopair.server;

import io.echopair.protocol.SenderId;
import io.echopair.server.SequenceTracker.Arrival;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Which frames each sender has delivered to one server deployment, shared by all its instances: tells a resent frame
 * from a new one and logs gaps.
 *
 * <p>A sender is known by its id <em>within a scope</em>: the client's address on plain TCP, the subject of its
 * certificate under mutual TLS. A connection from another scope that uses the same sender id gets a tracker of its
 * own, so it cannot make that sender's frames look like repeats. At most {@code maxSenders} trackers are kept; beyond
 * that the one idle longest (used by no open connection) is forgotten, and a forgotten sender's resent frames are
 * logged again.
 *
 * <p>A tracker is shared by every open connection of its sender in its scope, on whatever event loop: usually one, but
 * a reconnect may overlap the connection it replaces. Rather than a lock per frame, a connection takes the tracker's
 * lock at the first tagged frame of a read and keeps it until the read ends ({@link SenderView}): one lock per read, and
 * another connection of the same sender waits for at most that read. Every outcome is one a lock per frame also
 * allows: the frames of one read all come before, or all after, those of the other connection's read. A connection
 * holds one tracker's lock at most, and lets it go before it asks the ledger for another tracker, so no two
 * connections can wait for each other.
 */
final class DeliveryLedger implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryLedger.class);
  private static final String MAP_NAME = "io.echopair.server.ledger";

  /** A generous estimate of what one tracked sender costs besides its bitmap: tracker, key, map entry, address. */
  static final int BYTES_PER_SENDER = 256;

  private final int window;
  private final int maxSenders;
  // (scope, sender id) -> tracker, least recently used first; guarded by this
  private final LinkedHashMap<SenderKey, Tracked> senders = new LinkedHashMap<>(16, 0.75f, true);
  private final AtomicInteger users = new AtomicInteger();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder gaps = new LongAdder();
  private final LongAdder reused = new LongAdder();
  private final LongAdder unknown = new LongAdder();
  private long forgotten;
  private long untracked;

  DeliveryLedger(int window, int maxSenders) {
    this.window = window;
    this.maxSenders = maxSenders;
  }

  /** The ledger of a deployment, created by whichever of its instances asks first; each asker must {@link #release}. */
  static DeliveryLedger acquire(Vertx vertx, String deploymentId, int window, int maxSenders) {
    DeliveryLedger ledger = map(vertx).computeIfAbsent(deploymentId, id -> new DeliveryLedger(window, maxSenders));
    ledger.users.incrementAndGet();
    return ledger;
  }

  /** Drops the deployment's ledger once its last instance let go of it. */
  void release(Vertx vertx, String deploymentId) {
    if (users.decrementAndGet() == 0) {
      map(vertx).removeIfPresent(deploymentId, this);
    }
  }

  /**
   * The most heap the ledger can take with these settings: {@code maxSenders × (256 + the bitmap of a full window)}.
   */
  static long worstCaseBytes(int window, int maxSenders) {
    return maxSenders * (BYTES_PER_SENDER + SequenceTracker.maxBitmapBytes(window));
  }

  /**
   * The tracker of {@code senderId} in {@code scope}, held for a connection until {@link #unpin}: a held tracker is
   * never forgotten. Null when every tracker the ledger may keep is held by an open connection: that sender's frames
   * are then not tracked (all logged).
   *
   * @param firstSequence the sequence number of the frame that asks, where a new tracker starts
   */
  synchronized Tracked pin(String scope, long senderId, long firstSequence) {
    SenderKey key = new SenderKey(scope, senderId);
    Tracked tracked = senders.get(key);
    if (tracked == null) {
      if (senders.size() >= maxSenders && !forgetIdlest()) {
        if (untracked++ == 0) {
          LOG.warn("All {} sender trackers (maxTrackedSenders) are in use by open connections: sender {} at {} is not "
              + "tracked, and its resent frames are logged again", maxSenders, SenderId.text(senderId), scope);
        }
        return null;
      }
      tracked = new Tracked(key, new SequenceTracker(window, firstSequence));
      senders.put(key, tracked);
    }
    tracked.pins++;
    return tracked;
  }

  synchronized void unpin(Tracked tracked) {
    tracked.pins--;
    // Touch it: the sender was active until now
    senders.get(tracked.key);
  }

  /** Forgets the tracker used longest ago by no open connection; false when all are in use. */
  private boolean forgetIdlest() {
    Iterator<Tracked> eldestFirst = senders.values().iterator();
    while (eldestFirst.hasNext()) {
      Tracked candidate = eldestFirst.next();
      if (candidate.pins == 0) {
        eldestFirst.remove();
        if (forgotten++ == 0) {
          LOG.warn("Tracking the sequences of {} senders at most (maxTrackedSenders): forgetting the one idle longest "
              + "(sender {} at {}); a forgotten sender's resent frames are logged again", maxSenders,
              SenderId.text(candidate.key.senderId()), candidate.key.scope());
        }
        return true;
      }
    }
    return false;
  }

  /** Counts a resent copy of a frame already logged, which is not logged again. */
  void countDuplicate() {
    duplicates.increment();
  }

  long duplicates() {
    return duplicates.sum();
  }

  /** Runs of sequence numbers that never arrived, as the stats line counts them. */
  long gaps() {
    return gaps.sum();
  }

  /** The ledger's part of the stats line: {@code ; 3 duplicates, 1 gap, 2 senders tracked}. */
  synchronized String describe() {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "; %d duplicates, %d %s, %d %s tracked",
        duplicates.sum(), gaps.sum(), gaps.sum() == 1 ? "gap" : "gaps", senders.size(),
        senders.size() == 1 ? "sender" : "senders"));
    if (forgotten > 0) {
      line.append(" (").append(forgotten).append(" forgotten)");
    }
    if (reused.sum() > 0) {
      line.append(", ").append(reused.sum()).append(" reused sequence numbers logged again");
    }
    if (unknown.sum() > 0) {
      line.append(", ").append(unknown.sum()).append(" behind the window logged");
    }
    return line.toString();
  }

  /** The figures of {@link #describe} as fields of the stats line. */
  synchronized LoggingEventBuilder addFigures(LoggingEventBuilder line) {
    return line.addKeyValue("duplicates", duplicates.sum()).addKeyValue("gaps", gaps.sum())
        .addKeyValue("trackedSenders", senders.size()).addKeyValue("forgottenSenders", forgotten)
        .addKeyValue("reusedSequences", reused.sum()).addKeyValue("behindWindow", unknown.sum());
  }

  private static LocalMap<String, DeliveryLedger> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP_NAME);
  }

  /** A sender id as seen from one scope (the client's address, or its certificate subject). */
  record SenderKey(String scope, long senderId) {
  }

  /** One sender's tracker in the ledger, how many open connections hold it, and which of them records into it now. */
  final class Tracked {

    private final SenderKey key;
    private final SequenceTracker tracker;
    // Held by the connection recording into the tracker, to the end of its read; fair, so a waiting one goes next
    private final ReentrantLock recording = new ReentrantLock(true);
    // Guarded by the ledger
    private int pins;
    // Guarded by recording
    private boolean seenBefore;

    private Tracked(SenderKey key, SequenceTracker tracker) {
      this.key = key;
      this.tracker = tracker;
    }

    long senderId() {
      return key.senderId();
    }

    /** Waits until no other connection records into this tracker, then holds it until {@link #stopRecording}. */
    void startRecording() {
      recording.lock();
    }

    void stopRecording() {
      recording.unlock();
    }

    /** Whether another connection waits in {@link #startRecording} (for tests). */
    boolean hasWaitingConnection() {
      return recording.hasQueuedThreads();
    }

    /**
     * Records a tagged frame's sequence number (1 or more) and logs a gap it reveals; only between
     * {@link #startRecording} and {@link #stopRecording}.
     *
     * @return whether it was seen before, not seen, or is too old to tell
     */
    Arrival record(long sequence) {
      assert recording.isHeldByCurrentThread() : "record() outside startRecording()";
      boolean first = !seenBefore;
      seenBefore = true;
      Arrival arrival = tracker.accept(sequence);
      if (first && sequence > 1) {
        // Sent before this server started, or by a sender it forgot: not a loss it can tell
        LOG.info("First frame from sender {} at {} is seq {}: {} not received by this server",
            SenderId.text(key.senderId()), key.scope(), sequence, range(1, sequence - 1));
      } else if (tracker.gapFrom() > 0) {
        gaps.increment();
        LOG.warn("Gap from sender {} at {}: {} not received (got {})", SenderId.text(key.senderId()), key.scope(),
            range(tracker.gapFrom(), tracker.gapTo()), sequence);
      }
      if (arrival == Arrival.UNKNOWN) {
        unknown.increment();
      }
      return arrival;
    }

    /** Counts a frame that came again without the resent flag: not a resend of ours, so it was logged again. */
    void countReused() {
      reused.increment();
    }

    private String range(long from, long to) {
      return from == to ? "seq " + from : "seq " + from + ".." + to;
    }
  }
}
