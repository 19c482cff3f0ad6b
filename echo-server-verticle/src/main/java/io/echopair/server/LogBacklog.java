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
 * {@value FrameLines#LINES_PER_BATCH} lines. Each is counted as {@value #LINES_PER_EVENT}: a queue half full of batches
 * (4096 lines as counted, as shipped) then holds 4096 to 16 384 lines, about a megabyte and 1 to 4 ms of writing; a
 * batch of a few lines counts as 64 too, so that small ones make clients wait sooner, never later. Counting an event
 * as one line made the heap hold half a million lines and the GC stop the server for a fifth of a second.
 */
final class LogBacklog {

  /** How many lines a queued batch counts as. */
  static final int LINES_PER_EVENT = 64;

  private final List<AsyncAppenderBase<ILoggingEvent>> queues;
  // The lines an event in a queue counts as
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
    return new LogBacklog(List.copyOf(queues), LineBatch.canLogTo(logger) ? LINES_PER_EVENT : 1);
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
