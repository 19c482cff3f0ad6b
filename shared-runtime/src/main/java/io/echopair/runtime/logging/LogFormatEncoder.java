package io.echopair.runtime.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.ByteArrayOutputStream;

/**
 * The encoder of conf/logback.xml's appenders: their text pattern, or with {@code <format>json</format>} one JSON
 * object per line ({@link JsonFieldsEncoder}). The choice is made here because logback refuses an {@code <if>} inside
 * an appender. A {@link LineBatch} it writes line by line, each line as it writes it logged alone; in text, what the
 * lines share is laid out once per batch ({@link LinePatternLayout}).
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {

  private String format = "text";
  private String pattern;
  private Encoder<ILoggingEvent> chosen;
  // The text lines' layout, or null for JSON
  private LinePatternLayout textLayout;

  /** {@code json}, or anything else for text: {@code ${LOG_FORMAT:-text}}. */
  public void setFormat(String format) {
    this.format = format;
  }

  /** The pattern of the text lines. */
  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** Whether the lines are JSON. */
  public boolean writesJson() {
    return chosen instanceof JsonFieldsEncoder;
  }

  @Override
  public void start() {
    if (LogFormat.isJson(format)) {
      chosen = new JsonFieldsEncoder();
    } else {
      // What PatternLayoutEncoder is, with a layout that also takes batches
      textLayout = new LinePatternLayout();
      textLayout.setContext(getContext());
      textLayout.setPattern(pattern);
      textLayout.start();
      LayoutWrappingEncoder<ILoggingEvent> text = new LayoutWrappingEncoder<>();
      text.setLayout(textLayout);
      chosen = text;
    }
    chosen.setContext(getContext());
    chosen.start();
    super.start();
  }

  @Override
  public void stop() {
    chosen.stop();
    if (textLayout != null) {
      textLayout.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return chosen.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    if (event instanceof LineBatch batch) {
      return encodeLines(batch);
    }
    return chosen.encode(event);
  }

  /** Each line of a batch as it is written logged alone, all in one array: the appender writes them at once. */
  private byte[] encodeLines(LineBatch batch) {
    if (textLayout != null) {
      return textLayout.encode(batch, ((LayoutWrappingEncoder<ILoggingEvent>) chosen).getCharset());
    }
    ByteArrayOutputStream lines = new ByteArrayOutputStream(batch.size() * 160);
    for (int i = 0; i < batch.size(); i++) {
      lines.writeBytes(chosen.encode(batch.line(i)));
    }
    return lines.toByteArray();
  }

  @Override
  public byte[] footerBytes() {
    return chosen.footerBytes();
  }
}
