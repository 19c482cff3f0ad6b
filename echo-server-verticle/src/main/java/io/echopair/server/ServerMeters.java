package io.echopair.server;

import io.echopair.runtime.management.PieceProbes;
import java.util.function.ToLongFunction;

/**
 * The server's meters on the management endpoint's {@code /metrics}, read when scraped from the counters the stats
 * lines read ({@link ServerStats}, {@link DeliveryLedger}): one source of truth.
 */
final class ServerMeters {

  private ServerMeters() {
  }

  /** Adds the meters of one deployment; its reporting instance calls this once. */
  static void register(PieceProbes probes, ServerStats stats, DeliveryLedger ledger) {
    count(probes, stats, "frames.received", "Frames received", ServerStats.Snapshot::framesIn);
    count(probes, stats, "frames.echoed", "Frames echoed back", ServerStats.Snapshot::framesOut);
    count(probes, stats, "bytes.received", "Bytes received", ServerStats.Snapshot::bytesIn);
    count(probes, stats, "corrupt.frames", "Tagged frames whose checksum failed", ServerStats.Snapshot::corrupt);
    count(probes, stats, "undecodable.frames", "Frames whose text is not UTF-8", ServerStats.Snapshot::undecodable);
    count(probes, stats, "connections.accepted", "Connections accepted", ServerStats.Snapshot::accepted);
    count(probes, stats, "connections.refused", "Connections refused by the connection limits",
        ServerStats.Snapshot::refused);
    probes.count("echopair.server.duplicate.frames", "Resent frames already logged, not logged again",
            ledger::duplicates)
        .count("echopair.server.gaps", "Runs of sequence numbers that never arrived", ledger::gaps)
        .count("echopair.server.stream.published.frames", "Frames published on the event bus (publish on)",
            stats::framesPublished)
        .count("echopair.server.stream.dropped.frames",
            "Frames not published because the stream's consumers were behind (publishBacklogBytes)",
            stats::framesNotPublished)
        .gauge("echopair.server.connections", "Connections open", stats::open)
        .gauge("echopair.server.paused.connections", "Connections not read now, by reason",
            stats::connectionsPausedForEchoes, "reason", "echoes")
        .gauge("echopair.server.paused.connections", "Connections not read now, by reason",
            stats::connectionsPausedForLog, "reason", "log");
  }

  private static void count(PieceProbes probes, ServerStats stats, String name, String help,
                            ToLongFunction<ServerStats.Snapshot> figure) {
    probes.count("echopair.server." + name, help, () -> figure.applyAsLong(stats.snapshot()));
  }
}
