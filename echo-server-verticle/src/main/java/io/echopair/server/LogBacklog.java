package io.echopair.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * How far behind logback's asynchronous appenders are with the lines of one logger: the server reads a flooding
 * client only as fast as its lines get written, so the log stays complete and no event loop waits on a full queue.
 *
 * <p>Without an asynchronous appender (logging is synchronous, or not logback), the log is never behind: the event loop
 * then writes each line itself.
 */
final class LogBacklog {

  private final List<AsyncAppenderBase<ILoggingEvent>> queues;

  private LogBacklog(List<AsyncAppenderBase<ILoggingEvent>> queues) {
    this.queues = queues;
  }

  /** The asynchronous appenders that {@code loggerName}'s lines go through. */
  static LogBacklog of(String loggerName) {
    List<AsyncAppenderBase<ILoggingEvent>> queues = new ArrayList<>();
    if (LoggerFactory.getLogger(loggerName) instanceof Logger logger) {
      // The appenders of the logger and of its ancestors, up to the first that does not pass lines up
      for (Logger at = logger; at != null; at = at.isAdditive() ? parent(at) : null) {
        for (Iterator<Appender<ILoggingEvent>> it = at.iteratorForAppenders(); it.hasNext(); ) {
          if (it.next() instanceof AsyncAppenderBase<ILoggingEvent> async) {
            queues.add(async);
          }
        }
      }
    }
    return new LogBacklog(List.copyOf(queues));
  }

  /** Whether some queue is at least half full: a client sending many lines should wait. */
  boolean isBehind() {
    for (AsyncAppenderBase<ILoggingEvent> queue : queues) {
      if (queue.getNumberOfElementsInQueue() >= queue.getQueueSize() / 2) {
        return true;
      }
    }
    return false;
  }

  /** Whether every queue can take {@code lines} more without making the logging thread wait. */
  boolean hasRoomFor(int lines) {
    for (AsyncAppenderBase<ILoggingEvent> queue : queues) {
      if (queue.getRemainingCapacity() <= lines) {
        return false;
      }
    }
    return true;
  }

  /** Whether there is any queue to fall behind. */
  boolean isAsynchronous() {
    return !queues.isEmpty();
  }

  private static Logger parent(Logger logger) {
    String name = logger.getName();
    if (Logger.ROOT_LOGGER_NAME.equals(name)) {
      return null;
    }
    int dot = name.lastIndexOf('.');
    return (Logger) LoggerFactory.getLogger(dot < 0 ? Logger.ROOT_LOGGER_NAME : name.substring(0, dot));
  }
}
