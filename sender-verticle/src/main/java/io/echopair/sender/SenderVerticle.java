package io.echopair.sender;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.LiveConfig;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.launch.FinishedDeployment;
import io.echopair.runtime.launch.RunsToCompletion;
import io.echopair.runtime.management.PieceProbes;
import io.echopair.runtime.tls.CertificateWatch;
import io.echopair.runtime.tls.TlsCredentials;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.healthchecks.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Sends frames to the echo server over one or more connections on one {@link TickSchedule}, matches their echoes, and
 * finishes by itself after {@code count} frames per connection, undeploying itself.
 *
 * <p>Per connection it wires an {@link OutboundQueue} (the frames) to a {@link ReconnectLoop} (the sockets, each a
 * {@link Connection}).
 */
public final class SenderVerticle extends VerticleBase implements RunsToCompletion {

  private static final Logger LOG = LoggerFactory.getLogger(SenderVerticle.class);

  /** The keys a changed configuration file applies at once; any other change waits for a restart. */
  static final Set<String> LIVE_KEYS = Set.of(SenderConfig.INTERVAL_MS, SenderConfig.MESSAGE, SenderConfig.FRAMES_PER_TICK);

  private final ConfigSource source;
  private final Overrides overrides;
  private final long scanPeriodMs;
  // The server's port when the application that deploys both knows it better than the configuration; 0 if not
  private final int serverPort;
  private final Promise<Integer> completion = Promise.promise();
  private final List<ReconnectLoop> streams = new ArrayList<>();
  private final Latencies roundTrips = Latencies.roundTrips();
  private final Latencies drift = Latencies.tickDrift();

  private LayeredConfig layered;
  private LiveConfig<SenderConfig> live;
  private NetClient client;
  private CertificateWatch certificates;
  private TickSchedule schedule;
  // Streams that produced their count
  private int streamsDone;
  private long statsTimer = -1;
  private boolean producing;
  private long lastStatsSent;
  private long lastStatsNanos;
  private Drain drain;
  private Future<Void> finished;
  private volatile SenderStats finalStats;
  private PieceProbes probes;

  /** A sender configured by its deployment's {@code config()}. */
  public SenderVerticle() {
    this(null, Overrides.fromProcess(), LayeredConfig.DEFAULT_SCAN_PERIOD_MS, 0);
  }

  /** A sender configured by {@code source}; a file source is watched for live changes. */
  public SenderVerticle(ConfigSource source) {
    this(source, Overrides.fromProcess(), LayeredConfig.DEFAULT_SCAN_PERIOD_MS, 0);
  }

  /** A sender configured by {@code source} and {@code overrides} only (not this process's environment). */
  public SenderVerticle(ConfigSource source, Overrides overrides) {
    this(source, overrides, LayeredConfig.DEFAULT_SCAN_PERIOD_MS, 0);
  }

  /** A sender whose file source is looked at every {@code scanPeriodMs} (tests use e.g. 100). */
  SenderVerticle(ConfigSource source, Overrides overrides, long scanPeriodMs) {
    this(source, overrides, scanPeriodMs, 0);
  }

  private SenderVerticle(ConfigSource source, Overrides overrides, long scanPeriodMs, int serverPort) {
    this.source = source;
    this.overrides = overrides;
    this.scanPeriodMs = scanPeriodMs;
    this.serverPort = serverPort;
  }

  /**
   * A sender configured by {@code source} that connects to {@code port} whatever its configuration says: the port an
   * echo server of the same application got from the OS.
   */
  public static SenderVerticle toServerPort(ConfigSource source, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("not a server port: " + port);
    }
    return new SenderVerticle(source, Overrides.fromProcess(), LayeredConfig.DEFAULT_SCAN_PERIOD_MS, port);
  }

  /** Loads and checks the configuration (the deployment fails with its one-line ConfigException), then starts. */
  @Override
  public Future<?> start() {
    ConfigSource from = source != null ? source : ConfigSource.inline(config());
    layered = new LayeredConfig(vertx, from, SenderConfig.SCHEMA, overrides, scanPeriodMs);
    return layered.load()
        .compose(values -> {
          SenderConfig checked = SenderConfig.from(values);
          SenderConfig config = serverPort == 0 ? checked : checked.withPort(serverPort);
          return credentialsOf(config).map(credentials -> {
            begin(values, config, credentials);
            return values;
          });
        })
        .onFailure(this::failedToStart);
  }

  /** The TLS files read and checked off the event loop; null for plain TCP. */
  private Future<TlsCredentials> credentialsOf(SenderConfig checked) {
    return checked.usesTls() ? vertx.executeBlocking(() -> checked.tls().load()) : Future.succeededFuture(null);
  }

  private void begin(ConfigValues values, SenderConfig config, TlsCredentials credentials) {
    live = new LiveConfig<>(values, config, LIVE_KEYS, SenderConfig::from, SenderConfig::withLiveKeysOf, true);
    drain = new Drain(vertx, streams, config.drainTimeoutMs());
    NetClientOptions options = new NetClientOptions().setConnectTimeout(config.connectTimeoutMs());
    if (credentials != null) {
      config.tls().applyTo(options, credentials, config.connectTimeoutMs());
      certificates = CertificateWatch.start(vertx, "sender", credentials, scanPeriodMs, this::renew);
    }
    client = vertx.createNetClient(options);
    for (int i = 1; i <= config.connections(); i++) {
      OutboundQueue queue = new OutboundQueue(i, config.queueCapacity(), config.format());
      streams.add(new ReconnectLoop(i, vertx, client, config, queue, ServerLocator.forStream(vertx, config, i),
          roundTrips, drain::check));
    }
    LOG.info("Sender connecting to {} ({}, {}){}", ServerLocator.describe(vertx, config),
        plural(config.connections(), "connection"), describeRate(config),
        credentials == null ? "" : " " + config.tls().describe(credentials, options.getSslEngineOptions()));
    probes = SenderMeters.register(PieceProbes.of(vertx, context), streams, config.acks(), roundTrips, drift)
        .ready("sender", this::readiness);
    streams.forEach(ReconnectLoop::connect);
    if (config.statsIntervalMs() > 0) {
      lastStatsNanos = System.nanoTime();
      statsTimer = vertx.setPeriodic(config.statsIntervalMs(), this::logStats);
    }
    layered.watch(next -> live.change(next).ifPresent(this::apply));
    producing = true;
    schedule = new TickSchedule(vertx, streams.size(), this::tick, drift);
    schedule.start(config.intervalMs());
  }

  /** New connections use renewed credentials; open ones keep theirs. */
  private Future<Boolean> renew(TlsCredentials renewed) {
    return client.updateSSLOptions(settings().tls().sslOptions(renewed));
  }

  private void failedToStart(Throwable cause) {
    layered.close();
    completion.tryFail(cause);
  }

  @Override
  public Future<?> stop() {
    FinishedDeployment.forget(vertx, context);
    producing = false;
    if (schedule != null) {
      schedule.stop();
    }
    vertx.cancelTimer(statsTimer);
    if (layered != null) {
      layered.close();
    }
    if (certificates != null) {
      certificates.close();
    }
    if (live == null) {
      completion.tryComplete(ExitStatus.OK);
      return Future.succeededFuture();
    }
    streams.forEach(ReconnectLoop::stopReconnecting);
    return drain.await(true).compose(drained -> finish()).eventually(client::close)
        .andThen(done -> probes.close());
  }

  @Override
  public Future<Integer> completion() {
    return completion.future();
  }

  /** The totals right now, read on the verticle's event loop; the final ones once it finished. */
  public Future<SenderStats> stats() {
    SenderStats last = finalStats;
    if (last != null) {
      return Future.succeededFuture(last);
    }
    Promise<SenderStats> snapshot = Promise.promise();
    context.runOnContext(v -> {
      if (live == null) {
        snapshot.fail(new IllegalStateException("the sender has not started"));
      } else {
        snapshot.complete(SenderStats.of(streams, settings().acks()));
      }
    });
    return snapshot.future();
  }

  /** Ready while it produces and holds a connection to a server (with discovery: once it found one). */
  private Status readiness() {
    long connected = streams.stream().filter(ReconnectLoop::connected).count();
    JsonObject data = new JsonObject().put("connected", connected).put("connections", streams.size());
    return producing && connected > 0 ? Status.OK(data) : Status.KO(data.put("producing", producing));
  }

  /** The configuration in force. */
  private SenderConfig settings() {
    return live.current();
  }

  /** A live change: the next ticks use the new message, rate and interval. */
  private void apply(SenderConfig changed) {
    if (producing) {
      schedule.change(changed.intervalMs());
    }
  }

  // ---- producing

  /** One stream's tick: its frames of this tick into its queue, and out as far as its connection takes them. */
  private void tick(int index) {
    if (!producing) {
      return;
    }
    SenderConfig config = settings();
    ReconnectLoop stream = streams.get(index);
    long frames = config.framesPerTick();
    if (config.finite()) {
      frames = Math.min(frames, config.count() - stream.queue().produced());
    }
    if (frames <= 0) {
      return;
    }
    stream.produce((int) frames, config.encodedMessage(), epochMicros());
    if (config.finite() && stream.queue().produced() >= config.count() && ++streamsDone == streams.size()) {
      producing = false;
      schedule.stop();
      LOG.info("Produced {} per connection; waiting up to {} ms for the last {}",
          plural(config.count(), "frame"), config.drainTimeoutMs(), config.acks() ? "echoes" : "writes");
      drain.await(false).compose(drained -> finish())
          .onComplete(closed -> FinishedDeployment.instanceFinished(vertx, context));
    }
  }

  private static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  // ---- finishing

  /** Logs the final line once, closes the connections and completes {@link #completion()}. */
  private Future<Void> finish() {
    if (finished != null) {
      return finished;
    }
    SenderStats totals = SenderStats.of(streams, settings().acks());
    finalStats = totals;
    totals.addFinalFigures(LOG.atInfo()).log("Sender finished: {}", totals.describeFinal());
    vertx.cancelTimer(statsTimer);
    List<Future<Void>> closed = streams.stream().map(ReconnectLoop::close).toList();
    finished = Future.join(closed).<Void>mapEmpty().otherwiseEmpty();
    // Whether count was reached or the sender was stopped (SIGTERM, undeploy): 0 only if every frame got through
    completion.tryComplete(totals.allDone() ? ExitStatus.OK : ExitStatus.UNACKNOWLEDGED);
    return finished;
  }

  // ---- stats

  private void logStats(long timerId) {
    SenderStats totals = SenderStats.of(streams, settings().acks());
    long now = System.nanoTime();
    long elapsedMs = (now - lastStatsNanos) / 1_000_000;
    LoggingEventBuilder fields = totals.addRateFigures(lastStatsSent, elapsedMs, LOG.atInfo());
    String line = totals.describeRate(lastStatsSent, elapsedMs);
    lastStatsSent = totals.sent();
    lastStatsNanos = now;
    if (settings().acks()) {
      roundTrips.addFigures(fields);
    }
    String rtt = roundTrips.describeAndReset();
    fields.log("Stats: {}; {}", line, settings().acks() ? rtt : "RTT n/a");
    // The schedule on a line of its own: how late the connections' ticks ran in the same interval
    drift.addFigures(LOG.atInfo().addKeyValue("ticks", drift.count()))
        .log("Ticks: {}, {}", drift.count(), drift.describeAndReset());
  }

  // ---- wording

  private static String describeRate(SenderConfig config) {
    String frames = config.framesPerTick() == 1 ? "a frame" : config.framesPerTick() + " frames";
    String rate = frames + " every " + config.intervalMs() + " ms";
    return config.finite() ? rate + ", " + plural(config.count(), "frame") + " per connection" : rate;
  }

  private static String plural(long n, String noun) {
    return n + " " + (n == 1 ? noun : noun + "s");
  }
}
