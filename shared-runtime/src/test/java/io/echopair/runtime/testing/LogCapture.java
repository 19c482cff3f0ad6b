package io.echopair.runtime.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.util.ReentryGuard;
import ch.qos.logback.core.util.ReentryGuardFactory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Captures what a logger and those below it log during a test, and lets the test wait for a line instead of
 * sleeping: {@code @RegisterExtension final LogCapture log = LogCapture.of("io.echopair.sender");} (closed after each
 * test), or {@code try (LogCapture log = LogCapture.of(X.class)) {...}}.
 *
 * <p>A line is {@code LEVEL message}, e.g. {@code WARN Queue full on stream 1: dropping oldest frames}
 * ({@link #lines()}, {@link #awaitLine}); the other methods that take a predicate test the message alone.
 */
public final class LogCapture extends UnsynchronizedAppenderBase<ILoggingEvent>
    implements AfterEachCallback, AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final List<ILoggingEvent> captured = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private boolean closed;

  /** A test waiting for {@code remaining} more events that match. */
  private static final class Waiter {
    private final Predicate<ILoggingEvent> matches;
    private final Promise<ILoggingEvent> promise = Promise.promise();
    private int remaining;

    Waiter(Predicate<ILoggingEvent> matches, int remaining) {
      this.matches = matches;
      this.remaining = remaining;
    }

    /** True once satisfied. */
    boolean offer(ILoggingEvent event) {
      return matches.test(event) && --remaining == 0;
    }
  }

  private LogCapture(String loggerName) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    this.previousLevel = logger.getLevel();
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  public static LogCapture of(Class<?> type) {
    return new LogCapture(type.getName());
  }

  /** Everything logged under {@code loggerName}, e.g. a package. */
  public static LogCapture of(String loggerName) {
    return new LogCapture(loggerName);
  }

  /** Lets the logger log from {@code level} up (e.g. DEBUG) until this capture is closed. */
  public LogCapture atLevel(Level level) {
    logger.setLevel(level);
    return this;
  }

  // ---- what was logged so far

  /** Each captured event as {@code LEVEL message}, e.g. {@code ERROR --conf x.json: no such file}. */
  public synchronized List<String> lines() {
    return captured.stream().map(LogCapture::line).toList();
  }

  public List<String> linesContaining(String text) {
    return lines().stream().filter(line -> line.contains(text)).toList();
  }

  /** Each captured event's message, without its level. */
  public synchronized List<String> messages() {
    return captured.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  public synchronized List<ILoggingEvent> events(Predicate<String> message) {
    return captured.stream().filter(event -> message.test(event.getFormattedMessage())).toList();
  }

  public int count(Predicate<String> message) {
    return events(message).size();
  }

  public int countContaining(String text) {
    return count(message -> message.contains(text));
  }

  /** Whether any captured event carries a stack trace. */
  public synchronized boolean anyThrowable() {
    return captured.stream().anyMatch(event -> event.getThrowableProxy() != null);
  }

  // ---- waiting for a line

  /** Completes with the first event whose message matches, logged before or after this call. */
  public Future<ILoggingEvent> await(Predicate<String> message) {
    return await(message, 1);
  }

  /** Completes when {@code count} messages match, with the event that made the count. */
  public Future<ILoggingEvent> await(Predicate<String> message, int count) {
    return awaitEvent(event -> message.test(event.getFormattedMessage()), count);
  }

  public Future<ILoggingEvent> awaitContaining(String text) {
    return await(message -> message.contains(text));
  }

  /** Completes with the first message containing {@code then} that was logged after one containing {@code first}. */
  public Future<ILoggingEvent> awaitAfter(String first, String then) {
    // Events reach a condition one at a time and in order, so it may keep state
    boolean[] firstSeen = {false};
    return await(message -> {
      if (firstSeen[0]) {
        return message.contains(then);
      }
      firstSeen[0] = message.contains(first);
      return false;
    });
  }

  /** Completes with the first line ({@code LEVEL message}) that matches, logged before or after this call. */
  public Future<String> awaitLine(Predicate<String> line) {
    return awaitEvent(event -> line.test(line(event)), 1).map(LogCapture::line);
  }

  private synchronized Future<ILoggingEvent> awaitEvent(Predicate<ILoggingEvent> matches, int count) {
    Waiter waiter = new Waiter(matches, count);
    for (ILoggingEvent event : captured) {
      if (waiter.offer(event)) {
        return Future.succeededFuture(event);
      }
    }
    waiters.add(waiter);
    return waiter.promise.future();
  }

  // ---- the appender

  @Override
  protected void append(ILoggingEvent event) {
    List<Promise<ILoggingEvent>> satisfied = new ArrayList<>();
    synchronized (this) {
      captured.add(event);
      waiters.removeIf(waiter -> waiter.offer(event) && satisfied.add(waiter.promise));
    }
    // Outside the lock: a waiting test goes on in these handlers and may log itself
    satisfied.forEach(promise -> promise.complete(event));
  }

  /** Logback's default guard would drop what a waiting test, going on inside append(), logs on the same thread. */
  @Override
  protected ReentryGuard buildReentryGuard() {
    return ReentryGuardFactory.makeGuard(ReentryGuardFactory.GuardType.NOP);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  /** Stops capturing and gives the logger its level back; events captured so far stay readable. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    logger.detachAppender(this);
    if (logger.getLevel() != previousLevel) {
      logger.setLevel(previousLevel);
    }
    stop();
  }

  /** The key-value pairs of a line ({@code LOG.atInfo().addKeyValue(...)}), which JSON lines write as fields. */
  public static Map<String, Object> fields(ILoggingEvent event) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (event.getKeyValuePairs() != null) {
      event.getKeyValuePairs().forEach(pair -> fields.put(pair.key, pair.value));
    }
    return fields;
  }

  private static String line(ILoggingEvent event) {
    return event.getLevel() + " " + event.getFormattedMessage();
  }
}
