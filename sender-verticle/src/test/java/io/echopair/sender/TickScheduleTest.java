package io.echopair.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TickScheduleTest {

  private static final long INTERVAL_MS = 100;
  private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);

  /** One tick as a test saw it: which stream, and when. */
  private record Tick(int stream, long atNanos) {
  }

  @Test
  @DisplayName("Each stream ticks once per interval, in turn, at its share of the interval and never before it")
  void spreadsTheStreamsOverTheInterval(Vertx vertx, VertxTestContext ctx) {
    int streams = 4;
    int rounds = 3;
    List<Tick> ticks = new ArrayList<>();
    Latencies drift = Latencies.tickDrift();
    long[] started = new long[1];
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      TickSchedule[] schedule = new TickSchedule[1];
      schedule[0] = new TickSchedule(vertx, streams, stream -> {
        ticks.add(new Tick(stream, System.nanoTime()));
        if (ticks.size() == streams * rounds) {
          schedule[0].stop();
          ctx.verify(() -> {
            assertThat(ticks).extracting(Tick::stream).containsExactly(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3);
            for (int i = 0; i < ticks.size(); i++) {
              long due = started[0] + (i / streams) * INTERVAL_NANOS + (i % streams) * INTERVAL_NANOS / streams;
              assertThat(ticks.get(i).atNanos()).as("tick %d is not early", i).isGreaterThanOrEqualTo(due);
            }
            assertThat(drift.count()).as("one lateness per tick").isEqualTo(streams * rounds);
            assertThat(drift.describeAndReset()).matches("drift p50 \\d+\\.\\d\\d ms, p90 .*, max \\d+\\.\\d\\d ms");
          });
          ctx.completeNow();
        }
      }, drift);
      started[0] = System.nanoTime();
      schedule[0].start(INTERVAL_MS);
    });
  }

  @Test
  @DisplayName("Ticks missed while the event loop was busy run late, not never, and their lateness is recorded")
  void busyLoopMakesTicksLateNotLost(Vertx vertx, VertxTestContext ctx) {
    int streams = 2;
    List<Tick> ticks = new ArrayList<>();
    Latencies drift = Latencies.tickDrift();
    long stallNanos = 3 * INTERVAL_NANOS;
    vertx.getOrCreateContext().runOnContext(v -> {
      TickSchedule[] schedule = new TickSchedule[1];
      schedule[0] = new TickSchedule(vertx, streams, stream -> {
        ticks.add(new Tick(stream, System.nanoTime()));
        if (ticks.size() == 1) {
          // Keep the event loop busy for three intervals, as a long burst of work would
          long until = System.nanoTime() + stallNanos;
          while (System.nanoTime() < until) {
            Thread.onSpinWait();
          }
        }
        if (ticks.size() == 12) {
          schedule[0].stop();
          ctx.verify(() -> {
            assertThat(ticks).extracting(Tick::stream).containsExactly(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
            // Stream 1 of round 0 and both of rounds 1 and 2 were due during the stall: they ran soon after it
            assertThat(ticks.get(5).atNanos() - ticks.get(1).atNanos()).isLessThan(INTERVAL_NANOS);
            assertThat(drift.count()).isEqualTo(12);
            // Stream 1 of round 0 was due half an interval after the start, and waited for the rest of the stall
            double maxMs = Double.parseDouble(drift.describeAndReset().replaceFirst(".*max (\\S+) ms", "$1"));
            assertThat(maxMs).isGreaterThanOrEqualTo((stallNanos - INTERVAL_NANOS / streams) / 1e6);
          });
          ctx.completeNow();
        }
      }, drift);
      schedule[0].start(INTERVAL_MS);
    });
  }
}
