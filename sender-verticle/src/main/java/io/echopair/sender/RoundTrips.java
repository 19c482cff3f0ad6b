package io.echopair.sender;

import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The round trips of one sender's frames since its last stats line: each connection records its echoes here, the
 * stats line reads and resets it. One per verticle, as all its connections share its event loop.
 */
final class RoundTrips {

  private final Histogram micros = new Histogram(3);
  // The management endpoint's histogram, when there is one
  private Timer exported;

  /** Also records every round trip into {@code histogram}, which is never reset. */
  void exportTo(Timer histogram) {
    exported = histogram;
  }

  /** One frame's time from its write to its echo. */
  void record(long rttMicros) {
    micros.recordValue(rttMicros);
    if (exported != null) {
      exported.record(rttMicros, TimeUnit.MICROSECONDS);
    }
  }

  /** The figures of {@link #describeAndReset} as fields of the stats line, in ms; none without echoes. */
  LoggingEventBuilder addFigures(LoggingEventBuilder line) {
    if (micros.getTotalCount() == 0) {
      return line;
    }
    return line.addKeyValue("rttP50Ms", micros.getValueAtPercentile(50) / 1000.0)
        .addKeyValue("rttP90Ms", micros.getValueAtPercentile(90) / 1000.0)
        .addKeyValue("rttP99Ms", micros.getValueAtPercentile(99) / 1000.0)
        .addKeyValue("rttMaxMs", micros.getMaxValue() / 1000.0);
  }

  /** {@code RTT p50 0.12 ms, p90 0.20 ms, p99 0.51 ms, max 1.02 ms} ({@code RTT n/a} without echoes); then empties. */
  String describeAndReset() {
    if (micros.getTotalCount() == 0) {
      return "RTT n/a";
    }
    String line = String.format(Locale.ROOT, "RTT p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
        micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(90) / 1000.0,
        micros.getValueAtPercentile(99) / 1000.0, micros.getMaxValue() / 1000.0);
    micros.reset();
    return line;
  }
}
