package io.echopair.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import io.echopair.runtime.logging.LineBatch;
import io.echopair.runtime.logging.LoggerAppenders;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far behind logback's asynchronous appenders are with the lines of one logger: the server reads a flooding
 * client only as fast as its lines get written, so the log stays complete and no event loop waits on a full queue.
 *
 * <p>Without an asynchronous appender (logging is synchronous, or not logback), the log is never behind: the event loop
 * then writes each line itself.
 *
 * <p>A queue counts events, and where the lines go in batches ({@link FrameLines}) an event may be up to
 * {@value FrameLines#LINES_PER_BATCH} lines: counted as that many, so that the queue holds about as many lines as it
 * did one line per event, where a backlog of batches made the heap hold half a million lines and the GC stop the
 * server for a fifth of a second.
 */
final class LogBacklog {

  private final List<AsyncAppenderBase<ILoggingEvent>> queues;
  // The lines an event in a queue may hold
  private final int linesPerEvent;

  private LogBacklog(List<AsyncAppenderBase<ILoggingEvent>> queues, int linesPerEvent) {
    this.queues = queues;
    this.linesPerEvent = linesPerEvent;
  }

  /**
   * The asynchronous appenders that {@code loggerName}'s lines go through, as they are now: the appenders a server
   * starts with.
   */
  static LogBacklog of(String loggerName) {
    Logger logger = LoggerFactory.getLogger(loggerName);
    List<AsyncAppenderBase<ILoggingEvent>> queues = new ArrayList<>();
    for (Appender<ILoggingEvent> appender : LoggerAppenders.of(logger)) {
      if (appender instanceof AsyncAppenderBase<ILoggingEvent> async) {
        queues.add(async);
      }
    }
    return new LogBacklog(List.copyOf(queues), LineBatch.canLogTo(logger) ? FrameLines.LINES_PER_BATCH : 1);
  }

  /** Whether some queue holds lines for at least half its size: a client sending many lines should wait. */
  boolean isBehind() {
    for (AsyncAppenderBase<ILoggingEvent> queue : queues) {
      if ((long) queue.getNumberOfElementsInQueue() * linesPerEvent >= queue.getQueueSize() / 2) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every queue can take {@code lines} more without making the logging thread wait; at most one event per
   * line.
   */
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
}
