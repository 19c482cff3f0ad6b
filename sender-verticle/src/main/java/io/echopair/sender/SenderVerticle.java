package io.echopair.sender;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.launch.RunsToCompletion;
import io.echopair.runtime.tls.CertificateWatch;
import io.echopair.runtime.tls.TlsCredentials;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends frames to the echo server on a periodic timer over one or more connections, matches their echoes, and
 * finishes by itself after {@code count} frames per connection.
 */
public final class SenderVerticle extends VerticleBase implements RunsToCompletion {

  private static final Logger LOG = LoggerFactory.getLogger(SenderVerticle.class);

  /** The keys a changed configuration file applies at once; any other change waits for a restart. */
  static final Set<String> LIVE_KEYS = Set.of(SenderConfig.INTERVAL_MS, SenderConfig.MESSAGE, SenderConfig.FRAMES_PER_TICK);

  private final ConfigSource source;
  private final Overrides overrides;
  private final long scanPeriodMs;
  private final Promise<Integer> completion = Promise.promise();
  private final List<FrameStream> streams = new ArrayList<>();
  // RTTs in microseconds since the last stats line; one per verticle, as all its streams share its event loop.
  private final Histogram rttMicros = new Histogram(3);

  private LayeredConfig layered;
  private ConfigValues running;
  private SenderConfig config;
  private byte[] text;
  private NetClient client;
  private CertificateWatch certificates;
  private long tickTimer = -1;
  private long statsTimer = -1;
  private AckWatchdog ackWatchdog;
  private boolean producing;
  private long lastStatsSent;
  private long lastStatsNanos;
  private Promise<Void> drain;
  private boolean drainGivesUpOnDisconnected;
  private long drainTimer = -1;
  private Future<Void> finished;

  /** A sender configured by its deployment's {@code config()}. */
  public SenderVerticle() {
    this(null, Overrides.fromProcess(), LayeredConfig.DEFAULT_SCAN_PERIOD_MS);
  }

  /** A sender configured by {@code source}; a file source is watched for live changes. */
  public SenderVerticle(ConfigSource source) {
    this(source, Overrides.fromProcess(), LayeredConfig.DEFAULT_SCAN_PERIOD_MS);
  }

  /** A sender configured by {@code source} and {@code overrides} only (not this process's environment). */
  public SenderVerticle(ConfigSource source, Overrides overrides) {
    this(source, overrides, LayeredConfig.DEFAULT_SCAN_PERIOD_MS);
  }

  SenderVerticle(ConfigSource source, Overrides overrides, long scanPeriodMs) {
    this.source = source;
    this.overrides = overrides;
    this.scanPeriodMs = scanPeriodMs;
  }

  @Override
  public Future<?> start() {
    ConfigSource from = source != null ? source : ConfigSource.inline(config());
    layered = new LayeredConfig(vertx, from, SenderConfig.SCHEMA, overrides, scanPeriodMs);
    return layered.load()
        .compose(values -> {
          running = values;
          SenderConfig checked = SenderConfig.from(values);
          return credentialsOf(checked).map(credentials -> {
            begin(checked, credentials);
            return values;
          });
        })
        .onFailure(this::failedToStart);
  }

  /** The TLS files read and checked off the event loop; null for plain TCP. */
  private Future<TlsCredentials> credentialsOf(SenderConfig checked) {
    return checked.usesTls() ? vertx.executeBlocking(() -> checked.tls().load()) : Future.succeededFuture(null);
  }

  private void begin(SenderConfig checked, TlsCredentials credentials) {
    config = checked;
    text = config.encodedMessage();
    NetClientOptions options = new NetClientOptions().setConnectTimeout(config.connectTimeoutMs());
    if (credentials != null) {
      config.tls().applyTo(options, credentials, config.connectTimeoutMs());
      certificates = CertificateWatch.start(vertx, "sender", credentials, scanPeriodMs, this::renew);
    }
    client = vertx.createNetClient(options);
    boolean discovery = running.bool(SenderConfig.DISCOVERY);
    for (int i = 1; i <= config.connections(); i++) {
      streams.add(new FrameStream(i, vertx, client, config, rttMicros, this::checkDrained,
          ServerLocator.forStream(vertx, config, discovery, i)));
    }
    LOG.info("Sender connecting to {} ({}, {}){}", ServerLocator.describe(vertx, config, discovery),
        plural(config.connections(), "connection"), describeRate(config),
        credentials == null ? "" : " " + config.tls().describe(credentials, options.getSslEngineOptions()));
    streams.forEach(FrameStream::connect);
    ackWatchdog = AckWatchdog.watch(vertx, streams, config);
    if (config.statsIntervalMs() > 0) {
      lastStatsNanos = System.nanoTime();
      statsTimer = vertx.setPeriodic(config.statsIntervalMs(), this::logStats);
    }
    layered.watch(this::reload);
    producing = true;
    tickTimer = vertx.setPeriodic(config.intervalMs(), this::tick);
    // Like the seed's client, the first frame goes at once.
    tick(tickTimer);
  }

  /** New connections use renewed credentials; open ones keep theirs. */
  private Future<Boolean> renew(TlsCredentials renewed) {
    return client.updateSSLOptions(config.tls().sslOptions(renewed));
  }

  private void failedToStart(Throwable cause) {
    layered.close();
    completion.tryFail(cause);
  }

  @Override
  public Future<?> stop() {
    producing = false;
    vertx.cancelTimer(tickTimer);
    vertx.cancelTimer(statsTimer);
    if (layered != null) {
      layered.close();
    }
    if (certificates != null) {
      certificates.close();
    }
    if (config == null) {
      completion.tryComplete(ExitStatus.OK);
      return Future.succeededFuture();
    }
    streams.forEach(FrameStream::stopReconnecting);
    return drain(true).compose(drained -> finish()).eventually(client::close);
  }

  @Override
  public Future<Integer> completion() {
    return completion.future();
  }

  /** The totals right now, read on the verticle's event loop. */
  public Future<SenderStats> stats() {
    Promise<SenderStats> snapshot = Promise.promise();
    context.runOnContext(v -> {
      if (config == null) {
        snapshot.fail(new IllegalStateException("the sender has not started"));
      } else {
        snapshot.complete(SenderStats.of(streams, config.acks()));
      }
    });
    return snapshot.future();
  }

  // ---- producing

  private void tick(long timerId) {
    if (!producing) {
      return;
    }
    long sentAtMicros = epochMicros();
    boolean allProduced = true;
    for (FrameStream stream : streams) {
      long frames = config.framesPerTick();
      if (config.finite()) {
        frames = Math.min(frames, config.count() - stream.produced());
      }
      if (frames > 0) {
        stream.produce((int) frames, text, sentAtMicros);
      }
      allProduced &= config.finite() && stream.produced() >= config.count();
    }
    if (allProduced) {
      producing = false;
      vertx.cancelTimer(tickTimer);
      LOG.info("Produced {} per connection; waiting up to {} ms for the last {}",
          plural(config.count(), "frame"), config.drainTimeoutMs(), config.acks() ? "echoes" : "writes");
      drain(false).onComplete(drained -> finish());
    }
  }

  private static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  // ---- finishing

  /**
   * Completes when no stream has outstanding frames, or after drainTimeoutMs.
   *
   * @param givesUpOnDisconnected whether a stream without a connection counts as settled (on stop, when it will not
   *                              reconnect), rather than being waited for until it reconnects
   */
  private Future<Void> drain(boolean givesUpOnDisconnected) {
    drainGivesUpOnDisconnected |= givesUpOnDisconnected;
    if (drain == null) {
      drain = Promise.promise();
      if (config.drainTimeoutMs() > 0) {
        drainTimer = vertx.setTimer(config.drainTimeoutMs(), id -> drain.tryComplete());
      } else {
        drain.tryComplete();
      }
    }
    checkDrained();
    return drain.future();
  }

  /** Called whenever a stream made progress: ends the drain once every stream is settled. */
  private void checkDrained() {
    if (drain == null || drain.future().isComplete()) {
      return;
    }
    for (FrameStream stream : streams) {
      if (stream.outstanding() > 0 && (stream.mayProgress() || !drainGivesUpOnDisconnected)) {
        return;
      }
    }
    vertx.cancelTimer(drainTimer);
    drain.tryComplete();
  }

  /** Logs the final line once, closes the connections and completes {@link #completion()}. */
  private Future<Void> finish() {
    if (finished != null) {
      return finished;
    }
    SenderStats totals = SenderStats.of(streams, config.acks());
    LOG.info("Sender finished: {}", totals.describeFinal());
    vertx.cancelTimer(statsTimer);
    ackWatchdog.stop();
    List<Future<Void>> closed = streams.stream().map(FrameStream::close).toList();
    finished = Future.join(closed).<Void>mapEmpty().otherwiseEmpty();
    // Whether count was reached or the sender was stopped (SIGTERM, undeploy): 0 only if every frame got through
    boolean unacknowledged = !totals.allDone();
    completion.tryComplete(unacknowledged ? ExitStatus.UNACKNOWLEDGED : ExitStatus.OK);
    return finished;
  }

  // ---- stats

  private void logStats(long timerId) {
    SenderStats totals = SenderStats.of(streams, config.acks());
    long now = System.nanoTime();
    String line = totals.describeRate(lastStatsSent, (now - lastStatsNanos) / 1_000_000);
    lastStatsSent = totals.sent();
    lastStatsNanos = now;
    LOG.info("Stats: {}; {}", line, describeRtt());
    rttMicros.reset();
  }

  private String describeRtt() {
    if (!config.acks() || rttMicros.getTotalCount() == 0) {
      return "RTT n/a";
    }
    return String.format(Locale.ROOT, "RTT p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
        rttMicros.getValueAtPercentile(50) / 1000.0, rttMicros.getValueAtPercentile(90) / 1000.0,
        rttMicros.getValueAtPercentile(99) / 1000.0, rttMicros.getMaxValue() / 1000.0);
  }

  // ---- live reload

  private void reload(ConfigValues changed) {
    SenderConfig candidate;
    byte[] candidateText;
    try {
      candidate = SenderConfig.from(changed);
      // Check against the frame size in force: a new frameSize waits for a restart.
      candidateText = checkedText(candidate.message());
    } catch (ConfigException invalid) {
      LOG.warn("Configuration change ignored: {}", invalid.getMessage());
      return;
    }
    for (String key : running.changedKeys(changed)) {
      String before = render(running, key);
      String after = render(changed, key);
      if (LIVE_KEYS.contains(key)) {
        LOG.info("{} changed {} -> {}, applied", key, before, after);
      } else {
        LOG.warn("{} changed {} -> {}: needs a restart, ignored", key, before, after);
      }
    }
    long intervalBefore = config.intervalMs();
    running = changed;
    config = config.withLiveKeysOf(candidate);
    text = candidateText;
    if (producing && config.intervalMs() != intervalBefore) {
      vertx.cancelTimer(tickTimer);
      tickTimer = vertx.setPeriodic(config.intervalMs(), this::tick);
    }
  }

  private byte[] checkedText(String message) {
    try {
      return config.format().encodeText(message);
    } catch (IllegalArgumentException doesNotFit) {
      throw ConfigException.invalid(SenderConfig.SECTION, SenderConfig.MESSAGE, message, doesNotFit.getMessage());
    }
  }

  private static String render(ConfigValues values, String key) {
    return ConfigException.render(values.toJson().getValue(key));
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
