package io.echopair.runtime.management;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One verticle's view of the {@link Probes}: what it adds, it takes away again in {@link #close()} when it stops.
 * Without a management endpoint every call does nothing, so a piece needs no {@code if}.
 */
public final class PieceProbes {

  /** Meters of a JVM without an endpoint: an empty composite registry hands out meters that record nothing. */
  private static final MeterRegistry NONE = new CompositeMeterRegistry();

  private final Probes probes;
  private final Context context;
  private final List<Runnable> removals = new ArrayList<>();

  private PieceProbes(Probes probes, Context context) {
    this.probes = probes;
    this.context = context;
  }

  /** The probes of the verticle running on {@code context}. */
  public static PieceProbes of(Vertx vertx, Context context) {
    Optional<Probes> probes = Probes.of(vertx);
    return new PieceProbes(probes.orElse(null), context);
  }

  /** Whether a management endpoint reads what this verticle adds. */
  public boolean enabled() {
    return probes != null;
  }

  /** A readiness check named after the piece (e.g. {@code server}), run on this verticle's event loop. */
  public PieceProbes ready(String piece, Supplier<Status> check) {
    if (probes != null) {
      removals.add(probes.ready(piece, context, check));
    }
    return this;
  }

  /** This verticle's share of the counter {@code name}, e.g. {@code echopair.server.frames.received}. */
  public PieceProbes count(String name, String help, LongSupplier source, String... tags) {
    if (probes != null) {
      removals.add(probes.count(name, help, source, tags));
    }
    return this;
  }

  /** This verticle's share of the gauge {@code name}. */
  public PieceProbes gauge(String name, String help, LongSupplier source, String... tags) {
    if (probes != null) {
      removals.add(probes.gauge(name, help, source, tags));
    }
    return this;
  }

  /** Runs {@code refresh} on this verticle's event loop before each scrape. */
  public PieceProbes beforeScrape(Runnable refresh) {
    if (probes != null) {
      removals.add(probes.beforeScrape(context, refresh));
    }
    return this;
  }

  /**
   * A timer exported as a histogram with fixed buckets from {@code min} to {@code max} (1, 2.5 and 5 per decade),
   * shared by every instance that asks for the same name; one that records nothing without an endpoint.
   */
  public Timer histogram(String name, String help, Duration min, Duration max) {
    MeterRegistry registry = probes != null ? probes.meters() : NONE;
    return Timer.builder(name).description(help).serviceLevelObjectives(buckets(min, max)).register(registry);
  }

  /** Takes away everything this verticle added (the timers stay: other instances may share them). */
  public void close() {
    removals.forEach(Runnable::run);
    removals.clear();
  }

  /** 1, 2.5 and 5 per decade from {@code min} to {@code max}: 50 µs, 100 µs, 250 µs ... 10 s. */
  static Duration[] buckets(Duration min, Duration max) {
    List<Duration> buckets = new ArrayList<>();
    long[] steps = {10, 25, 50};
    for (long decade = 1; decade <= max.toNanos(); decade *= 10) {
      for (long step : steps) {
        long nanos = decade * step / 10;
        if (nanos >= min.toNanos() && nanos <= max.toNanos()) {
          buckets.add(Duration.ofNanos(nanos));
        }
      }
    }
    return buckets.toArray(Duration[]::new);
  }
}
