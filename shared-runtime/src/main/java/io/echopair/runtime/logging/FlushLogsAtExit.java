package io.echopair.runtime.logging;

import ch.qos.logback.core.ContextBase;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.hook.ShutdownHookBase;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Logback's shutdown hook in conf/logback.xml: when the JVM exits, it waits for Vert.x to close, then stops logback,
 * which writes out what the asynchronous appender still holds. Without it, a jar started by class name
 * ({@code java -cp echo-server.jar io.vertx.launcher.application.VertxApplication ...}) could exit with its last lines
 * still queued, such as the one saying why the deployment failed: the appender's writer is a daemon thread.
 *
 * <p>Vert.x closes in a shutdown hook of its own, and the JVM runs the hooks side by side: stopping logback at once
 * would lose the lines the verticles log while they stop ("Final stats"). So this hook first waits, at most
 * {@value #MOST_SECONDS} s, for Vert.x's event-loop threads to end, which they do once it has closed.
 *
 * <p>The jars' own launcher flushes the logs itself at the right moment and halts the JVM, so it takes this hook out
 * ({@link #remove}).
 */
public final class FlushLogsAtExit extends ShutdownHookBase {

  /** How Vert.x (5) names its event-loop threads. */
  static final String EVENT_LOOP_THREAD_PREFIX = "vert.x-eventloop-thread-";
  static final long MOST_SECONDS = 10;

  @Override
  public void run() {
    awaitEventLoopsEnded(TimeUnit.SECONDS.toNanos(MOST_SECONDS));
    stop();
  }

  /** Takes the shutdown hook that {@code logback}'s configuration registered, if any, out of the JVM's. */
  public static void remove(ContextBase logback) {
    if (logback.getObject(CoreConstants.SHUTDOWN_HOOK_THREAD) instanceof Thread hook) {
      logback.removeObject(CoreConstants.SHUTDOWN_HOOK_THREAD);
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  private static void awaitEventLoopsEnded(long mostNanos) {
    long deadline = System.nanoTime() + mostNanos;
    for (Thread loop : eventLoops()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        loop.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static List<Thread> eventLoops() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith(EVENT_LOOP_THREAD_PREFIX))
        .toList();
  }
}
