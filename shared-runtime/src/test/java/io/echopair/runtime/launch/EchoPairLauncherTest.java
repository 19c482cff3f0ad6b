package io.echopair.runtime.launch;

import io.echopair.runtime.testing.HostileFiles;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.LayeredConfig;
import io.echopair.runtime.config.Overrides;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@DisplayName("EchoPairLauncher")
class EchoPairLauncherTest {

  static final ConfigSchema SCHEMA = ConfigSchema.section("piece")
      .integer("status", 0, 0, 125, "Exit status the piece asks for when it finishes")
      .bool("fail", false, "Whether the piece fails its completion");

  /** How long a refusal may take at most; it takes milliseconds. */
  private static final Duration QUICKLY = Duration.ofSeconds(20);

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
  @DisplayName("exits with 78 and one line at once when --conf names a FIFO, a device, a directory or a giant file")
  void hostileConf() throws Exception {
    Path fifo = HostileFiles.fifo(dir.resolve("fifo.json"));
    Path big = HostileFiles.sparse(dir.resolve("big.json"), 100L * 1024 * 1024);
    Path toDevice = Files.createSymbolicLink(dir.resolve("zero.json"), Path.of("/dev/zero"));

    // Opening the FIFO would block for ever: the test gives up rather than hang
    assertThat(assertTimeoutPreemptively(QUICKLY, () -> run(new TestPiece(PieceVerticle::new), "--conf", fifo.toString())))
        .isEqualTo(ExitStatus.CONFIG);
    assertThat(assertTimeoutPreemptively(QUICKLY, () -> run(new TestPiece(PieceVerticle::new), "--conf", big.toString())))
        .isEqualTo(ExitStatus.CONFIG);
    assertThat(assertTimeoutPreemptively(QUICKLY, () -> run(new TestPiece(PieceVerticle::new), "--conf", toDevice.toString())))
        .isEqualTo(ExitStatus.CONFIG);
    assertThat(run(new TestPiece(PieceVerticle::new), "--conf", dir.toString())).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).containsExactly(
        "ERROR --conf " + fifo + ": not a regular file (a FIFO)",
        "ERROR --conf " + big + ": 104857600 bytes; a configuration file may be at most 1048576 bytes",
        "ERROR --conf " + toDevice + ": not a regular file (a character device)",
        "ERROR --conf " + dir + ": not a regular file (a directory)");
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("reads --conf through a symbolic link to a regular file")
  void linkedConf() throws IOException {
    Path conf = Files.writeString(dir.resolve("piece.json"), "{\"status\": 6}");
    Path link = Files.createSymbolicLink(dir.resolve("link.json"), conf);
    TestPiece piece = new TestPiece(PieceVerticle::new);

    assertThat(run(piece, "--conf", link.toString())).isEqualTo(ExitStatus.OK);

    assertThat(piece.verticles).singleElement()
        .satisfies(verticle -> assertThat(verticle.config.current().integer("status")).isEqualTo(6));
  }

  @Test
  @DisplayName("exits with 78 and one line on a LOG_LEVEL that logback would take as DEBUG")
  void unknownLogLevel() {
    launcher = new EchoPairLauncher(new String[0], new TestPiece(PieceVerticle::new),
        new Overrides(Map.of("LOG_LEVEL", "LOUD"), Map.of()));

    assertThat(launcher.run()).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).containsExactly("ERROR LOG_LEVEL = \"LOUD\": must be one of TRACE, DEBUG, INFO, WARN, "
        + "ERROR or OFF (the level of the root logger)");
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("exits with 78 and one line naming it on a LOG_FORMAT that logback would take as text")
  void unknownLogFormat() {
    launcher = new EchoPairLauncher(new String[0], new TestPiece(PieceVerticle::new),
        new Overrides(Map.of("LOG_FORMAT", "json"), Map.of("LOG_FORMAT", "JSON")));

    assertThat(launcher.run()).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).containsExactly("ERROR -DLOG_FORMAT = \"JSON\": must be text or json (the format of the "
        + "log lines)");
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("starts with LOG_FORMAT json or text")
  void knownLogFormats() throws Exception {
    for (String format : List.of("json", "text")) {
      launcher = new EchoPairLauncher(new String[0], new TestPiece(PieceVerticle::new),
          new Overrides(Map.of("LOG_FORMAT", format), Map.of()));

      assertThat(launcher.run()).as(format).isEqualTo(ExitStatus.OK);
      await(launcher.vertx().close());
    }
    assertThat(log.linesContaining("LOG_FORMAT")).isEmpty();
  }

  @Test
  @DisplayName("exits with 78 when a value of the file is wrong, even when an override replaces it")
  void maskedFileValue() throws IOException {
    Path conf = Files.writeString(dir.resolve("piece.json"), "{\"status\": \"abc\"}");
    launcher = new EchoPairLauncher(new String[] {"--conf", conf.toString()}, new TestPiece(PieceVerticle::new),
        Overrides.none().withSystemProperty("echopair.status", "7"));

    assertThat(launcher.run()).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).containsExactly("ERROR Invalid configuration: piece.status = \"abc\": must be an integer");
  }

  @Test
  @DisplayName("exits with 78 and one line, without starting Vert.x, on an --options that is not a JSON object")
  void malformedOptions() throws Exception {
    Path fifo = HostileFiles.fifo(dir.resolve("options.json"));
    Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");

    assertThat(run(new TestPiece(PieceVerticle::new), "--options", "{\"eventBusOptions\": {")).isEqualTo(ExitStatus.CONFIG);
    assertThat(run(new TestPiece(PieceVerticle::new), "-options=" + array)).isEqualTo(ExitStatus.CONFIG);
    assertThat(assertTimeoutPreemptively(QUICKLY, () -> run(new TestPiece(PieceVerticle::new), "--options", fifo.toString())))
        .isEqualTo(ExitStatus.CONFIG);
    assertThat(run(new TestPiece(PieceVerticle::new), "--options", "{\"eventBusOptions\": {\"port\": \"abc\"}}"))
        .isEqualTo(ExitStatus.CONFIG);
    assertThat(assertTimeoutPreemptively(QUICKLY,
        () -> run(new TestPiece(PieceVerticle::new), "--deployment-options", "/dev/zero"))).isEqualTo(ExitStatus.CONFIG);

    assertThat(log.lines()).satisfiesExactly(
        line -> assertThat(line).startsWith("ERROR --options {\"eventBusOptions\": {: not a JSON object (Unexpected end-of-input"),
        line -> assertThat(line).startsWith("ERROR --options " + array + ": not a JSON object ("),
        line -> assertThat(line).isEqualTo("ERROR --options " + fifo + ": not a regular file (a FIFO)"),
        line -> assertThat(line).isEqualTo("ERROR --options {\"eventBusOptions\": {\"port\": \"abc\"}}:"
            + " eventBusOptions.port = \"abc\": must be a number"),
        line -> assertThat(line).isEqualTo("ERROR --deployment-options /dev/zero: not a regular file (a character device)"));
    assertThat(log.anyThrowable()).isFalse();
    assertThat(launcher.vertx()).isNull();
  }

  @Test
  @DisplayName("starts Vert.x with the --options of a file, and the verticles with --conf, neither read by VertxApplication")
  void optionsFile() throws IOException {
    Path options = Files.writeString(dir.resolve("vertx.json"), "{\"eventLoopPoolSize\": 1, \"eventBusOptions\": {\"port\": 0}}");
    TestPiece piece = new TestPiece(PieceVerticle::new);

    assertThat(run(piece, "--options", options.toString(), "--conf", "{\"status\": 2}", "--instances", "2"))
        .isEqualTo(ExitStatus.OK);

    // One event loop for two instances: both run on the same thread
    assertThat(piece.verticles).hasSize(2);
    assertThat(piece.verticles.get(0).thread).isEqualTo(piece.verticles.get(1).thread);
    assertThat(piece.verticles.get(0).config().getInteger("status")).isEqualTo(2);
  }

  @Test
  @DisplayName("exits with 2 when --conf is given twice, as picocli refuses it")
  void confTwice() {
    assertThat(run(new TestPiece(PieceVerticle::new), "--conf", "{}", "--conf", "{}")).isEqualTo(ExitStatus.USAGE);
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
    assertThat(log.lines()).containsExactly("INFO Starting test piece with configuration from " + conf
        + ", transport nio");
  }

  @Test
  @DisplayName("runs on NIO by default, and its start line says so")
  void nioByDefault() throws Exception {
    assertThat(run(new TestPiece(PieceVerticle::new))).isEqualTo(ExitStatus.OK);

    assertThat(log.lines()).singleElement().asString()
        .isEqualTo("INFO Starting test piece with configuration from defaults, transport nio");
    assertThat(connectionChannel(launcher.vertx())).isEqualTo(NioSocketChannel.class);
  }

  @Test
  @DisplayName("runs on io_uring when --options prefers a native transport, and its start line says so")
  void ioUringWhenNativePreferred() throws Exception {
    assertThat(run(new TestPiece(PieceVerticle::new), "--options", "{\"preferNativeTransport\": true}"))
        .isEqualTo(ExitStatus.OK);

    assertThat(log.lines()).singleElement().asString()
        .isEqualTo("INFO Starting test piece with configuration from defaults, transport io_uring");
    assertThat(connectionChannel(launcher.vertx())).isEqualTo(IoUringSocketChannel.class);
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

  @Test
  @DisplayName("prints the piece's usage on standard output for --help, -h or -HELP, and exits 0 without starting Vert.x")
  void help() throws Exception {
    for (String help : List.of("--help", "-h", "-HELP")) {
      TestPiece piece = new TestPiece(PieceVerticle::new);
      CommandLineRun run = CommandLineRun.of(piece, "--conf", "{}", help);

      run.assertHelpListsEverythingOf(SCHEMA);
      assertThat(run.stdout()).startsWith("piece.jar: a piece for tests.\n\nUsage: java [-Dechopair.<key>=<value>...] "
          + "-jar piece.jar [OPTIONS]\n");
      assertThat(run.stdout()).contains("Keys of section piece, at the top of the --conf object:\n"
          + "  status (integer, between 0 and 125; default 0)\n"
          + "      Exit status the piece asks for when it finishes\n"
          + "      ECHOPAIR_STATUS, ECHOPAIR_PIECE_STATUS, -Dechopair.status, -Dechopair.piece.status\n");
      assertThat(run.stdout()).contains("Keys of section cluster, in the --conf object's \"cluster\" object "
          + "(used with --cluster only):\n  tlsCertPath (string, may be empty; default \"\")\n");
      assertThat(run.stdout()).contains("Keys of section management, in the --conf object's \"management\" object:\n"
          + "  host (string; default \"127.0.0.1\")\n");
      assertThat(run.stdout()).contains("  LOG_FORMAT    text (default) or json");
      assertThat(run.stdout()).contains("ECHOPAIR_CLUSTER_TLS_ENGINE, -Dechopair.cluster.tlsEngine\n")
          .doesNotContain("ECHOPAIR_TLS_ENGINE").doesNotContain("mainVerticle");
      assertThat(piece.verticles).isEmpty();
    }
  }

  @Test
  @DisplayName("refuses a positional argument with exit 2 and one ERROR line that names it, without starting Vert.x")
  void strayArgument() throws Exception {
    TestPiece piece = new TestPiece(PieceVerticle::new);

    CommandLineRun file = CommandLineRun.of(piece, "conf/piece.json");
    CommandLineRun className = CommandLineRun.of(piece, "--instances", "2", "io.echopair.Foo", "--conf", "{}");
    CommandLineRun afterDashes = CommandLineRun.of(piece, "--conf", "{}", "--", "--help");

    assertThat(List.of(file.status(), className.status(), afterDashes.status())).containsOnly(ExitStatus.USAGE);
    assertThat(file.log()).containsExactly("ERROR Unexpected argument \"conf/piece.json\": did you mean --conf "
        + "conf/piece.json? (java -jar piece.jar --help lists the options)");
    assertThat(className.log()).containsExactly("ERROR Unexpected argument \"io.echopair.Foo\": piece.jar deploys "
        + "its own verticle and takes no verticle name (java -jar piece.jar --help lists the options)");
    assertThat(afterDashes.log()).containsExactly("ERROR Unexpected argument \"--help\": after --, piece.jar takes no "
        + "argument (java -jar piece.jar --help lists the options)");
    assertThat(file.stdout() + className.stdout() + afterDashes.stdout()).isEmpty();
    assertThat(piece.verticles).isEmpty();
  }

  @Test
  @DisplayName("takes the values of options for what they are, not for stray arguments")
  void optionValues() {
    assertThat(run(new TestPiece(PieceVerticle::new), "-CONF", "{\"status\": 0}", "--instances", "2",
        "--deployment-options", "{}", "--options", "{}")).isEqualTo(ExitStatus.OK);
    assertThat(log.lines()).noneMatch(line -> line.startsWith("ERROR"));
  }

  private int run(Launchable piece, String... args) {
    launcher = new EchoPairLauncher(args, piece, Overrides.none());
    return launcher.run();
  }

  /** The Netty channel of a connection made on {@code vertx}: what its transport really is. */
  private static Class<?> connectionChannel(Vertx vertx) throws Exception {
    NetServer server = await(vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1"));
    NetSocket client = await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"));
    return ((NetSocketInternal) client).channelHandlerContext().channel().getClass();
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
    public Usage usage() {
      return Usage.of("piece.jar", "a piece for tests.", SCHEMA);
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
    volatile Thread thread;

    PieceVerticle(ConfigSource source) {
      this(source, null);
    }

    PieceVerticle(ConfigSource source, RuntimeException startFailure) {
      this.source = source;
      this.startFailure = startFailure;
    }

    @Override
    public Future<?> start() {
      thread = Thread.currentThread();
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
