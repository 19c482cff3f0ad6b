package io.echopair.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.turbo.MarkerFilter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.filter.AbstractMatcherFilter;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import io.echopair.runtime.logging.LineBatch;
import io.echopair.runtime.logging.LogFormatEncoder;
import io.echopair.runtime.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.KeyValuePair;

@DisplayName("A batch of log lines")
class LineBatchTest {

  private static final String LOGGER = "echopair.test.batch";
  private static final String SHIPPED_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";
  private static final String CHANGED_PATTERN = "%date{ISO8601} |%level| %thread %logger %mdc %kvp - %message%n";
  /** The message padded, cut, replaced and twice, a line's parts cut; all laid out per line but the padded ones. */
  private static final String MESSAGE_TWICE_PATTERN =
      "%relative %.-3thread %X{connection} [%-40msg] %replace(%msg){'Msg', 'M'} %.10m %-6level%logger{0}%n";

  @TempDir
  Path logDir;

  /** Lines as a test writes them: each its message, arguments and key-value pairs. */
  private static final class Lines extends LineBatch {
    private final List<Object[]> lines = new ArrayList<>();

    Lines(org.slf4j.Logger logger) {
      super(logger, Level.INFO);
    }

    Lines add(String message, List<KeyValuePair> pairs, Object... arguments) {
      lines.add(new Object[] {message, pairs, arguments});
      return this;
    }

    @Override
    public int size() {
      return lines.size();
    }

    @Override
    protected String message(int line) {
      return (String) lines.get(line)[0];
    }

    @Override
    @SuppressWarnings("unchecked")
    protected List<KeyValuePair> keyValuePairs(int line) {
      return (List<KeyValuePair>) lines.get(line)[1];
    }

    @Override
    protected Object[] arguments(int line) {
      return (Object[]) lines.get(line)[2];
    }
  }

  @Test
  @DisplayName("is written byte for byte as its lines logged one by one: the shipped pattern, a changed one, and JSON")
  void sameBytesAsAlone() {
    org.slf4j.Logger logger = LoggerFactory.getLogger(LOGGER);
    // Texts a sender may send: placeholders, escapes, quotes, other scripts, nothing
    List<String> texts = List.of("This Msg From Client", "{} and {}", "a \\{} b", "quote \" back \\ slash", "ünï ✓", "");
    // What the logging thread has in its MDC reaches each line, batched or not
    MDC.put("connection", "7");
    Lines batch = new Lines(logger);
    try (LogCapture alone = LogCapture.of(LOGGER)) {
      long seq = 40;
      for (String text : texts) {
        seq++;
        List<KeyValuePair> pairs = List.of(new KeyValuePair("text", text), new KeyValuePair("seq", seq));
        logger.atInfo().addKeyValue("text", text).addKeyValue("seq", seq)
            .log("Recv Msg : {} (peer {}, seq={})", text, "127.0.0.1:5", seq);
        batch.add("Recv Msg : {} (peer {}, seq={})", pairs, text, "127.0.0.1:5", seq);
        logger.info("Recv Msg : {} (peer {})", text, "127.0.0.1:6");
        batch.add("Recv Msg : {} (peer {})", null, text, "127.0.0.1:6");
      }
      List<ILoggingEvent> lines = alone.events(message -> true);
      assertThat(lines).hasSize(2 * texts.size());
      // The same instant for both, which is all a batch shares that lines logged alone would not
      lines.forEach(line -> ((LoggingEvent) line).setInstant(batch.getInstant()));

      for (LogFormatEncoder encoder : List.of(encoder("text", SHIPPED_PATTERN), encoder("text", CHANGED_PATTERN),
          encoder("text", MESSAGE_TWICE_PATTERN), encoder("json", SHIPPED_PATTERN))) {
        ByteArrayOutputStream oneByOne = new ByteArrayOutputStream();
        lines.forEach(line -> oneByOne.writeBytes(encoder.encode(line)));

        String written = new String(encoder.encode(batch), StandardCharsets.UTF_8);
        assertThat(written).isEqualTo(oneByOne.toString(StandardCharsets.UTF_8));
        assertThat(written.lines()).hasSize(2 * texts.size());
        // Again, on the same thread: nothing of the batch before is left over
        assertThat(encoder.encode(batch)).isEqualTo(written.getBytes(StandardCharsets.UTF_8));
      }
      assertThat(new String(encoder("text", CHANGED_PATTERN).encode(batch), StandardCharsets.UTF_8))
          .contains(" connection=7 ");
    } finally {
      MDC.remove("connection");
    }
  }

  @Test
  @DisplayName("is logged where conf/logback.xml sets the appenders up, console or file")
  void shippedAppenders() throws JoranException {
    assertThat(LineBatch.canLogTo(LoggingSetupTest.configure(Map.of()).getLogger(LOGGER))).isTrue();
    assertThat(LineBatch.canLogTo(LoggingSetupTest.configure(Map.of("LOG_FORMAT", "json")).getLogger(LOGGER))).isTrue();
    assertThat(LineBatch.canLogTo(
        LoggingSetupTest.configure(Map.of("LOG_DIR", logDir.toString(), "LOG_APPENDER", "FILE")).getLogger(LOGGER))).isTrue();
  }

  @Test
  @DisplayName("is not logged where an appender, a filter, caller data or a turbo filter would see it as one line")
  void otherAppenders() throws JoranException {
    LoggerContext extraAppender = LoggingSetupTest.configure(Map.of());
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.setContext(extraAppender);
    list.start();
    extraAppender.getLogger("echopair").addAppender(list);

    LoggerContext asyncFilter = LoggingSetupTest.configure(Map.of());
    async(asyncFilter).addFilter(acceptAll());

    LoggerContext writerFilter = LoggingSetupTest.configure(Map.of());
    async(writerFilter).getAppender("CONSOLE").addFilter(acceptAll());

    LoggerContext callerData = LoggingSetupTest.configure(Map.of());
    async(callerData).setIncludeCallerData(true);

    LoggerContext turbo = LoggingSetupTest.configure(Map.of());
    turbo.addTurboFilter(new MarkerFilter());

    for (LoggerContext context : List.of(extraAppender, asyncFilter, writerFilter, callerData, turbo)) {
      assertThat(LineBatch.canLogTo(context.getLogger(LOGGER))).isFalse();
      context.stop();
    }
    // Not additive: the root's appenders are not reached, and the logger has none of its own
    LoggerContext none = LoggingSetupTest.configure(Map.of());
    none.getLogger(LOGGER).setAdditive(false);
    assertThat(LineBatch.canLogTo(none.getLogger(LOGGER))).isFalse();
  }

  @Test
  @DisplayName("goes through conf/logback.xml's file appender as its lines, in order with the lines around it")
  void throughTheFile() throws JoranException, IOException {
    LoggerContext context = LoggingSetupTest.configure(Map.of("LOG_DIR", logDir.toString(), "LOG_APPENDER", "FILE"));
    Logger logger = context.getLogger(LOGGER);

    logger.info("before");
    new Lines(logger).add("line {}", null, 1).add("line {}", null, 2).add("line {}", null, 3).log();
    logger.info("after");
    context.stop();

    assertThat(Files.readAllLines(logDir.resolve("echopair.log")))
        .map(line -> line.replaceFirst("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ", ""))
        .containsExactly("INFO  [main] batch - before", "INFO  [main] batch - line 1", "INFO  [main] batch - line 2",
            "INFO  [main] batch - line 3", "INFO  [main] batch - after");
  }

  private static LogFormatEncoder encoder(String format, String pattern) {
    LogFormatEncoder encoder = new LogFormatEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.setFormat(format);
    encoder.setPattern(pattern);
    encoder.start();
    return encoder;
  }

  private static AbstractMatcherFilter<ILoggingEvent> acceptAll() {
    AbstractMatcherFilter<ILoggingEvent> filter = new AbstractMatcherFilter<>() {
      @Override
      public FilterReply decide(ILoggingEvent event) {
        return FilterReply.NEUTRAL;
      }
    };
    filter.start();
    return filter;
  }

  private static AsyncAppender async(LoggerContext context) {
    AsyncAppender async = (AsyncAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
    assertThat(async.getAppender("CONSOLE")).isInstanceOf(OutputStreamAppender.class);
    return async;
  }
}
