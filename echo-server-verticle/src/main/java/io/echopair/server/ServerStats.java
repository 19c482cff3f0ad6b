package io.echopair.server;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The counters of one server deployment, shared by all its instances (event loops) through a Vert.x local map.
 */
final class ServerStats implements Shareable {

  private static final String MAP_NAME = "io.echopair.server.stats";

  private final LongAdder accepted = new LongAdder();
  private final LongAdder closed = new LongAdder();
  private final LongAdder framesIn = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder framesOut = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder corrupt = new LongAdder();
  private final LongAdder undecodable = new LongAdder();
  private final LongAdder refused = new LongAdder();
  // The stream of received frames on the event bus (publish on)
  private final LongAdder published = new LongAdder();
  private final LongAdder notPublished = new LongAdder();
  // Connections not read right now, per ReadGate.Reason
  private final LongAdder[] stoppedReading = {new LongAdder(), new LongAdder()};
  private final AtomicInteger instances = new AtomicInteger();
  private final Snapshot created = new Snapshot(System.nanoTime(), 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** The stats of a deployment, created by whichever of its instances asks first. */
  static ServerStats forDeployment(Vertx vertx, String deploymentId) {
    return map(vertx).computeIfAbsent(deploymentId, id -> new ServerStats());
  }

  /** Counts a listening instance in; true for the first one, which then reports for the deployment. */
  boolean join() {
    return instances.getAndIncrement() == 0;
  }

  /** Counts a stopped instance out; true for the last one, which then logs the final stats. */
  boolean leave(Vertx vertx, String deploymentId) {
    if (instances.decrementAndGet() > 0) {
      return false;
    }
    map(vertx).removeIfPresent(deploymentId, this);
    return true;
  }

  /** Forgets the stats of a deployment none of whose instances got to listen. */
  void discardIfUnused(Vertx vertx, String deploymentId) {
    if (instances.get() == 0) {
      map(vertx).removeIfPresent(deploymentId, this);
    }
  }

  void connected() {
    accepted.increment();
  }

  void disconnected() {
    closed.increment();
  }

  void received(long bytes, int frames) {
    bytesIn.add(bytes);
    framesIn.add(frames);
  }

  void echoed(int frames, long bytes) {
    framesOut.add(frames);
    bytesOut.add(bytes);
  }

  void corruptFrame() {
    corrupt.increment();
  }

  void undecodableFrame() {
    undecodable.increment();
  }

  void streamPublished(int frames) {
    published.add(frames);
  }

  /** Frames not published because the stream's consumers were behind (publishBacklogBytes). */
  void streamDropped(int frames) {
    notPublished.add(frames);
  }

  long framesPublished() {
    return published.sum();
  }

  long framesNotPublished() {
    return notPublished.sum();
  }

  /** What the stats line adds when publish is on: {@code ; stream 1200 frames published, 30 dropped}. */
  String describeStream() {
    long out = published.sum();
    long dropped = notPublished.sum();
    if (out == 0 && dropped == 0) {
      return "";
    }
    return "; stream " + out + " frames published, " + dropped + " dropped (consumers behind)";
  }

  /** A connection refused by maxConnections or maxConnectionsPerAddress. */
  void refused() {
    refused.increment();
  }

  void readingStopped(ReadGate.Reason reason) {
    stoppedReading[reason.ordinal()].increment();
  }

  void readingRestarted(ReadGate.Reason reason) {
    stoppedReading[reason.ordinal()].decrement();
  }

  long open() {
    return accepted.sum() - closed.sum();
  }

  long bytesIn() {
    return bytesIn.sum();
  }

  /** Connections the server is not reading from right now because their echoes are not being read. */
  long connectionsPausedForEchoes() {
    return stoppedReading[ReadGate.Reason.ECHOES.ordinal()].sum();
  }

  /** Connections the server is not reading from right now because the log is behind. */
  long connectionsPausedForLog() {
    return stoppedReading[ReadGate.Reason.LOG.ordinal()].sum();
  }

  Snapshot snapshot() {
    return new Snapshot(System.nanoTime(), accepted.sum(), closed.sum(), framesIn.sum(), bytesIn.sum(),
        framesOut.sum(), bytesOut.sum(), corrupt.sum(), undecodable.sum(), refused.sum());
  }

  /** All zero, taken when the deployment's stats were created: the base of the final stats. */
  Snapshot created() {
    return created;
  }

  private static LocalMap<String, ServerStats> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP_NAME);
  }

  /** The counters at one moment. */
  record Snapshot(long atNanos, long accepted, long closed, long framesIn, long bytesIn, long framesOut,
                  long bytesOut, long corrupt, long undecodable, long refused) {

    /** The stats line body, with the rates since {@code earlier}. */
    String describeSince(Snapshot earlier) {
      double seconds = secondsSince(earlier);
      return String.format(Locale.ROOT,
          "%d connections open, %d accepted, %d refused; in %d frames (%.1f/s), %d bytes (%.1f KB/s); "
              + "out %d frames (%.1f/s), %d bytes; %d corrupt, %d undecodable",
          accepted - closed, accepted, refused,
          framesIn, (framesIn - earlier.framesIn) / seconds, bytesIn, (bytesIn - earlier.bytesIn) / seconds / 1000,
          framesOut, (framesOut - earlier.framesOut) / seconds, bytesOut,
          corrupt, undecodable);
    }

    /** The figures of {@link #describeSince} as fields of the line: counts, and rates per second to one decimal. */
    LoggingEventBuilder addFiguresSince(Snapshot earlier, LoggingEventBuilder line) {
      double seconds = secondsSince(earlier);
      return line.addKeyValue("connections", accepted - closed).addKeyValue("accepted", accepted)
          .addKeyValue("refused", refused)
          .addKeyValue("framesIn", framesIn)
          .addKeyValue("framesInPerSecond", rate(framesIn - earlier.framesIn, seconds))
          .addKeyValue("bytesIn", bytesIn).addKeyValue("bytesInPerSecond", rate(bytesIn - earlier.bytesIn, seconds))
          .addKeyValue("framesOut", framesOut)
          .addKeyValue("framesOutPerSecond", rate(framesOut - earlier.framesOut, seconds))
          .addKeyValue("bytesOut", bytesOut).addKeyValue("corrupt", corrupt).addKeyValue("undecodable", undecodable);
    }

    private double secondsSince(Snapshot earlier) {
      return Math.max(atNanos - earlier.atNanos, 1) / 1e9;
    }

    private static double rate(long count, double seconds) {
      return Math.round(count / seconds * 10) / 10.0;
    }
  }
}
