package io.echopair.sender;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Captures the sender's log lines during a test and lets the test wait for a line instead of sleeping:
 * {@code try (LogWatch log = LogWatch.attach()) { log.await(line -> line.contains("...")) }}.
 */
final class LogWatch extends UnsynchronizedAppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger("io.echopair.sender");
  private final List<String> lines = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Predicate<String> condition, Promise<String> promise) {
  }

  static LogWatch attach() {
    LogWatch watch = new LogWatch();
    watch.start();
    watch.logger.addAppender(watch);
    return watch;
  }

  /** Completes with the first line (as {@code LEVEL message}) that matches, logged before or after this call. */
  synchronized Future<String> await(Predicate<String> condition) {
    for (String line : lines) {
      if (condition.test(line)) {
        return Future.succeededFuture(line);
      }
    }
    Promise<String> promise = Promise.promise();
    waiters.add(new Waiter(condition, promise));
    return promise.future();
  }

  /** Completes with the first line containing {@code then} that was logged after a line containing {@code first}. */
  Future<String> awaitAfter(String first, String then) {
    // Lines reach a condition one at a time and in order, so it may keep state
    boolean[] firstSeen = {false};
    return await(line -> {
      if (firstSeen[0]) {
        return line.contains(then);
      }
      firstSeen[0] = line.contains(first);
      return false;
    });
  }

  /** Completes with the first line that contains {@code text}. */
  Future<String> awaitContaining(String text) {
    return await(line -> line.contains(text));
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  synchronized List<String> linesContaining(String text) {
    return lines.stream().filter(line -> line.contains(text)).toList();
  }

  @Override
  protected void append(ILoggingEvent event) {
    String line = event.getLevel() + " " + event.getFormattedMessage();
    List<Promise<String>> matched = new ArrayList<>();
    synchronized (this) {
      lines.add(line);
      waiters.removeIf(waiter -> waiter.condition().test(line) && matched.add(waiter.promise()));
    }
    // Outside the lock: a waiting test goes on in these handlers and may log itself
    matched.forEach(promise -> promise.complete(line));
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
