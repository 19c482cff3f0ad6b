package io.echopair.app;

import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.launch.RunsToCompletion;
import io.echopair.runtime.launch.FinishedDeployment;
import io.echopair.sender.SenderVerticle;
import io.echopair.server.EchoServerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both pieces in one JVM: deploys an echo server, then a sender, each reading its section of one configuration
 * ({@code {"server": {...}, "sender": {...}}}).
 *
 * <p>When the server's port is 0 (the OS chooses), the sender connects to the port the server got. When the sender
 * finishes ({@code count}), the pair completes and undeploys itself, whoever deployed it.
 */
public final class EchoPairVerticle extends VerticleBase implements RunsToCompletion {

  static final String SERVER_SECTION = "server";
  static final String SENDER_SECTION = "sender";

  private static final Logger LOG = LoggerFactory.getLogger(EchoPairVerticle.class);

  private final ConfigSource source;
  private final Promise<Integer> completion = Promise.promise();

  /** A pair configured by its deployment's {@code config()}. */
  public EchoPairVerticle() {
    this(null);
  }

  /** A pair configured by {@code source}; a file source is watched for live changes. */
  public EchoPairVerticle(ConfigSource source) {
    this.source = source;
  }

  @Override
  public Future<?> start() {
    ConfigSource from = source != null ? source : ConfigSource.inline(config());
    EchoServerVerticle server = new EchoServerVerticle(from.withSection(SERVER_SECTION));
    // Children deployed from start() are undeployed with this verticle
    return vertx.deployVerticle(server)
        .compose(id -> deploySender(from, server));
  }

  @Override
  public Future<Integer> completion() {
    return completion.future();
  }

  private Future<String> deploySender(ConfigSource from, EchoServerVerticle server) {
    SenderVerticle sender = newSender(from.withSection(SENDER_SECTION), server);
    sender.completion().onComplete(completion)
        .onSuccess(status -> FinishedDeployment.instanceFinished(vertx, context));
    return vertx.deployVerticle(sender);
  }

  private static SenderVerticle newSender(ConfigSource source, EchoServerVerticle server) {
    if (server.settings().port() != 0) {
      return new SenderVerticle(source);
    }
    LOG.info("The server's port was chosen by the OS: the sender connects to port {}", server.actualPort());
    return SenderVerticle.toServerPort(source, server.actualPort());
  }
}
