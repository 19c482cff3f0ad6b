package io.echopair.runtime;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import io.echopair.runtime.logging.LogFormatEncoder;
import io.echopair.runtime.testing.LogCapture;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Logging")
class LoggingSetupTest {

  @TempDir
  Path logDir;

  @Test
  @DisplayName("uses conf/logback.xml as the classpath logback.xml of the jar")
  void oneSourceOfTruth() throws IOException {
    try (InputStream packaged = getClass().getResourceAsStream("/logback.xml")) {
      assertThat(packaged).isNotNull();
      assertThat(new String(packaged.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(Files.readString(Path.of("../conf/logback.xml")));
    }
  }

  @Test
  @DisplayName("writes to the console and creates no log file unless LOG_APPENDER is FILE")
  void consoleByDefault() throws JoranException, IOException {
    LoggerContext context = configure(Map.of("LOG_DIR", logDir.toString()));

    context.getLogger("echopair.test").info("to the console");

    assertThat(writer(context, "CONSOLE")).isNotNull();
    assertThat(writer(context, "FILE")).isNull();
    context.stop();
    try (var files = Files.list(logDir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  @DisplayName("logs at INFO unless LOG_LEVEL says otherwise")
  void rootLevel() throws JoranException {
    LoggerContext defaults = configure(Map.of());
    LoggerContext quiet = configure(Map.of("LOG_LEVEL", "warn"));

    assertThat(defaults.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
    assertThat(quiet.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
    assertThat(quiet.getLogger("echopair.test").isInfoEnabled()).isFalse();
    defaults.stop();
    quiet.stop();
  }

  @Test
  @DisplayName("writes to LOG_DIR/echopair.log when LOG_APPENDER is FILE, keeping io.netty at WARN")
  void fileWhenAsked() throws JoranException, IOException {
    LoggerContext context = configure(Map.of("LOG_DIR", logDir.toString(), "LOG_APPENDER", "FILE"));

    context.getLogger("echopair.test").info("to the file");
    context.getLogger("io.netty.test").info("netty chatter");
    assertThat(writer(context, "CONSOLE")).isNull();
    assertThat(writer(context, "FILE")).isNotNull();
    context.stop();

    assertThat(Files.readString(logDir.resolve("echopair.log")))
        .contains(" INFO  [").contains("] test - to the file")
        .doesNotContain("netty chatter");
  }

  @Test
  @DisplayName("writes text lines unless LOG_FORMAT is json, and logback finds nothing to warn about")
  void textByDefault() throws JoranException, IOException {
    LoggerContext defaults = configure(Map.of());
    LoggerContext text = configure(Map.of("LOG_FORMAT", "text"));
    LoggerContext textFile = configure(Map.of("LOG_DIR", logDir.toString(), "LOG_APPENDER", "FILE"));

    assertThat(encoderOf(writer(defaults, "CONSOLE")).writesJson()).isFalse();
    assertThat(encoderOf(writer(text, "CONSOLE")).writesJson()).isFalse();
    textFile.getLogger("echopair.test").info("as {} as ever", "plain");
    for (LoggerContext context : List.of(defaults, text, textFile)) {
      assertThat(problems(context)).as("logback's warnings and errors").isEmpty();
      context.stop();
    }
    assertThat(Files.readAllLines(logDir.resolve("echopair.log"))).singleElement().asString()
        .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[[^]]+\\] test - as plain as ever");
  }

  @Test
  @DisplayName("writes one JSON object per line to the console when LOG_FORMAT is json")
  void jsonOnTheConsole() throws JoranException {
    LoggerContext context = configure(Map.of("LOG_FORMAT", "json"));

    assertThat(encoderOf(writer(context, "CONSOLE")).writesJson()).isTrue();
    assertThat(problems(context)).as("logback's warnings and errors").isEmpty();
    context.stop();
  }

  @Test
  @DisplayName("writes JSON lines to the file when LOG_APPENDER is FILE and LOG_FORMAT is json, fields typed")
  void jsonInTheFile() throws JoranException, IOException {
    LoggerContext context = configure(
        Map.of("LOG_DIR", logDir.toString(), "LOG_APPENDER", "FILE", "LOG_FORMAT", "json"));

    context.getLogger("echopair.test").atInfo().addKeyValue("count", 3L).addKeyValue("rate", 1.5)
        .addKeyValue("peer", "127.0.0.1:5 \"quoted\"").log("Counted {} of {}", 3, "them");
    context.getLogger("echopair.test").warn("plain");
    context.getLogger("echopair.test").error("failed", new IllegalStateException("boom"));
    context.stop();

    List<JsonObject> lines = Files.readAllLines(logDir.resolve("echopair.log")).stream().map(JsonObject::new).toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).getMap()).containsEntry("level", "INFO").containsEntry("loggerName", "echopair.test")
        .containsEntry("formattedMessage", "Counted 3 of them")
        .containsEntry("count", 3).containsEntry("rate", 1.5).containsEntry("peer", "127.0.0.1:5 \"quoted\"")
        .containsKeys("timestamp", "threadName")
        .doesNotContainKeys("message", "arguments", "kvpList", "context", "mdc", "sequenceNumber", "nanoseconds",
            "throwable");
    assertThat(lines.get(1).getMap()).containsEntry("level", "WARN").containsEntry("formattedMessage", "plain")
        .doesNotContainKeys("kvpList", "throwable");
    assertThat(lines.get(2).getJsonObject("throwable").getMap())
        .containsEntry("className", "java.lang.IllegalStateException").containsEntry("message", "boom");
  }

  @Test
  @DisplayName("sends the log lines of Vert.x and Netty to SLF4J")
  void vertxAndNettyUseSlf4j() {
    try (LogCapture vertx = LogCapture.of("echopair.test.vertx"); LogCapture netty = LogCapture.of("echopair.test.netty")) {
      io.vertx.core.internal.logging.LoggerFactory.getLogger("echopair.test.vertx").info("from vert.x");
      InternalLoggerFactory.getInstance("echopair.test.netty").warn("from netty");

      assertThat(vertx.lines()).containsExactly("INFO from vert.x");
      assertThat(netty.lines()).containsExactly("WARN from netty");
    }
  }

  /** A fresh logback context configured from the packaged logback.xml with the given properties. */
  static LoggerContext configure(Map<String, String> properties) throws JoranException {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    properties.forEach(context::putProperty);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    URL config = LoggingSetupTest.class.getResource("/logback.xml");
    configurator.doConfigure(config);
    return context;
  }

  /** What logback warned about or refused while reading the file. */
  private static List<String> problems(LoggerContext context) {
    return context.getStatusManager().getCopyOfStatusList().stream()
        .filter(status -> status.getLevel() >= Status.WARN).map(Status::getMessage).toList();
  }

  private static LogFormatEncoder encoderOf(Appender<ILoggingEvent> writer) {
    return (LogFormatEncoder) ((OutputStreamAppender<ILoggingEvent>) writer).getEncoder();
  }

  /** The appender that writes the lines, behind the root logger's asynchronous one. */
  private static Appender<ILoggingEvent> writer(LoggerContext context, String name) {
    AsyncAppender async = (AsyncAppender) context.getLogger("ROOT").getAppender("ASYNC");
    assertThat(async).as("the root logger's asynchronous appender").isNotNull();
    return async.getAppender(name);
  }
}
