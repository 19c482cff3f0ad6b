package io.echopair.runtime.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.CallerData;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;
import org.slf4j.helpers.MessageFormatter;

/**
 * Several lines of one logger as one logging event, e.g. the lines of one read: the logging thread hands them to the
 * asynchronous appender in one go, and {@link LogFormatEncoder} writes each of them exactly as it writes the line
 * logged alone, with the configured pattern or as JSON, all in one write. Logged only where every appender is known
 * to do that ({@link #canLogTo}); elsewhere the lines are logged one by one.
 *
 * <p>The lines share the batch's timestamp, thread and MDC, taken when the batch is made.
 */
public abstract class LineBatch extends LoggingEvent {

  private final Logger logger;
  // The logging thread's MDC, taken there: logback would read the writer's own when the logging thread's is empty
  private Map<String, String> mdc;

  /** @param logger a logback logger, for which {@link #canLogTo} holds */
  protected LineBatch(org.slf4j.Logger logger, Level level) {
    super(LineBatch.class.getName(), (Logger) logger, level, null, null, null);
    this.logger = (Logger) logger;
  }

  /**
   * Whether a batch logged to {@code logger} is written exactly as its lines logged one by one: logback without turbo
   * filters or sequence numbers (which see or number each line), and every appender the lines reach asynchronous,
   * without caller data or filters, in front of appenders that write with {@link LogFormatEncoder}, without filters.
   * Levels are the caller's to check, per line as ever.
   */
  public static boolean canLogTo(org.slf4j.Logger logger) {
    if (!(logger instanceof Logger logback)) {
      return false;
    }
    LoggerContext context = logback.getLoggerContext();
    if (!context.getTurboFilterList().isEmpty() || context.getSequenceNumberGenerator() != null) {
      return false;
    }
    List<Appender<ILoggingEvent>> appenders = LoggerAppenders.of(logger);
    if (appenders.isEmpty()) {
      return false;
    }
    for (Appender<ILoggingEvent> appender : appenders) {
      if (!(appender instanceof AsyncAppender async) || async.isIncludeCallerData() || hasFilters(async)
          || !writesEachLine(async)) {
        return false;
      }
    }
    return true;
  }

  /** The number of lines. */
  public abstract int size();

  /** The message of line {@code line}, with {@code {}} where its arguments go, as logged alone. */
  protected abstract String message(int line);

  protected abstract Object[] arguments(int line);

  /**
   * The message of line {@code line} with its arguments in place, exactly as logback formats it; a subclass may make it
   * faster, where the lines are written.
   */
  protected String formattedMessage(int line) {
    return MessageFormatter.arrayFormat(message(line), arguments(line)).getMessage();
  }

  /** Appends {@link #formattedMessage} of line {@code line}; a subclass may append it without making the string. */
  protected void appendFormattedMessage(int line, StringBuilder to) {
    to.append(formattedMessage(line));
  }

  /** The key-value pairs of line {@code line} (JSON fields), or null, as logged alone. */
  protected abstract List<KeyValuePair> keyValuePairs(int line);

  /** Hands the batch to the logger's appenders, as logback does with an event that passed the level check. */
  public final void log() {
    logger.callAppenders(this);
  }

  /** Line {@code line}: the event that logging it alone would have made, at the batch's time, on its thread. */
  LoggingEvent line(int line) {
    return new Line(line);
  }

  /** Takes what must be read on the logging thread; the lines are formatted where they are written. */
  @Override
  public void prepareForDeferredProcessing() {
    getThreadName();
    mdc = getMDCPropertyMap();
  }

  /** The lines' messages, one per line: for whatever reads the batch as a single event. */
  @Override
  public String getFormattedMessage() {
    StringBuilder messages = new StringBuilder();
    for (int i = 0; i < size(); i++) {
      messages.append(i == 0 ? "" : "\n").append(formattedMessage(i));
    }
    return messages.toString();
  }

  private static boolean writesEachLine(AsyncAppender async) {
    Iterator<Appender<ILoggingEvent>> it = async.iteratorForAppenders();
    if (!it.hasNext()) {
      return false;
    }
    while (it.hasNext()) {
      if (!(it.next() instanceof OutputStreamAppender<ILoggingEvent> writer)
          || !(writer.getEncoder() instanceof LogFormatEncoder) || hasFilters(writer)) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasFilters(Appender<ILoggingEvent> appender) {
    return !appender.getCopyOfAttachedFiltersList().isEmpty();
  }

  /** One line of the batch, its message and fields made when the encoder asks for them. */
  private final class Line extends LoggingEvent {
    private final int line;
    private String formatted;

    Line(int line) {
      this.line = line;
      setLoggerName(LineBatch.this.getLoggerName());
      setLoggerContextRemoteView(LineBatch.this.getLoggerContextVO());
      setLevel(LineBatch.this.getLevel());
      setThreadName(LineBatch.this.getThreadName());
      setInstant(LineBatch.this.getInstant());
      setMDCPropertyMap(mdc != null ? mdc : LineBatch.this.getMDCPropertyMap());
      // What a line logged alone gets on the asynchronous appender's thread, where no caller is found
      setCallerData(CallerData.EMPTY_CALLER_DATA_ARRAY);
    }

    @Override
    public String getMessage() {
      return message(line);
    }

    @Override
    public Object[] getArgumentArray() {
      return arguments(line);
    }

    @Override
    public String getFormattedMessage() {
      if (formatted == null) {
        formatted = formattedMessage(line);
      }
      return formatted;
    }

    @Override
    public List<KeyValuePair> getKeyValuePairs() {
      return keyValuePairs(line);
    }
  }
}
