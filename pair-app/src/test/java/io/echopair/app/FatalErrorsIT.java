package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.launch.ExitStatus;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose logging dies of OutOfMemoryError ends, so that a supervisor restarts it: the server jar runs with a
 * logback configuration whose appender throws when it sees a frame's text, "die-now" (DieOnMessageAppender).
 */
class FatalErrorsIT {

  @TempDir
  Path dir;

  @Test
  @DisplayName("logback's writer thread dying of OutOfMemoryError ends the server with status 70 and one FATAL line")
  void logWriterDies() throws Exception {
    assertFatalExit("logback-async.xml", "AsyncAppender-Worker-ASYNC");
  }

  @Test
  @DisplayName("an OutOfMemoryError on an event loop ends the server with status 70 and one FATAL line")
  void eventLoopDies() throws Exception {
    assertFatalExit("logback-sync.xml", "vert\\.x-eventloop-thread-\\d+");
  }

  private void assertFatalExit(String logbackConfig, String threadRegex) throws Exception {
    Path stderr = dir.resolve("stderr.txt");
    Path config = Path.of(getClass().getResource("/fatal/" + logbackConfig).toURI());
    try (ChildProcess server = ChildProcess.withTestClasses(PackagedJarsIT.SERVER_JAR,
        "io.echopair.runtime.launch.Main",
        List.of("-Dlogback.configurationFile=" + config, "-Dechopair.host=127.0.0.1", "-Dechopair.port=0"),
        stderr, "--conf", "conf/echo-server.json")) {
      int port = PackagedJarsIT.listeningPort(server);

      try (Socket client = new Socket("127.0.0.1", port)) {
        OutputStream out = client.getOutputStream();
        out.write(seedFrame("still-alive"));
        server.awaitLine("Recv Msg : still-alive \\(peer 127\\.0\\.0\\.1:\\d+\\)");
        out.write(seedFrame("die-now"));

        assertThat(server.awaitExit()).as("exit status; output:\n%s", server.output()).isEqualTo(ExitStatus.FATAL);
      }
      List<String> fatalLines = Files.readAllLines(stderr).stream().filter(line -> line.contains("FATAL")).toList();
      assertThat(fatalLines).as("standard error:\n%s", Files.readString(stderr)).singleElement().asString()
          .matches("FATAL: OutOfMemoryError in thread " + threadRegex
              + ": test appender saw die-now; exiting with status 70");
      assertThat(server.linesMatching("FATAL")).as("FATAL lines on standard output").isEmpty();
    }
  }

  /** What the seed's client sends: the text, then NULs up to 100 bytes. */
  private static byte[] seedFrame(String text) {
    byte[] frame = new byte[100];
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, frame, 0, bytes.length);
    return frame;
  }
}
