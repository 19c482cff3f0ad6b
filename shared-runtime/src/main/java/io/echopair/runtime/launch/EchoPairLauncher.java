package io.echopair.runtime.launch;

import ch.qos.logback.classic.LoggerContext;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.logging.FlushLogsAtExit;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxException;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one echopair piece from the command line on Vert.x's {@link VertxApplication}: checks {@code --conf} and
 * {@code --options} before Vert.x starts ({@link CommandLineJson}), deploys the piece's verticles, and exits by itself
 * when they run to completion.
 *
 * <p>Every jar's {@code main} ({@link Main}) calls {@code EchoPairLauncher.launch(args, launchable)}. This class
 * wires VertxApplication's hooks and decides the exit; {@link StartChecks} checks the command line before the
 * start, {@link TransportChoice} picks the transport (NIO, or io_uring when {@code --options} says
 * {@code "preferNativeTransport": true}), {@link ClusterStart} adds what {@code --cluster} needs,
 * {@link Completions} gathers the statuses the pieces ask for. The command line is VertxApplication's
 * ({@code --conf}, {@code --instances}, {@code --cluster}...), but {@code --help} prints the piece's own usage
 * ({@link HelpText}) and any positional argument, which VertxApplication would take as a verticle name, is refused
 * ({@link Arguments}).
 *
 * <p>Exit statuses ({@link ExitStatus}):
 * <ul>
 *   <li>0: stopped by SIGTERM (VertxApplication's shutdown hook closes Vert.x, which undeploys the verticles and
 *       calls their {@code stop()}), or a {@link RunsToCompletion} verticle asked for 0 (when it finished by itself
 *       or was stopped by SIGTERM);</li>
 *   <li>1: an unexpected failure, or a failed {@link RunsToCompletion#completion()};</li>
 *   <li>0 too after {@code --help}, which prints the usage on standard output;</li>
 *   <li>2: a bad command line: an unknown option (picocli prints Vert.x's usage) or an unexpected positional
 *       argument (one ERROR line naming it);</li>
 *   <li>3: a {@link RunsToCompletion} verticle asked for it (frames not acknowledged);</li>
 *   <li>11: Vert.x could not start, e.g. a {@code --cluster} node could not join within the time
 *       {@link ClusterJoin} allows (one ERROR line saying why);</li>
 *   <li>15: a verticle failed to start (e.g. the port is in use);</li>
 *   <li>70: a fatal error ({@link FatalErrors}): an {@link OutOfMemoryError} or another {@link VirtualMachineError},
 *       or the log writer thread died (one FATAL line on standard error, the JVM halted at once);</li>
 *   <li>78: invalid configuration: {@code --conf}, {@code --options} or {@code --deployment-options} names no
 *       file, names a file that is not a regular file or is too large, or is not a JSON object, or
 *       {@link Launchable#validate} rejected it (one ERROR line, Vert.x is not started); also a
 *       {@link ConfigException} that fails a verticle's start.</li>
 * </ul>
 * With several {@link RunsToCompletion} instances, the launcher waits for all of them and exits with the highest
 * status asked.
 */
public final class EchoPairLauncher implements VertxApplicationHooks {

  private static final Logger LOG = LoggerFactory.getLogger(EchoPairLauncher.class);

  private static final String VERTX_LOGGER_FACTORY = "vertx.logger-delegate-factory-class-name";

  private final String[] args;
  private final Launchable launchable;
  private final Overrides overrides;
  private final boolean ownsJvm;
  private final PrintStream out;
  private final Completions completions = new Completions();
  private final Promise<Integer> finished = Promise.promise();
  private final AtomicBoolean stopping = new AtomicBoolean();

  private volatile StartChecks checks;
  private volatile ConfigSource source;
  private volatile Vertx vertx;
  // Chosen with the VertxOptions, named by the start line that follows
  private volatile TransportChoice transport;
  private volatile boolean configRejectedAtStart;
  // Set when the pieces ran to completion and asked for the stop, rather than SIGTERM
  private volatile boolean finishedByItself;
  private volatile String managementFailure;
  private volatile int exitStatus = ExitStatus.OK;

  /** A launcher that never exits the JVM: {@link #run()} returns the status (for tests). */
  EchoPairLauncher(String[] args, Launchable launchable, Overrides overrides) {
    this(args, launchable, overrides, false, System.out);
  }

  /** A launcher that never exits the JVM and prints {@code --help} to {@code out} (for tests). */
  EchoPairLauncher(String[] args, Launchable launchable, Overrides overrides, PrintStream out) {
    this(args, launchable, overrides, false, out);
  }

  private EchoPairLauncher(String[] args, Launchable launchable, Overrides overrides, boolean ownsJvm,
                           PrintStream out) {
    this.args = args.clone();
    this.launchable = launchable;
    this.overrides = overrides;
    this.ownsJvm = ownsJvm;
    this.out = out;
  }

  /**
   * Launches {@code launchable} with the command line {@code args} and exits the JVM when it fails to start or runs
   * to completion; returns while it runs.
   */
  public static void launch(String[] args, Launchable launchable) {
    FatalErrors.install();
    // This launcher flushes the logs itself, after the last line, and then halts
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      FlushLogsAtExit.remove(logback);
    }
    routeVertxLoggingToSlf4j();
    EchoPairLauncher launcher = new EchoPairLauncher(args, launchable, Overrides.fromProcess(), true, System.out);
    int status = launcher.run();
    // Without Vert.x (--help) there is nothing to wait for
    if (status != ExitStatus.OK || launcher.vertx() == null) {
      launcher.exit(status);
    }
    // Never exit on an event loop: the shutdown hook then waits for Vert.x to close, which needs that loop.
    launcher.finished().onSuccess(done -> new Thread(() -> launcher.exit(done), "echopair-exit").start());
  }

  /**
   * Prints the usage for {@code --help}; else checks the command line and {@code --conf}, then starts Vert.x and
   * deploys.
   *
   * @return the exit status of the start: 0 when the verticles are deployed and running, or after {@code --help}
   */
  int run() {
    if (Arguments.helpRequested(args)) {
      out.print(HelpText.of(launchable.usage()));
      out.flush();
      return ExitStatus.OK;
    }
    String stray = Arguments.stray(args);
    if (stray != null) {
      LOG.error(Arguments.refusal(stray, launchable.usage()));
      return ExitStatus.USAGE;
    }
    try {
      checks = StartChecks.of(args, launchable, overrides);
    } catch (ConfigException invalid) {
      LOG.error(invalid.getMessage());
      return ExitStatus.CONFIG;
    }
    source = checks.commandLine().conf().source();
    int status = new Application(CommandLineJson.without(args), this).launch();
    if (checks.cluster() != null) {
      checks.cluster().unmute();
    }
    return status == ExitStatus.DEPLOYMENT && configRejectedAtStart ? ExitStatus.CONFIG : status;
  }

  /** Completes with the exit status once a {@link RunsToCompletion} deployment has finished and Vert.x is closed. */
  Future<Integer> finished() {
    return finished.future();
  }

  /** The port of the management endpoint once it listens, else 0 (for tests). */
  int managementPort() {
    return checks == null || checks.management() == null ? 0 : checks.management().actualPort();
  }

  /** The Vert.x instance once started, else null. */
  Vertx vertx() {
    return vertx;
  }

  // VertxApplication gets the JSON options read by CommandLineJson, never their files

  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject notGiven) {
    return checks.commandLine().vertxOptions();
  }

  @Override
  public JsonObject afterDeploymentOptionsParsed(JsonObject notGiven) {
    return checks.commandLine().deploymentOptions();
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject notGiven) {
    return checks.commandLine().conf().json();
  }

  @Override
  public void beforeStartingVertx(HookContext context) {
    LOG.info("Starting {} with configuration from {}, transport {}", launchable.name(),
        checks.commandLine().conf().describe(), transport.description());
    if (checks.cluster() != null) {
      checks.cluster().beforeJoining();
    }
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    ClusterStart cluster = checks.cluster();
    if (cluster != null) {
      cluster.secureEventBus(options);
    }
    transport = TransportChoice.of(options);
    // A listening socket that cannot accept (out of file descriptors) says so in one line a minute
    VertxBuilder builder = VertxApplicationHooks.super.createVertxBuilder(options)
        .withTransport(ReportingTransport.of(transport.transport()));
    if (checks.management() != null) {
      builder = checks.management().instrument(options, builder);
    }
    return cluster == null ? builder : cluster.join(builder);
  }

  @Override
  public void afterVertxStarted(HookContext context) {
    vertx = context.vertx();
    if (ownsJvm) {
      FatalErrors.watch(vertx);
    }
    if (checks.cluster() != null) {
      checks.cluster().joined(vertx);
    }
    if (checks.management() != null) {
      managementFailure = checks.management().started(vertx, () -> finishedByItself);
    }
  }

  @Override
  public void afterFailureToStartVertx(HookContext context, Throwable failure) {
    if (checks.cluster() != null) {
      checks.cluster().failedToJoin(failure);
    }
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    String failure = managementFailure;
    if (failure != null) {
      // The pieces do not start without the endpoint they were asked to report to: the start fails as a port in use
      return () -> context -> Future.failedFuture(new VertxException(failure, true));
    }
    return () -> completions.track(launchable.newVerticle(source));
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    if (checks.management() != null) {
      checks.management().deployed(context.deploymentId());
    }
    completions.status(failure -> LOG.error("{} failed: {}", launchable.name(), failure.toString()))
        .ifPresent(done -> done.onSuccess(status -> finish(context.deploymentId(), status)));
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    configRejectedAtStart = failure instanceof ConfigException;
    context.vertx().close();
  }

  @Override
  public void beforeStoppingVertx(HookContext context) {
    stopping.set(true);
    if (checks.cluster() != null) {
      checks.cluster().leaving();
    }
  }

  /** Called by VertxApplication's shutdown hook only, once Vert.x has closed: on SIGTERM or after {@link #exit}. */
  @Override
  public void afterVertxStopped(HookContext context) {
    LOG.info("{} stopped", launchable.name());
    if (ownsJvm) {
      flushLogs();
      // The JVM would report 143 for SIGTERM; a clean stop is 0, and an exit we asked for keeps its status.
      Runtime.getRuntime().halt(exitStatus);
    }
  }

  private void finish(String deploymentId, int status) {
    exitStatus = status;
    finishedByItself = true;
    if (!stopping.compareAndSet(false, true)) {
      // Vert.x is already closing (SIGTERM): its shutdown hook ends the JVM, with the status the pieces asked for
      LOG.info("{} stopped, exiting with status {}", launchable.name(), status);
      return;
    }
    LOG.info("{} finished, exiting with status {}", launchable.name(), status);
    // Listen to close() itself: a future bound to a verticle's context cannot report once its event loop is gone.
    vertx.undeploy(deploymentId)
        .onComplete(undeployed -> vertx.close().onComplete(closed -> finished.complete(status)));
  }

  private void exit(int status) {
    exitStatus = status;
    if (vertx == null) {
      // No Vert.x, so no shutdown hook of VertxApplication's to flush the logs in afterVertxStopped
      flushLogs();
    }
    System.exit(status);
  }

  /** Writes out the lines logback's asynchronous appender still holds (conf/logback.xml); logging ends here. */
  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.stop();
    }
  }

  /** Vert.x picks SLF4J when it is on the class path; say so explicitly so nothing else can win. */
  private static void routeVertxLoggingToSlf4j() {
    if (System.getProperty(VERTX_LOGGER_FACTORY) == null) {
      System.setProperty(VERTX_LOGGER_FACTORY, "io.vertx.core.logging.SLF4JLogDelegateFactory");
    }
  }

  /** VertxApplication that returns its status instead of exiting, so that {@link #run()} decides. */
  private static final class Application extends VertxApplication {

    Application(String[] args, VertxApplicationHooks hooks) {
      // picocli already prints the usage after a bad option; a second, coloured copy would only add noise.
      super(args, hooks, false, false);
    }
  }
}
