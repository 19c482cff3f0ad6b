package io.echopair.app;

import static io.echopair.app.PackagedJarsIT.SENDER_JAR;
import static io.echopair.app.PackagedJarsIT.SERVER_JAR;
import static io.echopair.app.PackagedJarsIT.listeningPort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server jar killed with SIGKILL in the middle of a stream and started again on its port. */
class ServerRestartIT {

  private static final Logger LOG = LoggerFactory.getLogger(ServerRestartIT.class);

  private static final int FRAMES = 300;
  private static final Pattern SEQ = Pattern.compile("Recv Msg : .* seq=(\\d+)\\)");
  private static final String TIME_PREFIX = "^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) ";

  @Test
  @DisplayName("after kill -9 and a restart on the same port, the sender is back within about a second, resends, "
      + "exits 0, and every seq from 1 to N was logged by one of the two server runs")
  void senderSurvivesServerKill() throws Exception {
    try (ChildProcess first = server("0")) {
      int port = listeningPort(first);
      try (ChildProcess sender = ChildProcess.jar(SENDER_JAR,
          List.of("-Dechopair.port=" + port, "-Dechopair.intervalMs=10", "-Dechopair.count=" + FRAMES,
              "-Dechopair.drainTimeoutMs=30000"),
          "--conf", "conf/sender.json")) {
        first.awaitLine("seq=100\\)");
        // SIGKILL: no stop(), no flush, no goodbye
        first.close();
        assertThat(first.awaitExit()).as("killed server's status").isEqualTo(137);

        try (ChildProcess second = server(String.valueOf(port))) {
          LocalTime back = timeOf(second, "Echo server listening on 127\\.0\\.0\\.1:" + port);
          LocalTime reconnected = timeOf(second, "Client 127\\.0\\.0\\.1:\\d+ connected");
          int senderStatus = sender.awaitExit();
          keepOutput(first, second, sender);
          assertThat(senderStatus).as("sender exit status; output:\n%s", sender.output()).isZero();

          Set<Long> logged = new TreeSet<>(sequences(first));
          logged.addAll(sequences(second));
          // Log times carry no date: a restart across midnight wraps
          long reconnectMs = Math.floorMod(Duration.between(back, reconnected).toMillis(), Duration.ofDays(1).toMillis());
          LOG.info("Server restart: {} frames, {} logged by the killed run, {} by the new one; the sender was back "
              + "{} ms after the new server listened", FRAMES, sequences(first).size(), sequences(second).size(), reconnectMs);
          assertThat(logged).as("seq logged by either run").containsExactlyElementsOf(
              LongStream.rangeClosed(1, FRAMES).boxed().toList());
          assertThat(reconnectMs).as("ms from listening to the sender's reconnect").isBetween(0L, 1500L);
          assertThat(sender.output()).contains("Sender finished: produced " + FRAMES + ", acknowledged " + FRAMES
              + ", dropped on queue overflow 0, unacknowledged at exit 0");
          assertThat(second.terminate()).as("new server's status after SIGTERM").isZero();
        }
      }
    }
  }

  /** The three outputs, for a look after the run: target/server-restart-*.log. */
  private static void keepOutput(ChildProcess first, ChildProcess second, ChildProcess sender) throws IOException {
    Files.writeString(Path.of("target", "server-restart-first.log"), first.output());
    Files.writeString(Path.of("target", "server-restart-second.log"), second.output());
    Files.writeString(Path.of("target", "server-restart-sender.log"), sender.output());
  }

  private static ChildProcess server(String port) throws Exception {
    return ChildProcess.jar(SERVER_JAR, List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=" + port),
        "--conf", "conf/echo-server.json");
  }

  private static List<Long> sequences(ChildProcess server) {
    return server.linesMatching(SEQ.pattern()).stream().map(line -> {
      Matcher m = SEQ.matcher(line);
      m.find();
      return Long.parseLong(m.group(1));
    }).toList();
  }

  /** Waits for a line matching {@code regex} and returns when it was logged (logback's {@code HH:mm:ss.SSS}). */
  private static LocalTime timeOf(ChildProcess process, String regex) throws InterruptedException {
    return LocalTime.parse(process.awaitLine(TIME_PREFIX + ".*" + regex).group(1));
  }
}
