package io.echopair.runtime.management;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the pieces of one Vert.x instance show its management endpoint: readiness checks, liveness checks and
 * meters. The launcher installs it when {@code management.port} is set; a piece reaches it through
 * {@link PieceProbes}, which does nothing when it is absent.
 *
 * <p>It lives in a Vert.x local map, so that a verticle needs nothing but its {@code Vertx} to find it, however it was
 * deployed.
 */
public final class Probes implements Shareable {

  private static final String MAP_NAME = "io.echopair.management";
  private static final String KEY = "probes";
  /** How long a check may take on its piece's event loop before it counts as failed. */
  private static final long CHECK_TIMEOUT_MS = 2000;

  private final MeterRegistry meters;
  private final HealthChecks readiness;
  private final HealthChecks liveness;
  private final Map<String, AtomicInteger> instancesByName = new ConcurrentHashMap<>();
  private final Map<Meter.Id, Sum> sums = new ConcurrentHashMap<>();
  private final List<Refresh> refreshes = new CopyOnWriteArrayList<>();

  private Probes(Vertx vertx, MeterRegistry meters) {
    this.meters = meters;
    this.readiness = HealthChecks.create(vertx);
    this.liveness = HealthChecks.create(vertx);
  }

  /** The probes of {@code vertx}; empty when it runs without a management endpoint. */
  public static Optional<Probes> of(Vertx vertx) {
    return Optional.ofNullable(map(vertx).get(KEY));
  }

  /** Gives {@code vertx} its probes, whose meters go to {@code meters}. */
  public static Probes install(Vertx vertx, MeterRegistry meters) {
    Probes probes = new Probes(vertx, meters);
    map(vertx).put(KEY, probes);
    return probes;
  }

  public MeterRegistry meters() {
    return meters;
  }

  /** The checks of {@code /ready}: whether this JVM's pieces want traffic now. */
  public HealthChecks readiness() {
    return readiness;
  }

  /** The checks of {@code /health}: whether this JVM still works, or should be restarted. */
  public HealthChecks liveness() {
    return liveness;
  }

  /**
   * Adds a readiness check, run on {@code context} (the piece's event loop, whose state it reads).
   *
   * @param name the piece, e.g. {@code server}; a second instance's check gets {@code server-2}
   * @return what removes the check
   */
  public Runnable ready(String name, Context context, Supplier<Status> check) {
    int instance = instancesByName.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    String unique = instance == 1 ? name : name + "-" + instance;
    readiness.register(unique, CHECK_TIMEOUT_MS, onContext(context, check));
    return () -> readiness.unregister(unique);
  }

  /** Adds a liveness check, run on the thread of the request. */
  public void live(String name, Supplier<Status> check) {
    liveness.register(name, CHECK_TIMEOUT_MS, promise -> promise.complete(check.get()));
  }

  /**
   * Adds {@code source} to the counter {@code name}, whose value is the sum over its sources (one per instance of a
   * piece). The counter is read when scraped, from the same counters as the stats lines.
   *
   * @return what takes the source out again
   */
  public Runnable count(String name, String help, LongSupplier source, String... tags) {
    return addTo(new Meter.Id(name, Tags.of(tags), null, help, Meter.Type.COUNTER), source);
  }

  /** Like {@link #count}, for a value that goes up and down. */
  public Runnable gauge(String name, String help, LongSupplier source, String... tags) {
    return addTo(new Meter.Id(name, Tags.of(tags), null, help, Meter.Type.GAUGE), source);
  }

  /**
   * Runs {@code refresh} on {@code context} before each scrape, so that a meter can read figures that only the
   * piece's event loop may touch.
   *
   * @return what removes it
   */
  public Runnable beforeScrape(Context context, Runnable refresh) {
    Refresh entry = new Refresh(context, refresh);
    refreshes.add(entry);
    return () -> refreshes.remove(entry);
  }

  /** Runs the refreshes, each on its own event loop; completes when all are done. */
  Future<Void> refresh() {
    List<Future<Void>> done = refreshes.stream().map(Refresh::run).toList();
    return Future.join(done).mapEmpty();
  }

  private Runnable addTo(Meter.Id id, LongSupplier source) {
    Sum sum = sums.computeIfAbsent(id, this::register);
    sum.sources.add(source);
    return () -> {
      sum.sources.remove(source);
      if (sum.sources.isEmpty() && sums.remove(id, sum)) {
        meters.remove(sum.meter);
      }
    };
  }

  private Sum register(Meter.Id id) {
    Sum sum = new Sum();
    sum.meter = id.getType() == Meter.Type.COUNTER
        ? FunctionCounter.builder(id.getName(), sum, Sum::total).tags(id.getTags()).description(id.getDescription())
            .register(meters)
        : Gauge.builder(id.getName(), sum, Sum::total).tags(id.getTags()).description(id.getDescription())
            .register(meters);
    return sum;
  }

  private static io.vertx.core.Handler<Promise<Status>> onContext(Context context, Supplier<Status> check) {
    return promise -> context.runOnContext(v -> promise.complete(check.get()));
  }

  private static LocalMap<String, Probes> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP_NAME);
  }

  /** The sources of one meter. */
  private static final class Sum {
    final List<LongSupplier> sources = new CopyOnWriteArrayList<>();
    Meter meter;

    double total() {
      long total = 0;
      for (LongSupplier source : sources) {
        total += source.getAsLong();
      }
      return total;
    }
  }

  private record Refresh(Context context, Runnable action) {

    Future<Void> run() {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        try {
          action.run();
        } finally {
          // Even a refresh that failed must not hold the scrape up
          done.complete();
        }
      });
      return done.future();
    }
  }
}
