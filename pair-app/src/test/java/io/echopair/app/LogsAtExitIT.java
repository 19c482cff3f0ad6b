package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The jars' logback.xml writes every queued line out when the JVM exits without the jars' own launcher (as it does
 * when a jar is started by class name with VertxApplication): its shutdown hook, FlushLogsAtExit.
 */
class LogsAtExitIT {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource({"plain, before exiting", "vertx, while closing"})
  @DisplayName("System.exit loses none of the lines logged before it, nor those an event loop logs while Vert.x closes")
  void everyLineWritten(String mode, String when) throws Exception {
    try (ChildProcess child = ChildProcess.withTestClasses(PackagedJarsIT.SERVER_JAR,
        LogThenExit.class.getName(), List.of(), dir.resolve("stderr.txt"), mode)) {
      assertThat(child.awaitExit()).as("status; output:\n%s", child.output()).isEqualTo(LogThenExit.STATUS);
      List<String> lines = child.linesMatching("LogThenExit - Line \\d+ of " + LogThenExit.LINES + ", " + when + "$");
      assertThat(lines.size()).as("lines written").isEqualTo(LogThenExit.LINES);
      assertThat(lines.get(lines.size() - 1)).contains("Line " + LogThenExit.LINES + " of");
    }
  }
}
