package io.echopair.sender;

import io.echopair.runtime.management.PieceProbes;
import java.time.Duration;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The sender's meters on the management endpoint's {@code /metrics}. They read {@link SenderStats}, the totals its
 * stats lines read, taken on the sender's event loop just before each scrape; its round trips also go to the
 * histogram {@code echopair_sender_rtt_seconds}, and how late its ticks ran to {@code echopair_sender_tick_drift_seconds}.
 */
final class SenderMeters {

  private static final Duration SHORTEST_BUCKET = Duration.ofNanos(50_000);
  private static final Duration LONGEST_BUCKET = Duration.ofSeconds(10);

  // Written on the sender's event loop before a scrape, read by the scrape
  private volatile SenderStats latest = new SenderStats(0, 0, 0, 0, 0, 0, 0, true);
  private volatile long connected;

  private SenderMeters() {
  }

  /** Adds one sender verticle's figures to the meters (summed over the verticle's instances); returns {@code probes}. */
  static PieceProbes register(PieceProbes probes, List<ReconnectLoop> streams, boolean acks, Latencies roundTrips,
                              Latencies drift) {
    if (!probes.enabled()) {
      return probes;
    }
    SenderMeters meters = new SenderMeters();
    probes.beforeScrape(() -> {
      meters.latest = SenderStats.of(streams, acks);
      meters.connected = streams.stream().filter(ReconnectLoop::connected).count();
    });
    meters.count(probes, "frames.produced", "Frames made by the ticks", SenderStats::produced);
    meters.count(probes, "frames.sent", "Frames written to sockets, resends included", SenderStats::sent);
    meters.count(probes, "frames.acknowledged", "Frames whose echo came back (0 with acks off)",
        stats -> stats.acks() ? stats.completed() : 0);
    meters.count(probes, "frames.dropped", "Frames dropped from full queues", SenderStats::dropped);
    meters.count(probes, "reconnects", "Connections made again after a failed attempt or a lost connection",
        SenderStats::reconnects);
    meters.count(probes, "unexpected.echoes", "Echoes that matched no frame in flight", SenderStats::unexpected);
    probes.gauge("echopair.sender.pending.frames", "Frames queued, in flight or being written",
            () -> meters.latest.outstanding())
        .gauge("echopair.sender.connections", "Connections open to a server", () -> meters.connected);
    roundTrips.exportTo(probes.histogram("echopair.sender.rtt", "Time from a frame's write to its echo",
        SHORTEST_BUCKET, LONGEST_BUCKET));
    drift.exportTo(probes.histogram("echopair.sender.tick.drift",
        "How late each connection's tick ran after the time its schedule gave it", SHORTEST_BUCKET,
        LONGEST_BUCKET));
    return probes;
  }

  private void count(PieceProbes probes, String name, String help, ToLongFunction<SenderStats> figure) {
    probes.count("echopair.sender." + name, help, () -> figure.applyAsLong(latest));
  }
}
