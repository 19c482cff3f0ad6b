package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import io.echopair.protocol.ReceivedBatch;
import io.echopair.protocol.ReceivedMessage;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.launch.ExitStatus;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.sender.SenderStats;
import io.echopair.sender.SenderVerticle;
import io.echopair.server.EchoServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The pair through a {@link FaultInjectingProxy}: every produced frame must reach the server and be logged as new
 * exactly once, whatever the proxy does. The seed is logged; {@code -Dfaults.seed=<seed>} replays its faults.
 *
 * <p>What the server took as new is read from the messages it publishes on the event bus ({@code publish}), one per
 * frame it logs as new, rather than from its log text; the number of its Recv Msg lines must match them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class FaultSuiteTest {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(FaultSuiteTest.class);

  private static final int STREAMS = 2;
  private static final int FRAMES = 2000;
  private static final String SERVER_LOGGER = "io.echopair.server";
  private static final Path SERVER_LOG_COPY = Path.of("target", "fault-suite-server.log");
  private static final String PUBLISH_ADDRESS = "fault-suite.received";

  private LogCapture serverLog;

  /** The server's thousands of Recv Msg lines go to the capture and to target/fault-suite-server.log, not the console. */
  @BeforeEach
  void captureServerQuietly() {
    serverLog = LogCapture.of(SERVER_LOGGER);
    ((Logger) LoggerFactory.getLogger(SERVER_LOGGER)).setAdditive(false);
  }

  @AfterEach
  void restoreServerLogging() throws IOException {
    ((Logger) LoggerFactory.getLogger(SERVER_LOGGER)).setAdditive(true);
    serverLog.close();
    Files.createDirectories(SERVER_LOG_COPY.getParent());
    Files.write(SERVER_LOG_COPY, serverLog.lines());
  }

  @Test
  @DisplayName("Through a proxy that cuts, flips bits, stalls and delays, 2 streams of 2000 frames arrive whole: "
      + "none lost, none corrupted, in order per connection, none logged twice as new")
  void everyFrameArrivesOnce(Vertx vertx, VertxTestContext ctx) {
    long seed = Long.getLong("faults.seed", System.nanoTime());
    LOG.info("Fault suite: seed {} (replay with -Dfaults.seed={})", seed, seed);
    List<SenderVerticle> senders = new CopyOnWriteArrayList<>();
    FaultInjectingProxy[] proxy = new FaultInjectingProxy[1];
    String[] serverId = new String[1];
    PublishedFrames published = new PublishedFrames();

    vertx.deployVerticle(published).compose(listening -> deployServer(vertx)).compose(server -> {
      serverId[0] = server.deploymentId;
      proxy[0] = new FaultInjectingProxy(server.port, seed, FaultPlan.DEFAULT);
      return vertx.deployVerticle(proxy[0]);
    }).compose(proxied -> {
      List<Future<Integer>> completions = new ArrayList<>();
      for (int stream = 1; stream <= STREAMS; stream++) {
        SenderVerticle sender = new SenderVerticle(ConfigSource.inline(senderConf(proxy[0].port(), stream)),
            Overrides.none());
        senders.add(sender);
        completions.add(vertx.deployVerticle(sender).compose(id -> sender.completion()));
      }
      return Future.all(completions).map(all -> all.<Integer>list());
    }).compose(statuses -> Future.all(senders.stream().map(SenderVerticle::stats).toList())
        .map(all -> new Outcome(statuses, all.<SenderStats>list()))
    ).compose(outcome -> vertx.undeploy(serverId[0])
        .compose(stopped -> serverLog.await(line -> line.startsWith("Final stats: ")))
        .map(finalStats -> outcome.withFinalStats(finalStats.getFormattedMessage()))
    ).compose(outcome -> published.all().map(outcome::withReceived)
    ).onComplete(ctx.succeeding(outcome -> ctx.verify(() -> {
      verify(outcome, proxy[0].faults(), seed);
      ctx.completeNow();
    })));
  }

  private void verify(Outcome outcome, FaultInjectingProxy.Faults faults, long seed) {
    String replay = "seed " + seed + ", replay with -Dfaults.seed=" + seed + "; server log in " + SERVER_LOG_COPY;
    List<ReceivedMessage> received = outcome.received();
    List<ReceivedMessage> untagged = received.stream().filter(message -> message.sequence() == null).toList();
    long sent = outcome.stats.stream().mapToLong(SenderStats::sent).sum();
    long reconnects = outcome.stats.stream().mapToLong(SenderStats::reconnects).sum();
    // A late original that arrives after its resend was logged is logged again, marked as a repeat: "logged, when in
    // doubt" (RELIABILITY.md). What must hold is that each frame is taken as new exactly once.
    List<ReceivedMessage> repeats = received.stream().filter(ReceivedMessage::repeat).toList();
    Map<String, List<Long>> byStream = received.stream()
        .filter(message -> message.sequence() != null && !message.repeat())
        .collect(Collectors.groupingBy(ReceivedMessage::text,
            Collectors.mapping(ReceivedMessage::sequence, Collectors.toList())));
    long lost = 0;
    for (int stream = 1; stream <= STREAMS; stream++) {
      List<Long> logged = byStream.getOrDefault(message(stream), List.of());
      lost += FRAMES - logged.stream().distinct().count();
    }
    LOG.info("Fault suite figures ({}): frames produced {}, written {} (resends included); {}; frames lost {}; sender "
            + "reconnects {}; late originals logged again as repeats {}; server: {}",
        "seed " + seed, STREAMS * FRAMES, sent, faults.describe(), lost, reconnects, repeats.size(), outcome.finalStats);

    assertThat(outcome.statuses).as(replay).containsOnly(ExitStatus.OK);
    assertThat(outcome.stats).as(replay).allSatisfy(stats -> {
      assertThat(stats.produced()).isEqualTo(FRAMES);
      assertThat(stats.completed()).isEqualTo(FRAMES);
      assertThat(stats.dropped()).isZero();
      assertThat(stats.outstanding()).isZero();
    });
    // What the server published is what it logged as new, frame for frame
    assertThat(serverLog.countContaining("Recv Msg : ")).as("Recv Msg lines; %s", replay).isEqualTo(received.size());
    // None corrupted: nothing taken as new that the senders did not send
    assertThat(untagged).as("frames taken without a sequence number; %s", replay).isEmpty();
    assertThat(byStream.keySet()).as(replay).containsExactlyInAnyOrder(message(1), message(2));
    List<Long> everyFrame = LongStream.rangeClosed(1, FRAMES).boxed().toList();
    for (int stream = 1; stream <= STREAMS; stream++) {
      // None lost, none logged twice as new
      assertThat(byStream.get(message(stream)).stream().sorted().toList())
          .as("sequences logged for %s; %s", message(stream), replay).isEqualTo(everyFrame);
    }
    // A repeat is a late copy of a frame of the same stream, never anything else
    assertThat(repeats).as("frames logged again as repeats; %s", replay).allSatisfy(repeat ->
        assertThat(byStream.get(repeat.text())).contains(repeat.sequence()));
    // Order kept per connection: one connection's messages are published from its event loop, in order
    Map<String, List<Long>> byConnection = received.stream().collect(Collectors.groupingBy(
        r -> r.peer() + " " + r.text(), Collectors.mapping(ReceivedMessage::sequence, Collectors.toList())));
    assertThat(byConnection).as(replay).allSatisfy((connection, sequences) ->
        assertThat(sequences).as("connection %s", connection).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates());
    assertThat(faults.total()).as("faults injected").isPositive();
  }

  private static String message(int stream) {
    return "fault stream " + stream;
  }

  private static JsonObject senderConf(int port, int stream) {
    return new JsonObject()
        .put("port", port)
        .put("message", message(stream))
        .put("count", FRAMES)
        .put("intervalMs", 1)
        .put("framesPerTick", 2)
        .put("statsIntervalMs", 0)
        .put("reconnectInitialDelayMs", 10)
        .put("reconnectMaxDelayMs", 100)
        .put("ackTimeoutMs", 1000)
        .put("drainTimeoutMs", 50_000);
  }

  /** A deployed server: two instances on one port, sharing what they know of each sender. */
  private record DeployedServer(String deploymentId, int port) {
  }

  private static Future<DeployedServer> deployServer(Vertx vertx) {
    List<EchoServerVerticle> instances = new CopyOnWriteArrayList<>();
    DeploymentOptions options = new DeploymentOptions().setInstances(2)
        .setConfig(new JsonObject().put("host", "127.0.0.1").put("port", 0).put("statsIntervalMs", 60_000)
            .put("publish", true).put("publishAddress", PUBLISH_ADDRESS));
    return vertx.deployVerticle(() -> {
      EchoServerVerticle instance = new EchoServerVerticle();
      instances.add(instance);
      return instance;
    }, options).map(id -> new DeployedServer(id, instances.get(0).actualPort()));
  }

  /** What the run ended with: the senders' statuses and stats, the server's final stats line and its messages. */
  private record Outcome(List<Integer> statuses, List<SenderStats> stats, String finalStats,
                         List<ReceivedMessage> received) {
    Outcome(List<Integer> statuses, List<SenderStats> stats) {
      this(statuses, stats, "", List.of());
    }

    Outcome withFinalStats(String line) {
      return new Outcome(statuses, stats, line, received);
    }

    Outcome withReceived(List<ReceivedMessage> messages) {
      return new Outcome(statuses, stats, finalStats, messages);
    }
  }

  /** The messages the server publishes, one per frame it takes as new, in the order they arrive. */
  private static final class PublishedFrames extends VerticleBase {

    private final List<ReceivedMessage> received = new ArrayList<>();

    @Override
    public Future<?> start() {
      return vertx.eventBus().consumer(PUBLISH_ADDRESS,
          message -> received.addAll(ReceivedBatch.messagesIn(message.body()))).completion();
    }

    /**
     * Everything published before this call: the event bus hands each message to this verticle's event loop as it
     * is published, so a task queued after them runs after them.
     */
    Future<List<ReceivedMessage>> all() {
      Promise<List<ReceivedMessage>> all = Promise.promise();
      context.runOnContext(v -> all.complete(List.copyOf(received)));
      return all.future();
    }
  }
}
