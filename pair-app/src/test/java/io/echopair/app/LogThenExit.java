package io.echopair.app;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program for {@link LogsAtExitIT}, run with a packaged jar's class path (and so its logback.xml): logs
 * {@value #LINES} lines and exits with status 3 at once. With the argument {@code vertx}, as VertxApplication would,
 * it has a Vert.x instance that a shutdown hook closes, and an event loop logs the lines while it closes.
 */
public final class LogThenExit {

  static final int LINES = 20_000;
  static final int STATUS = 3;

  private static final Logger LOG = LoggerFactory.getLogger(LogThenExit.class);

  private LogThenExit() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("vertx")) {
      Vertx vertx = Vertx.vertx();
      Context loop = vertx.getOrCreateContext();
      // Its thread running, as a deployed verticle's is
      CountDownLatch running = new CountDownLatch(1);
      loop.runOnContext(ignored -> running.countDown());
      running.await();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        // Ahead of close() on the same event loop: logged before Vert.x has closed
        loop.runOnContext(ignored -> logLines("while closing"));
        vertx.close().await();
      }));
    } else {
      logLines("before exiting");
    }
    System.exit(STATUS);
  }

  private static void logLines(String when) {
    for (int i = 1; i <= LINES; i++) {
      LOG.info("Line {} of {}, {}", i, LINES, when);
    }
  }
}
