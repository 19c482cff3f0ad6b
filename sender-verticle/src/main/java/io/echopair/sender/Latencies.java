package io.echopair.sender;

import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One kind of time a sender measures, since its last stats line: the round trips of its frames, or how late its ticks
 * ran. Its connections and its schedule record here, the stats line reads and resets it. One of each per verticle, as
 * all its connections share its event loop.
 */
final class Latencies {

  private final String label;
  private final String field;
  private final Histogram micros = new Histogram(3);
  // The management endpoint's histogram, when there is one
  private Timer exported;

  /**
   * @param label what the stats line calls it ({@code RTT}, {@code tick drift})
   * @param field the prefix of its fields in a structured line ({@code rtt}: {@code rttP50Ms} ...)
   */
  Latencies(String label, String field) {
    this.label = label;
    this.field = field;
  }

  /** The round trips of frames, from a frame's write to its echo. */
  static Latencies roundTrips() {
    return new Latencies("RTT", "rtt");
  }

  /** How late each connection's tick ran after the time its schedule gave it. */
  static Latencies tickDrift() {
    return new Latencies("drift", "drift");
  }

  /** Also records every value into {@code histogram}, which is never reset. */
  void exportTo(Timer histogram) {
    exported = histogram;
  }

  /** {@code times} equal values of {@code micros}. */
  void record(long micros, long times) {
    this.micros.recordValueWithCount(micros, times);
    if (exported != null) {
      for (long i = 0; i < times; i++) {
        exported.record(micros, TimeUnit.MICROSECONDS);
      }
    }
  }

  /** Values recorded since the last {@link #describeAndReset}. */
  long count() {
    return micros.getTotalCount();
  }

  /** The figures of {@link #describeAndReset} as fields of the stats line, in ms; none without values. */
  LoggingEventBuilder addFigures(LoggingEventBuilder line) {
    if (micros.getTotalCount() == 0) {
      return line;
    }
    return line.addKeyValue(field + "P50Ms", micros.getValueAtPercentile(50) / 1000.0)
        .addKeyValue(field + "P90Ms", micros.getValueAtPercentile(90) / 1000.0)
        .addKeyValue(field + "P99Ms", micros.getValueAtPercentile(99) / 1000.0)
        .addKeyValue(field + "MaxMs", micros.getMaxValue() / 1000.0);
  }

  /** {@code RTT p50 0.12 ms, p90 0.20 ms, p99 0.51 ms, max 1.02 ms} ({@code RTT n/a} without values); then empties. */
  String describeAndReset() {
    if (micros.getTotalCount() == 0) {
      return label + " n/a";
    }
    String line = String.format(Locale.ROOT, "%s p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", label,
        micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(90) / 1000.0,
        micros.getValueAtPercentile(99) / 1000.0, micros.getMaxValue() / 1000.0);
    micros.reset();
    return line;
  }
}
