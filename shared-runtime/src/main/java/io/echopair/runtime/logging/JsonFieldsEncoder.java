package io.echopair.runtime.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.encoder.JsonEscapeUtil;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * Logback's {@link JsonEncoder} with the SLF4J key-value pairs of a line as top-level fields that keep their type,
 * {@code "seq":17}, where logback writes a {@code "kvpList"} of one-key objects whose values are all strings; and the
 * message as it reads in text mode ({@code formattedMessage}), without the fields that only repeat it or carry
 * nothing here.
 *
 * <p>A line: {@code {"timestamp":1764527405123,"level":"INFO","threadName":"vert.x-eventloop-thread-1",
 * "loggerName":"io.echopair.server.FrameIntake","text":"This Msg From Client","peer":"127.0.0.1:53422","seq":17,
 * "senderId":"3fa2b7c1d4e5f607","formattedMessage":"Recv Msg : ..."}}, and {@code "throwable":{...}} when the line
 * carries a stack trace. The keys of our lines are chosen apart from the encoder's own.
 */
public final class JsonFieldsEncoder extends JsonEncoder {

  public JsonFieldsEncoder() {
    // Always 0 without a sequence generator; the millisecond timestamp is what the text lines show
    setWithSequenceNumber(false);
    setWithNanoseconds(false);
    // The context's name, birth time and every property, on every line
    setWithContext(false);
    // Nothing is put in the MDC: an empty "mdc":{} on every line
    setWithMDC(false);
    // The message pattern with its arguments apart: formattedMessage is the line as text mode writes it
    setWithMessage(false);
    setWithArguments(false);
    setWithFormattedMessage(true);
  }

  /** A stack trace when there is one; logback writes {@code "throwable":null} on every other line. */
  @Override
  protected void appendThrowableProxy(StringBuilder sb, String attributeName, IThrowableProxy throwable) {
    if (throwable != null) {
      super.appendThrowableProxy(sb, attributeName, throwable);
    }
  }

  @Override
  protected void appendKeyValuePairs(StringBuilder sb, ILoggingEvent event) {
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs == null) {
      return;
    }
    for (KeyValuePair pair : pairs) {
      sb.append(VALUE_SEPARATOR).append(QUOTE).append(JsonEscapeUtil.jsonEscapeString(pair.key)).append(QUOTE_COL);
      appendValue(sb, pair.value);
    }
  }

  private static void appendValue(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof Long || value instanceof Integer || value instanceof Boolean
        || (value instanceof Double number && Double.isFinite(number))) {
      sb.append(value);
    } else {
      sb.append(QUOTE).append(JsonEscapeUtil.jsonEscapeString(value.toString())).append(QUOTE);
    }
  }
}
