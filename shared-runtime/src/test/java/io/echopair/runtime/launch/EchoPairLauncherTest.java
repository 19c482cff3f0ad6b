package io.echopair.runtime.launch;

import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.Overrides;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("EchoPairLauncher")
class EchoPairLauncherTest {

  static final ConfigSchema SCHEMA = ConfigSchema.section("piece")
      .integer("status", 0, 0, 125, "Exit status the piece asks for when it finishes")
      .bool("fail", false, "Whether the piece fails its completion");

  @TempDir
  Path dir;

  private EchoPairLauncher launcher;
  private final LogCapture log = LogCapture.of(EchoPairLauncher.class);

  @AfterEach
  void closeVertx() throws Exception {
    log.close();
    Vertx vertx = launcher == null ? null : launcher.vertx();
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  @DisplayName("exits with 78 and one line when --conf names no file, without starting Vert.x")
  void missingConf() {
    Path missing = dir.resolve("missing.json");
    TestPiece piece = new TestPiece(PieceVerticle::new);

    assertThat(run(piece, "--conf", missing.toString())).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).containsExactly("ERROR --conf " + missing + ": no such file");
    assertThat(log.anyThrowable()).isFalse();
    assertThat(launcher.vertx()).isNull();
    assertThat(piece.verticles).isEmpty();
  }

  @Test
  @DisplayName("exits with 78 and one line when the --conf file is not a JSON object")
  void malformedConf() throws IOException {
    Path malformed = Files.writeString(dir.resolve("malformed.json"), "{\"status\": 3,,}\n");

    assertThat(run(new TestPiece(PieceVerticle::new), "-conf", malformed.toString())).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).singleElement().asString()
        .startsWith("ERROR --conf " + malformed + ": not a JSON object (")
        .doesNotContain("\n");
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("exits with 78 and one line when the piece rejects the --conf content, whatever the option's case")
  void invalidConf() throws IOException {
    Path conf = Files.writeString(dir.resolve("piece.json"), "{\"status\": 300}");

    assertThat(run(new TestPiece(PieceVerticle::new), "--CONF=" + conf)).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).containsExactly("ERROR Invalid configuration: piece.status = 300: must be between 0 and 125");
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("exits with 78 when an environment override is invalid")
  void invalidOverride() {
    Overrides overrides = new Overrides(Map.of("ECHOPAIR_PIECE_STATUS", "abc"), Map.of());
    launcher = new EchoPairLauncher(new String[0], new TestPiece(PieceVerticle::new), overrides);

    assertThat(launcher.run()).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).containsExactly(
        "ERROR Invalid configuration: ECHOPAIR_PIECE_STATUS = \"abc\": piece.status must be an integer");
  }

  @Test
  @DisplayName("deploys one verticle per instance, each reading the --conf file")
  void deploysFromFile() throws IOException {
    Path conf = Files.writeString(dir.resolve("piece.json"), "{\"status\": 4}");
    TestPiece piece = new TestPiece(PieceVerticle::new);

    assertThat(run(piece, "--conf", conf.toString(), "--instances", "2")).isEqualTo(ExitStatus.OK);

    assertThat(piece.verticles).hasSize(2).allSatisfy(verticle -> {
      assertThat(verticle.source).isEqualTo(ConfigSource.file(conf));
      assertThat(verticle.config.current().integer("status")).isEqualTo(4);
    });
    assertThat(log.lines()).containsExactly("INFO Starting test piece with configuration from " + conf);
  }

  @Test
  @DisplayName("hands JSON text given to --conf to the verticle as an inline source")
  void deploysInline() {
    TestPiece piece = new TestPiece(PieceVerticle::new);

    assertThat(run(piece, "--conf", "{\"status\": 5}")).isEqualTo(ExitStatus.OK);

    assertThat(piece.verticles).singleElement()
        .satisfies(verticle -> assertThat(verticle.source).isEqualTo(ConfigSource.inline(new JsonObject().put("status", 5))));
  }

  @Test
  @DisplayName("exits with the highest status asked once every RunsToCompletion instance is done, after undeploying")
  void runsToCompletion() throws Exception {
    List<Integer> statuses = new CopyOnWriteArrayList<>(List.of(3, 0));
    TestPiece piece = new TestPiece(source -> new FinishingVerticle(source, statuses.remove(0)));

    assertThat(run(piece, "--instances", "2")).isEqualTo(ExitStatus.OK);

    assertThat(await(launcher.finished())).isEqualTo(ExitStatus.UNACKNOWLEDGED);
    assertThat(log.lines()).last().isEqualTo("INFO test piece finished, exiting with status 3");
    assertThat(piece.verticles).hasSize(2).allSatisfy(verticle -> assertThat(verticle.stopped.future().isComplete()).isTrue());
    assertThat(launcher.vertx().deploymentIDs()).isEmpty();
  }

  @Test
  @DisplayName("exits with 1 when a completion fails")
  void failedCompletion() throws Exception {
    TestPiece piece = new TestPiece(source -> new FinishingVerticle(source, -1));

    assertThat(run(piece)).isEqualTo(ExitStatus.OK);

    assertThat(await(launcher.finished())).isEqualTo(ExitStatus.SOFTWARE);
    assertThat(log.lines()).contains("ERROR test piece failed: java.lang.IllegalStateException: gave up");
  }

  @Test
  @DisplayName("exits with 78 when a verticle's start fails on its configuration, and 15 on anything else")
  void failedStart() {
    assertThat(run(new TestPiece(source -> new PieceVerticle(source, new ConfigException("piece.status: boom")))))
        .isEqualTo(ExitStatus.CONFIG);
    assertThat(run(new TestPiece(source -> new PieceVerticle(source, new IllegalStateException("port in use")))))
        .isEqualTo(ExitStatus.DEPLOYMENT);
  }

  @Test
  @DisplayName("exits with 2 on an unknown option")
  void unknownOption() {
    assertThat(run(new TestPiece(PieceVerticle::new), "--no-such-option")).isEqualTo(ExitStatus.USAGE);
  }

  private int run(Launchable piece, String... args) {
    launcher = new EchoPairLauncher(args, piece, Overrides.none());
    return launcher.run();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The piece under test: checks its section with SCHEMA and makes the verticles it is given. */
  private static final class TestPiece implements Launchable {

    final List<PieceVerticle> verticles = new CopyOnWriteArrayList<>();
    private final Function<ConfigSource, PieceVerticle> factory;

    TestPiece(Function<ConfigSource, PieceVerticle> factory) {
      this.factory = factory;
    }

    @Override
    public String name() {
      return "test piece";
    }

    @Override
    public void validate(JsonObject conf, Overrides overrides) {
      SCHEMA.parse(conf, overrides);
    }

    @Override
    public Deployable newVerticle(ConfigSource source) {
      PieceVerticle verticle = factory.apply(source);
      verticles.add(verticle);
      return verticle;
    }
  }

  /** A verticle that loads its configuration and runs until undeployed (or fails its start, when told). */
  private static class PieceVerticle extends VerticleBase {

    final ConfigSource source;
    final Promise<Void> stopped = Promise.promise();
    private final RuntimeException startFailure;
    LayeredConfig config;

    PieceVerticle(ConfigSource source) {
      this(source, null);
    }

    PieceVerticle(ConfigSource source, RuntimeException startFailure) {
      this.source = source;
      this.startFailure = startFailure;
    }

    @Override
    public Future<?> start() {
      if (startFailure != null) {
        return Future.failedFuture(startFailure);
      }
      config = new LayeredConfig(vertx, source, SCHEMA, Overrides.none());
      return config.load();
    }

    @Override
    public Future<?> stop() {
      config.close();
      stopped.complete();
      return Future.succeededFuture();
    }
  }

  /** A verticle that finishes by itself soon after its start, asking for a status (-1: fails its completion). */
  private static final class FinishingVerticle extends PieceVerticle implements RunsToCompletion {

    private final int status;
    private final Promise<Integer> completion = Promise.promise();

    FinishingVerticle(ConfigSource source, int status) {
      super(source);
      this.status = status;
    }

    @Override
    public Future<?> start() {
      return super.start().onSuccess(loaded -> vertx.setTimer(10, timer -> finish()));
    }

    private void finish() {
      if (status < 0) {
        completion.fail(new IllegalStateException("gave up"));
      } else {
        completion.complete(status);
      }
    }

    @Override
    public Future<Integer> completion() {
      return completion.future();
    }
  }
}
