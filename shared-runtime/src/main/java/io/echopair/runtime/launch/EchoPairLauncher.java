package io.echopair.runtime.launch;

import ch.qos.logback.classic.LoggerContext;
import io.echopair.runtime.cluster.ClusterConfig;
import io.echopair.runtime.cluster.EventBusConnectFailures;
import io.echopair.runtime.cluster.EventBusTls;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs one echopair piece from the command line on Vert.x's {@link VertxApplication}: checks {@code --conf} and
 * {@code --options} before Vert.x starts ({@link CommandLineJson}), deploys the piece's verticles, and exits by itself
 * when they run to completion.
 *
 * <p>The whole body of a jar's {@code main}: {@code EchoPairLauncher.launch(args, new SenderLaunchable());}. The
 * command line is VertxApplication's ({@code --conf}, {@code --instances}, {@code --cluster}, {@code --help}...);
 * the verticle name argument is not needed.
 *
 * <p>Exit statuses ({@link ExitStatus}):
 * <ul>
 *   <li>0: stopped by SIGTERM (VertxApplication's shutdown hook closes Vert.x, which undeploys the verticles and
 *       calls their {@code stop()}), or a {@link RunsToCompletion} verticle asked for 0 (when it finished by itself
 *       or was stopped by SIGTERM);</li>
 *   <li>1: an unexpected failure, or a failed {@link RunsToCompletion#completion()};</li>
 *   <li>2: a bad command line, such as an unknown option (the usage is printed);</li>
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
  /** Where Vert.x logs a failed clustered start, each time with a stack trace. */
  private static final String[] CLUSTER_START_LOGGERS = {"io.vertx.core.impl.VertxImpl", VertxApplication.class.getName()};

  private final String[] args;
  private final Launchable launchable;
  private final Overrides overrides;
  private final boolean ownsJvm;
  private final List<Deployable> instances = new CopyOnWriteArrayList<>();
  private final Promise<Integer> finished = Promise.promise();
  private final AtomicBoolean stopping = new AtomicBoolean();

  private volatile CommandLineJson commandLine;
  private volatile ConfigSource source;
  private volatile Vertx vertx;
  private volatile ClusterConfig cluster;
  private volatile EventBusTls.Prepared eventBusTls;
  private volatile MutedLoggers mutedDuringJoin;
  private volatile boolean configRejectedAtStart;
  private volatile int exitStatus = ExitStatus.OK;

  /** A launcher that never exits the JVM: {@link #run()} returns the status (for tests). */
  EchoPairLauncher(String[] args, Launchable launchable, Overrides overrides) {
    this(args, launchable, overrides, false);
  }

  private EchoPairLauncher(String[] args, Launchable launchable, Overrides overrides, boolean ownsJvm) {
    this.args = args.clone();
    this.launchable = launchable;
    this.overrides = overrides;
    this.ownsJvm = ownsJvm;
  }

  /**
   * Launches {@code launchable} with the command line {@code args} and exits the JVM when it fails to start or runs
   * to completion; returns while it runs.
   */
  public static void launch(String[] args, Launchable launchable) {
    FatalErrors.install();
    routeVertxLoggingToSlf4j();
    EchoPairLauncher launcher = new EchoPairLauncher(args, launchable, Overrides.fromProcess(), true);
    int status = launcher.run();
    if (status != ExitStatus.OK) {
      launcher.exit(status);
    }
    // Never exit on an event loop: the shutdown hook then waits for Vert.x to close, which needs that loop.
    launcher.finished().onSuccess(done -> new Thread(() -> launcher.exit(done), "echopair-exit").start());
  }

  /**
   * Checks {@code --conf}, then starts Vert.x and deploys.
   *
   * @return the exit status of the start: 0 when the verticles are deployed and running
   */
  int run() {
    try {
      commandLine = CommandLineJson.of(args);
      EventBusTls tls = clusterSection(commandLine.conf());
      validate(ConfigSource.withoutClusterSection(commandLine.conf().json()));
      cluster = ClusterOption.requested(args) ? ClusterConfig.load() : null;
      eventBusTls = prepare(tls);
    } catch (ConfigException invalid) {
      LOG.error(invalid.getMessage());
      return ExitStatus.CONFIG;
    }
    source = commandLine.conf().source();
    int status = new Application(CommandLineJson.without(args), this).launch();
    unmuteClusterStartLoggers();
    return status == ExitStatus.DEPLOYMENT && configRejectedAtStart ? ExitStatus.CONFIG : status;
  }

  /** Completes with the exit status once a {@link RunsToCompletion} deployment has finished and Vert.x is closed. */
  Future<Integer> finished() {
    return finished.future();
  }

  /** The Vert.x instance once started, else null. */
  Vertx vertx() {
    return vertx;
  }

  // VertxApplication gets the JSON options read by CommandLineJson, never their files

  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject notGiven) {
    return commandLine.vertxOptions();
  }

  @Override
  public JsonObject afterDeploymentOptionsParsed(JsonObject notGiven) {
    return commandLine.deploymentOptions();
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject notGiven) {
    return commandLine.conf().json();
  }

  @Override
  public void beforeStartingVertx(HookContext context) {
    LOG.info("Starting {} with configuration from {}", launchable.name(), commandLine.conf().describe());
    if (cluster != null) {
      LOG.info("Cluster configuration from {}", cluster.origin());
      if (eventBusTls != null) {
        LOG.info("Event bus: {}", eventBusTls.describe());
        eventBusTls.warnIfExpiring();
      }
      mutedDuringJoin = MutedLoggers.mute(CLUSTER_START_LOGGERS);
      EventBusConnectFailures.install();
    }
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    if (eventBusTls != null) {
      eventBusTls.applyTo(options.getEventBusOptions());
    }
    // A listening socket that cannot accept (out of file descriptors) says so in one line a minute
    VertxBuilder builder = VertxApplicationHooks.super.createVertxBuilder(options)
        .withTransport(ReportingTransport.forOptions(options));
    return cluster == null ? builder : new ClusterJoin(builder, cluster);
  }

  @Override
  public void afterVertxStarted(HookContext context) {
    vertx = context.vertx();
    if (ownsJvm) {
      FatalErrors.watch(vertx);
    }
    if (eventBusTls != null) {
      vertx.setPeriodic(TimeUnit.DAYS.toMillis(1), daily -> eventBusTls.warnIfExpiring());
    }
    unmuteClusterStartLoggers();
  }

  @Override
  public void afterFailureToStartVertx(HookContext context, Throwable failure) {
    if (cluster != null) {
      LOG.error(failure != null ? failure.getMessage() : "Cannot join cluster \"" + cluster.clusterName() + "\": timed out");
    }
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return this::newVerticle;
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    exitWhenCompleted(context.deploymentId());
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    configRejectedAtStart = failure instanceof ConfigException;
    context.vertx().close();
  }

  @Override
  public void beforeStoppingVertx(HookContext context) {
    stopping.set(true);
    if (cluster != null) {
      LOG.info("Leaving cluster \"{}\"", cluster.clusterName());
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

  private void validate(JsonObject conf) {
    try {
      launchable.validate(conf, overrides);
    } catch (ConfigException invalid) {
      throw new ConfigException("Invalid configuration: " + invalid.getMessage());
    }
  }

  /** The --conf's cluster section, with its overrides; the pieces never see it. */
  private EventBusTls clusterSection(ConfOption conf) {
    try {
      return EventBusTls.of(conf.source(), conf.json(), overrides, LOG::info);
    } catch (ConfigException invalid) {
      throw new ConfigException("Invalid configuration: " + invalid.getMessage());
    }
  }

  /** The event bus's TLS of the cluster keys, checked; null when they are not set or there is no cluster. */
  private EventBusTls.Prepared prepare(EventBusTls tls) {
    if (!tls.enabled()) {
      return null;
    }
    if (cluster == null) {
      LOG.warn("{} is set but this node is not started with --cluster: the cluster keys are not used",
          tls.firstKeySet());
      return null;
    }
    try {
      tls.checkNoConflictWith(commandLine.vertxOptions());
      return tls.prepare();
    } catch (ConfigException invalid) {
      throw new ConfigException("Invalid configuration: " + invalid.getMessage());
    }
  }

  private Deployable newVerticle() {
    Deployable verticle = launchable.newVerticle(source);
    instances.add(verticle);
    return verticle;
  }

  private void exitWhenCompleted(String deploymentId) {
    List<Future<Integer>> completions = instances.stream()
        .filter(RunsToCompletion.class::isInstance)
        .map(instance -> ((RunsToCompletion) instance).completion())
        .toList();
    if (!completions.isEmpty()) {
      Future.join(completions).onComplete(all -> finish(deploymentId, highestStatus(completions)));
    }
  }

  private void finish(String deploymentId, int status) {
    if (!stopping.compareAndSet(false, true)) {
      // Vert.x is already closing (SIGTERM): its shutdown hook ends the JVM, with the status the pieces asked for
      LOG.info("{} stopped, exiting with status {}", launchable.name(), status);
      exitStatus = status;
      return;
    }
    LOG.info("{} finished, exiting with status {}", launchable.name(), status);
    exitStatus = status;
    // Listen to close() itself: a future bound to a verticle's context cannot report once its event loop is gone.
    vertx.undeploy(deploymentId)
        .onComplete(undeployed -> vertx.close().onComplete(closed -> finished.complete(status)));
  }

  private int highestStatus(List<Future<Integer>> completions) {
    int highest = ExitStatus.OK;
    for (Future<Integer> completion : completions) {
      highest = Math.max(highest, statusOf(completion));
    }
    return highest;
  }

  private int statusOf(Future<Integer> completion) {
    if (completion.failed()) {
      LOG.error("{} failed: {}", launchable.name(), completion.cause().toString());
      return ExitStatus.SOFTWARE;
    }
    return completion.result() == null ? ExitStatus.OK : completion.result();
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

  private void unmuteClusterStartLoggers() {
    MutedLoggers muted = mutedDuringJoin;
    if (muted != null) {
      muted.close();
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
