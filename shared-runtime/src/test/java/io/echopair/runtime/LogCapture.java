package io.echopair.runtime;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Captures what one logger logs, for the duration of a test: {@code try (LogCapture log = LogCapture.of(X.class))}.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String loggerName) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  public static LogCapture of(Class<?> type) {
    return new LogCapture(type.getName());
  }

  public static LogCapture of(String loggerName) {
    return new LogCapture(loggerName);
  }

  /** Each captured event as {@code LEVEL message}, e.g. {@code ERROR --conf x.json: no such file}. */
  public List<String> lines() {
    // AppenderBase.doAppend holds the appender's lock while it adds to the list.
    synchronized (appender) {
      return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
  }

  /** Whether any captured event carries a stack trace. */
  public boolean anyThrowable() {
    synchronized (appender) {
      return appender.list.stream().anyMatch(e -> e.getThrowableProxy() != null);
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
