package io.echopair.runtime.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.pattern.ContextNameConverter;
import ch.qos.logback.classic.pattern.DateConverter;
import ch.qos.logback.classic.pattern.EnsureExceptionHandling;
import ch.qos.logback.classic.pattern.LevelConverter;
import ch.qos.logback.classic.pattern.LineSeparatorConverter;
import ch.qos.logback.classic.pattern.LoggerConverter;
import ch.qos.logback.classic.pattern.MDCConverter;
import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.pattern.ThreadConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.pattern.Converter;
import ch.qos.logback.core.pattern.FormattingConverter;
import ch.qos.logback.core.pattern.LiteralConverter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * logback's {@link PatternLayout}, which also lays out all the lines of a {@link LineBatch} at once, each exactly as
 * {@link #doLayout(ILoggingEvent)} lays it out alone. What the pattern takes from what all lines of a batch share
 * (the time, level, thread, logger, MDC, the literal text) is laid out once per batch; the rest, usually just
 * {@code %msg}, per line. A plain {@code %msg} the batch appends itself, without an event or a string per line.
 */
final class LinePatternLayout extends PatternLayout {

  /**
   * Converters whose text depends only on what every line of a batch shares: its time, level, thread, logger, MDC and
   * context, and no throwable. Exact classes: a subclass may read more.
   */
  private static final Set<Class<?>> SAME_ON_EVERY_LINE = Set.of(LiteralConverter.class, DateConverter.class,
      LevelConverter.class, ThreadConverter.class, LoggerConverter.class, LineSeparatorConverter.class,
      MDCConverter.class, ContextNameConverter.class, ThrowableProxyConverter.class);

  /** Chars per line a new builder makes room for: the shipped console pattern's lines are about 130. */
  private static final int CHARS_PER_LINE = 160;
  /** A builder kept per writing thread for the next batch, up to this many chars (256 lines are about 33 000). */
  private static final int KEPT_BUILDER_CHARS = 256 * 1024;

  private final List<Part> parts = new ArrayList<>();
  private final ThreadLocal<StringBuilder> builders = new ThreadLocal<>();

  LinePatternLayout() {
    EnsureExceptionHandling exceptions = new EnsureExceptionHandling();
    setPostCompileProcessor((context, head) -> {
      exceptions.process(context, head);
      split(head);
    });
  }

  /**
   * The bytes of {@link #layOutLines} in {@code charset}, or the platform's if null, as LayoutWrappingEncoder
   * makes a line's bytes.
   */
  byte[] encode(LineBatch batch, Charset charset) {
    String lines = layOutLines(batch);
    byte[] bytes = charset == null ? lines.getBytes() : lines.getBytes(charset);
    if (bytes.length != lines.length()) {
      // A char beyond ASCII: the kept builder may now hold two bytes per char for good; the next batch gets a new one
      builders.remove();
    }
    return bytes;
  }

  /**
   * The lines of {@code batch}, one after the other, each as {@link #doLayout(ILoggingEvent)} lays it out alone: not an
   * overload of that, which lays out any event, a batch too, as one.
   */
  String layOutLines(LineBatch batch) {
    if (!isStarted() || batch.size() == 0) {
      return "";
    }
    // One event stands for all the lines where they are the same
    LoggingEvent shared = batch.line(0);
    String[] sameTexts = new String[parts.size()];
    for (int p = 0; p < parts.size(); p++) {
      sameTexts[p] = parts.get(p).sameText(shared);
    }
    StringBuilder text = builders.get();
    if (text == null) {
      text = new StringBuilder(batch.size() * CHARS_PER_LINE);
      builders.set(text);
    }
    text.setLength(0);
    for (int line = 0; line < batch.size(); line++) {
      appendLine(batch, line, line == 0 ? shared : null, sameTexts, text);
    }
    String lines = text.toString();
    if (text.capacity() > KEPT_BUILDER_CHARS) {
      builders.remove();
    }
    return lines;
  }

  /** Line {@code line}: its event, if any part needs it, is {@code event} or made here. */
  private void appendLine(LineBatch batch, int line, LoggingEvent event, String[] sameTexts, StringBuilder text) {
    for (int p = 0; p < parts.size(); p++) {
      Part part = parts.get(p);
      if (sameTexts[p] != null) {
        text.append(sameTexts[p]);
      } else if (part.plainMessage()) {
        batch.appendFormattedMessage(line, text);
      } else {
        if (event == null) {
          event = batch.line(line);
        }
        part.perLine().write(text, event);
      }
    }
  }

  /** The pattern's converters as parts: runs of converters the same on every line, and the others one by one. */
  private void split(Converter<ILoggingEvent> head) {
    parts.clear();
    List<Converter<ILoggingEvent>> run = new ArrayList<>();
    for (Converter<ILoggingEvent> c = head; c != null; c = c.getNext()) {
      if (SAME_ON_EVERY_LINE.contains(c.getClass())) {
        run.add(c);
        continue;
      }
      if (!run.isEmpty()) {
        parts.add(Part.sameOnEveryLine(run));
        run.clear();
      }
      parts.add(Part.perLine(c));
    }
    if (!run.isEmpty()) {
      parts.add(Part.sameOnEveryLine(run));
    }
  }

  /**
   * Either converters the same on every line of a batch, or one converter laid out per line; {@code plainMessage}
   * when that is {@code %msg} with no padding or cutting, the line's message as it is.
   */
  private record Part(List<Converter<ILoggingEvent>> same, Converter<ILoggingEvent> perLine, boolean plainMessage) {

    static Part sameOnEveryLine(List<Converter<ILoggingEvent>> converters) {
      return new Part(List.copyOf(converters), null, false);
    }

    static Part perLine(Converter<ILoggingEvent> converter) {
      boolean plainMessage = converter.getClass() == MessageConverter.class
          && ((FormattingConverter<ILoggingEvent>) converter).getFormattingInfo() == null;
      return new Part(List.of(), converter, plainMessage);
    }

    /** The text of the converters the same on every line, or null for a part laid out per line. */
    String sameText(LoggingEvent shared) {
      if (perLine != null) {
        return null;
      }
      StringBuilder text = new StringBuilder();
      for (Converter<ILoggingEvent> c : same) {
        c.write(text, shared);
      }
      return text.toString();
    }
  }
}
