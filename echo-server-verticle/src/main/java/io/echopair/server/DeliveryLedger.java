package io.echopair.server;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which frames each sender has delivered to one server deployment, shared by all its instances: tells a resent frame
 * from a new one, logs gaps, and remembers at most {@code maxSenders} senders (the least recently seen is forgotten).
 */
final class DeliveryLedger implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryLedger.class);
  private static final String MAP_NAME = "io.echopair.server.ledger";

  private final int window;
  private final int maxSenders;
  // Sender id -> its sequences, least recently seen first; guarded by this (a reconnect may land on another event loop)
  private final Map<Long, SequenceTracker> senders;
  private final AtomicInteger users = new AtomicInteger();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder gaps = new LongAdder();
  private long forgotten;

  DeliveryLedger(int window, int maxSenders) {
    // Whole 64-bit words of bitmap
    this.window = (window + 63) / 64 * 64;
    this.maxSenders = maxSenders;
    this.senders = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, SequenceTracker> eldest) {
        if (size() <= DeliveryLedger.this.maxSenders) {
          return false;
        }
        forget(eldest.getKey());
        return true;
      }
    };
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
   * Records a tagged frame's arrival.
   *
   * @return true the first time this deployment sees {@code sequence} from {@code senderId}; false for a repeat
   */
  boolean firstArrival(long senderId, long sequence) {
    if (sequence < 1) {
      // Not a sequence number a sender makes: nothing to track it by
      return true;
    }
    boolean first;
    boolean newSender;
    long gapFrom;
    long gapTo;
    synchronized (this) {
      SequenceTracker tracker = senders.get(senderId);
      newSender = tracker == null;
      if (newSender) {
        tracker = new SequenceTracker(window);
        senders.put(senderId, tracker);
      }
      first = tracker.accept(sequence);
      gapFrom = tracker.gapFrom();
      gapTo = tracker.gapTo();
    }
    if (!first) {
      duplicates.increment();
    } else if (gapFrom > 0) {
      reportGap(senderId, sequence, newSender, gapFrom, gapTo);
    }
    return first;
  }

  private void reportGap(long senderId, long sequence, boolean newSender, long gapFrom, long gapTo) {
    String missing = gapFrom == gapTo ? "seq " + gapFrom : "seq " + gapFrom + ".." + gapTo;
    if (newSender) {
      // Sent before this server started, or by a sender it forgot: not a loss it can tell
      LOG.info("First frame from sender {} is seq {}: {} not received by this server", hex(senderId), sequence, missing);
    } else {
      gaps.increment();
      LOG.warn("Gap from sender {}: {} not received (got {})", hex(senderId), missing, sequence);
    }
  }

  /** Called with the lock held, when the map grows past maxSenders. */
  private void forget(long senderId) {
    if (forgotten++ == 0) {
      LOG.warn("Tracking the sequences of {} senders at most: forgetting the least recently seen (sender {}); "
          + "a forgotten sender's resent frames count as new", maxSenders, hex(senderId));
    }
  }

  long duplicates() {
    return duplicates.sum();
  }

  long gaps() {
    return gaps.sum();
  }

  /** The ledger's part of the stats line: {@code ; 3 duplicates, 1 gap, 2 senders tracked}. */
  synchronized String describe() {
    String line = String.format(Locale.ROOT, "; %d duplicates, %d %s, %d %s tracked", duplicates.sum(), gaps.sum(),
        gaps.sum() == 1 ? "gap" : "gaps", senders.size(), senders.size() == 1 ? "sender" : "senders");
    return forgotten > 0 ? line + " (" + forgotten + " forgotten)" : line;
  }

  private static String hex(long id) {
    return String.format("%016x", id);
  }

  private static LocalMap<String, DeliveryLedger> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP_NAME);
  }
}
