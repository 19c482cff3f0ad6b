package io.echopair.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Captures the server's log lines in a test and lets it wait for a line instead of sleeping.
 */
final class LogCapture extends ListAppender<ILoggingEvent> implements AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final List<Waiter> waiters = new ArrayList<>();

  /** A test waiting for its {@code remaining} more matching lines. */
  private static final class Waiter {
    private final Predicate<String> matches;
    private final Promise<ILoggingEvent> promise = Promise.promise();
    private int remaining;

    Waiter(Predicate<String> matches, int remaining) {
      this.matches = matches;
      this.remaining = remaining;
    }

    /** True once satisfied. */
    boolean offer(ILoggingEvent event) {
      if (matches.test(event.getFormattedMessage()) && --remaining == 0) {
        promise.complete(event);
        return true;
      }
      return false;
    }
  }

  private LogCapture(String loggerName, Level level) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    this.previousLevel = logger.getLevel();
    if (level != null) {
      logger.setLevel(level);
    }
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  /** Everything the server package logs at INFO and above. */
  static LogCapture server() {
    return new LogCapture("io.echopair.server", null);
  }

  /** Everything the server package logs, DEBUG included. */
  static LogCapture serverWithDebug() {
    return new LogCapture("io.echopair.server", Level.DEBUG);
  }

  @Override
  protected synchronized void append(ILoggingEvent event) {
    super.append(event);
    waiters.removeIf(waiter -> waiter.offer(event));
  }

  /** Completes with the first line that matches, possibly one already logged. */
  Future<ILoggingEvent> await(Predicate<String> matches) {
    return await(matches, 1);
  }

  /** Completes when {@code count} lines match, with the line that made the count. */
  synchronized Future<ILoggingEvent> await(Predicate<String> matches, int count) {
    List<ILoggingEvent> matching = events(matches);
    if (matching.size() >= count) {
      return Future.succeededFuture(matching.get(count - 1));
    }
    Waiter waiter = new Waiter(matches, count - matching.size());
    waiters.add(waiter);
    return waiter.promise.future();
  }

  Future<ILoggingEvent> awaitContaining(String text) {
    return await(message -> message.contains(text));
  }

  synchronized List<ILoggingEvent> events(Predicate<String> matches) {
    return list.stream().filter(event -> matches.test(event.getFormattedMessage())).toList();
  }

  synchronized List<String> messages() {
    return list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  synchronized int count(Predicate<String> matches) {
    return (int) list.stream().filter(event -> matches.test(event.getFormattedMessage())).count();
  }

  int countContaining(String text) {
    return count(message -> message.contains(text));
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    logger.setLevel(previousLevel);
    stop();
  }
}
