package io.echopair.runtime.cluster;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.echopair.runtime.tls.HandshakeFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * One line a minute per node, in words, where Vert.x logs a stack trace for every message it could not deliver to a
 * node of the cluster ({@code Connecting to server <node> failed}): a stranger's node without a certificate from the
 * cluster's CA is tried again for every message sent its way, which would flood the log.
 */
public final class EventBusConnectFailures extends TurboFilter {

  private static final Logger LOG = LoggerFactory.getLogger(EventBusConnectFailures.class);

  /** The logger and message Vert.x 5.0.7 uses (ClusteredEventBus.connect). */
  static final String VERTX_LOGGER = "io.vertx.core.eventbus.impl.clustered.ClusteredEventBus";
  private static final String PREFIX = "Connecting to server ";
  private static final String SUFFIX = " failed";
  private static final long PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Per node: when its last line was logged, and the failures since. */
  private final Map<String, long[]> nodes = new ConcurrentHashMap<>();

  /** Adds the filter to logback, once; does nothing when SLF4J is not bound to logback. */
  public static void install() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback
        && logback.getTurboFilterList().stream().noneMatch(EventBusConnectFailures.class::isInstance)) {
      EventBusConnectFailures filter = new EventBusConnectFailures();
      filter.setContext(logback);
      filter.start();
      logback.addTurboFilter(filter);
    }
  }

  @Override
  public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
                            Object[] params, Throwable failure) {
    if (failure == null || format == null || !format.startsWith(PREFIX) || !format.endsWith(SUFFIX)
        || !VERTX_LOGGER.equals(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    report(format.substring(PREFIX.length(), format.length() - SUFFIX.length()), failure, System.nanoTime());
    return FilterReply.DENY;
  }

  void report(String node, Throwable failure, long nowNanos) {
    long[] seen = nodes.computeIfAbsent(node, n -> new long[] {nowNanos - PERIOD_NANOS, 0});
    long held;
    synchronized (seen) {
      if (nowNanos - seen[0] < PERIOD_NANOS) {
        seen[1]++;
        return;
      }
      held = seen[1];
      seen[0] = nowNanos;
      seen[1] = 0;
    }
    LOG.warn("Event bus: cannot reach node {}: {}; messages for it are not delivered{}", node,
        HandshakeFailure.describe(failure), held == 0 ? "" : " (" + held + " more failures in the last minute)");
  }
}
