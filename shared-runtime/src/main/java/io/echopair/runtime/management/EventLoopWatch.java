package io.echopair.runtime.management;

import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The liveness check {@code eventLoops}: down while Vert.x's blocked-thread checker reports a thread blocked longer
 * than its limit (VertxOptions {@code maxEventLoopExecuteTime}, 2 s by default), up again once it stops reporting.
 *
 * <p>The checker reports a blocked thread at every interval ({@code blockedThreadCheckInterval}, 1 s by default)
 * until it runs again. Taking its reports replaces Vert.x's own warning, so this class logs the same one.
 */
public final class EventLoopWatch {

  /** Where Vert.x logs blocked threads; the lines keep their logger. */
  private static final Logger LOG = LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");

  private final long staleAfterNanos;
  // Thread name -> the last report of it being blocked
  private final Map<String, Blocked> blocked = new ConcurrentHashMap<>();

  private EventLoopWatch(long checkIntervalMs) {
    // Two intervals without a report: the thread ran again
    this.staleAfterNanos = TimeUnit.MILLISECONDS.toNanos(2 * checkIntervalMs);
  }

  /** Watches {@code vertx}'s blocked-thread checker and adds the liveness check {@code eventLoops} to {@code probes}. */
  public static void install(Vertx vertx, long checkIntervalMs, Probes probes) {
    EventLoopWatch watch = new EventLoopWatch(checkIntervalMs);
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(watch::blocked);
    probes.live("eventLoops", watch::status);
  }

  private void blocked(BlockedThreadEvent event) {
    blocked.put(event.thread().getName(), new Blocked(System.nanoTime(), event.duration()));
    String message = "Thread " + event.thread().getName() + " has been blocked for " + event.duration() / 1_000_000
        + " ms, time limit is " + event.maxExecTime() / 1_000_000 + " ms";
    if (event.duration() <= event.warningExceptionTime()) {
      LOG.warn(message);
    } else {
      VertxException where = new VertxException("Thread blocked");
      where.setStackTrace(event.thread().getStackTrace());
      LOG.warn(message, where);
    }
  }

  private Status status() {
    long now = System.nanoTime();
    JsonObject stuck = new JsonObject();
    blocked.forEach((thread, last) -> {
      if (now - last.atNanos() < staleAfterNanos) {
        stuck.put(thread, "blocked for " + last.durationNanos() / 1_000_000 + " ms");
      }
    });
    blocked.values().removeIf(last -> now - last.atNanos() >= staleAfterNanos);
    return stuck.isEmpty() ? Status.OK() : Status.KO(new JsonObject().put("blocked", stuck));
  }

  private record Blocked(long atNanos, long durationNanos) {
  }
}
