package io.echopair.monitor;

import io.echopair.protocol.ReceivedMessage;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.LiveConfig;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.management.PieceProbes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Watches the stream of received messages the echo servers publish on the event bus (their {@code publish} key):
 * one line per message, {@code [server 3fa2b7c1] 127.0.0.1:53422 seq=17: This Msg From Client}, and a count line
 * every statsIntervalMs.
 */
public final class MonitorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MonitorVerticle.class);

  private final ConfigSource source;
  private final Overrides overrides;
  private final long scanPeriodMs;

  private LayeredConfig layered;
  /** The one configuration record, swapped whole when logEvery changes. */
  private LiveConfig<MonitorConfig> live;
  private MessageConsumer<Object> consumer;
  private long statsTimer = -1;
  private long total;
  private long sinceLastCount;
  private long malformed;
  private long lastCountNanos;
  private final Set<String> serversSinceLastCount = new HashSet<>();
  private PieceProbes probes;
  private boolean registered;
  // Copies of total and malformed for /metrics, taken on this event loop before each scrape
  private volatile long totalScraped;
  private volatile long malformedScraped;

  /** A monitor configured by its deployment's {@code config()}. */
  public MonitorVerticle() {
    this(null);
  }

  /** A monitor configured by {@code source}; a file source is watched for live changes of logEvery. */
  public MonitorVerticle(ConfigSource source) {
    this(source, Overrides.fromProcess(), LayeredConfig.DEFAULT_SCAN_PERIOD_MS);
  }

  /** For tests: these overrides, and a file source looked at every {@code scanPeriodMs}. */
  MonitorVerticle(ConfigSource source, Overrides overrides, long scanPeriodMs) {
    this.source = source;
    this.overrides = overrides;
    this.scanPeriodMs = scanPeriodMs;
  }

  @Override
  public Future<?> start() {
    ConfigSource from = source != null ? source : ConfigSource.inline(config());
    layered = new LayeredConfig(vertx, from, MonitorConfig.SCHEMA, overrides, scanPeriodMs);
    return layered.load().compose(this::listen);
  }

  /** Messages seen so far, for tests. */
  long total() {
    return total;
  }

  private Future<Void> listen(ConfigValues values) {
    MonitorConfig started = MonitorConfig.from(values);
    live = new LiveConfig<>(values, started, MonitorConfig.LIVE_KEYS, MonitorConfig::from,
        MonitorConfig::withLiveKeysOf, true);
    consumer = vertx.eventBus().consumer(started.address(), this::handleMessage);
    lastCountNanos = System.nanoTime();
    statsTimer = vertx.setPeriodic(started.statsIntervalMs(), this::logCount);
    // Nothing to apply: each message reads the record in force
    layered.watch(live::change);
    probes = PieceProbes.of(vertx, context)
        .ready("monitor", this::readiness)
        .beforeScrape(() -> {
          totalScraped = total;
          malformedScraped = malformed;
        })
        .count("echopair.monitor.messages", "Received messages seen on the event bus", () -> totalScraped)
        .count("echopair.monitor.malformed.messages", "Messages on the address that were not received messages",
            () -> malformedScraped);
    // Once the cluster knows of the consumer, every server's messages reach it
    return consumer.completion().onSuccess(done -> {
      registered = true;
      LOG.info("Monitor listening to {} on the event bus ({})", started.address(), vertx.isClustered() ? "clustered"
          : "not clustered: only this JVM's servers are seen; start with --cluster");
    });
  }

  /** Ready once its consumer is registered (cluster-wide when clustered), until it stops. */
  private Status readiness() {
    JsonObject data = new JsonObject().put("address", live.current().address()).put("registered", registered);
    return registered ? Status.OK(data) : Status.KO(data);
  }

  private void handleMessage(Message<Object> message) {
    ReceivedMessage received = parse(message.body());
    if (received == null) {
      return;
    }
    total++;
    sinceLastCount++;
    serversSinceLastCount.add(received.serverId());
    int logEvery = live.current().logEvery();
    if (logEvery > 0 && total % logEvery == 0) {
      LOG.info("[server {}] {}{}: {}", received.serverId(), received.peer(),
          received.sequence() == null ? "" : " seq=" + received.sequence(), received.text());
    }
  }

  /** A message that is not a received message is counted and named once, never a crash. */
  private ReceivedMessage parse(Object body) {
    try {
      if (body instanceof JsonObject json) {
        return ReceivedMessage.fromJson(json);
      }
      throw new IllegalArgumentException("not a JSON object: " + body);
    } catch (IllegalArgumentException notAMessage) {
      if (malformed++ == 0) {
        LOG.warn("Ignoring a message on {} that is not a received message ({}); further ones are only counted",
            live.current().address(), notAMessage.getMessage());
      }
      return null;
    }
  }

  private void logCount(long timerId) {
    long now = System.nanoTime();
    double seconds = (now - lastCountNanos) / 1e9;
    addCountFigures(seconds, LOG.atInfo()).log("Stats: {}", describeCount(seconds));
    sinceLastCount = 0;
    serversSinceLastCount.clear();
    lastCountNanos = now;
  }

  /** {@code 12 messages in the last 10.0 s (1.2/s) from 2 servers; 1234 in total}. */
  private String describeCount(double seconds) {
    int servers = serversSinceLastCount.size();
    return String.format(Locale.ROOT, "%d messages in the last %.1f s (%.1f/s) from %d %s; %d in total%s",
        sinceLastCount, seconds, perSecond(seconds), servers, servers == 1 ? "server" : "servers",
        total, malformed == 0 ? "" : ", " + malformed + " malformed ignored");
  }

  /** The figures of {@link #describeCount} as fields of the line. */
  private LoggingEventBuilder addCountFigures(double seconds, LoggingEventBuilder line) {
    return line.addKeyValue("messages", sinceLastCount).addKeyValue("seconds", Math.round(seconds * 10) / 10.0)
        .addKeyValue("messagesPerSecond", Math.round(perSecond(seconds) * 10) / 10.0)
        .addKeyValue("servers", serversSinceLastCount.size()).addKeyValue("total", total)
        .addKeyValue("malformed", malformed);
  }

  private double perSecond(double seconds) {
    return sinceLastCount / Math.max(seconds, 1e-9);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(statsTimer);
    layered.close();
    LOG.info("Monitor stopped: {} messages seen", total);
    registered = false;
    return consumer.unregister().andThen(done -> probes.close());
  }
}
