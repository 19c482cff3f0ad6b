package io.echopair.monitor;

import io.echopair.protocol.ReceivedBatch;
import io.echopair.protocol.ReceivedBatchCodec;
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
 * every statsIntervalMs. Reads both forms: a batch per read ({@link ReceivedBatch}) and JSON per frame.
 *
 * <p>A monitor that cannot keep up holds at most backlogFrames frames ({@link StreamBacklog}); it drops and counts
 * what comes beyond, and counts the frames the servers say they dropped: frames published = logged or counted
 * ("messages") + dropped.
 */
public final class MonitorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MonitorVerticle.class);

  /** Frames handled in one go before the event loop takes the messages that came meanwhile. */
  private static final int FRAMES_PER_TURN = 1024;

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
  private final StreamBacklog backlog = new StreamBacklog();
  private boolean turnScheduled;
  // Frames the servers did not publish, as their batches tell
  private long droppedByServers;
  private long lastCountNanos;
  private final Set<String> serversSinceLastCount = new HashSet<>();
  private PieceProbes probes;
  private boolean registered;
  // Copies of total and malformed for /metrics, taken on this event loop before each scrape
  private volatile long totalScraped;
  private volatile long malformedScraped;
  private volatile long droppedByServersScraped;
  private volatile long droppedHereScraped;

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
    ReceivedBatchCodec.register(vertx);
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
          droppedByServersScraped = droppedByServers;
          droppedHereScraped = backlog.dropped();
        })
        .count("echopair.monitor.messages", "Received messages seen on the event bus", () -> totalScraped)
        .count("echopair.monitor.malformed.messages", "Messages on the address that were not received messages",
            () -> malformedScraped)
        .count("echopair.monitor.dropped.messages", "Received messages dropped from the stream, by where",
            () -> droppedByServersScraped, "where", "server")
        .count("echopair.monitor.dropped.messages", "Received messages dropped from the stream, by where",
            () -> droppedHereScraped, "where", "monitor");
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

  /** Takes a message in: its frames wait in the backlog, logged in turns, so that what comes meanwhile is counted. */
  private void handleMessage(Message<Object> message) {
    ReceivedBatch batch = parse(message);
    if (batch == null) {
      return;
    }
    droppedByServers += batch.droppedBefore();
    backlog.offer(batch, live.current().backlogFrames());
    if (!turnScheduled) {
      turnScheduled = true;
      context.runOnContext(this::logTurn);
    }
  }

  /** Logs up to {@link #FRAMES_PER_TURN} waiting frames, then lets the event loop take new messages. */
  private void logTurn(Void turn) {
    turnScheduled = false;
    int logEvery = live.current().logEvery();
    // Counted once per batch: its frames share their server
    ReceivedBatch lastBatch = null;
    for (int i = 0; i < FRAMES_PER_TURN; i++) {
      ReceivedBatch.Cursor frame = backlog.next();
      if (frame == null) {
        return;
      }
      total++;
      sinceLastCount++;
      ReceivedBatch batch = frame.batch();
      if (batch != lastBatch) {
        lastBatch = batch;
        serversSinceLastCount.add(batch.serverId());
      }
      if (logEvery > 0 && total % logEvery == 0) {
        LOG.info("[server {}] {}{}: {}", batch.serverId(), batch.peer(),
            frame.isTagged() ? " seq=" + frame.sequence() : "", frame.text());
      }
    }
    if (backlog.frames() > 0) {
      turnScheduled = true;
      context.runOnContext(this::logTurn);
    }
  }

  /** A message that is not a received message is counted and named once, never a crash. */
  private ReceivedBatch parse(Message<Object> message) {
    try {
      // A batch from another node is decoded here, on this event loop, when its body is first asked for
      Object body = message.body();
      if (body instanceof ReceivedBatch batch) {
        return batch;
      }
      if (body instanceof JsonObject json) {
        return ReceivedBatch.of(ReceivedMessage.fromJson(json));
      }
      throw new IllegalArgumentException("neither a batch nor a JSON object: " + body);
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
    return String.format(Locale.ROOT, "%d messages in the last %.1f s (%.1f/s) from %d %s; %d in total%s%s",
        sinceLastCount, seconds, perSecond(seconds), servers, servers == 1 ? "server" : "servers",
        total, malformed == 0 ? "" : ", " + malformed + " malformed ignored", describeDropped());
  }

  /** {@code , 1500 dropped (1200 by the servers, 300 by this monitor: it was behind)}: nothing while none was. */
  private String describeDropped() {
    long here = backlog.dropped();
    if (droppedByServers == 0 && here == 0) {
      return "";
    }
    return ", " + (droppedByServers + here) + " dropped (" + droppedByServers + " by the servers, " + here
        + " by this monitor: it was behind)";
  }

  /** The figures of {@link #describeCount} as fields of the line. */
  private LoggingEventBuilder addCountFigures(double seconds, LoggingEventBuilder line) {
    return line.addKeyValue("messages", sinceLastCount).addKeyValue("seconds", Math.round(seconds * 10) / 10.0)
        .addKeyValue("messagesPerSecond", Math.round(perSecond(seconds) * 10) / 10.0)
        .addKeyValue("servers", serversSinceLastCount.size()).addKeyValue("total", total)
        .addKeyValue("malformed", malformed).addKeyValue("droppedByServers", droppedByServers)
        .addKeyValue("droppedByMonitor", backlog.dropped());
  }

  private double perSecond(double seconds) {
    return sinceLastCount / Math.max(seconds, 1e-9);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(statsTimer);
    layered.close();
    LOG.info("Monitor stopped: {} messages seen{}{}", total, describeDropped(),
        backlog.frames() == 0 ? "" : ", " + backlog.frames() + " received but not logged");
    registered = false;
    return consumer.unregister().andThen(done -> probes.close());
  }
}
