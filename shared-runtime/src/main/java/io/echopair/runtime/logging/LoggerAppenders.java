package io.echopair.runtime.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The logback appenders that a logger's lines reach: its own, then its ancestors' up to one that is not additive. */
public final class LoggerAppenders {

  private LoggerAppenders() {
  }

  /** None when {@code logger} is not logback's. */
  public static List<Appender<ILoggingEvent>> of(org.slf4j.Logger logger) {
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    if (logger instanceof Logger logback) {
      for (Logger at = logback; at != null; at = at.isAdditive() ? parent(at) : null) {
        for (Iterator<Appender<ILoggingEvent>> it = at.iteratorForAppenders(); it.hasNext(); ) {
          appenders.add(it.next());
        }
      }
    }
    return appenders;
  }

  private static Logger parent(Logger logger) {
    String name = logger.getName();
    if (Logger.ROOT_LOGGER_NAME.equals(name)) {
      return null;
    }
    int dot = name.lastIndexOf('.');
    return logger.getLoggerContext().getLogger(dot < 0 ? Logger.ROOT_LOGGER_NAME : name.substring(0, dot));
  }
}
