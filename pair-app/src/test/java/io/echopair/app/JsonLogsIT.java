package io.echopair.app;

import static io.echopair.app.PackagedJarsIT.SENDER_JAR;
import static io.echopair.app.PackagedJarsIT.SERVER_JAR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code LOG_FORMAT=json} on the packaged jars: every line is one JSON object, a received frame is an event with its
 * fields, a stats line carries its figures as numbers; and an unknown format is refused.
 */
class JsonLogsIT {

  @Test
  @DisplayName("with LOG_FORMAT=json the server and sender jars print only JSON lines: frames with their fields, stats with their figures")
  void serverAndSender() throws Exception {
    try (ChildProcess server = ChildProcess.jar(SERVER_JAR,
        json("-Dechopair.host=127.0.0.1", "-Dechopair.port=0", "-Dechopair.statsIntervalMs=200"),
        "--conf", "conf/echo-server.json")) {
      int port = PackagedJarsIT.listeningPort(server);

      String senderId;
      try (ChildProcess sender = ChildProcess.jar(SENDER_JAR,
          json("-Dechopair.port=" + port, "-Dechopair.intervalMs=50", "-Dechopair.count=5",
              "-Dechopair.statsIntervalMs=100"),
          "--conf", "conf/sender.json")) {
        assertThat(sender.awaitExit()).as("sender exit status; output:\n%s", sender.output()).isZero();
        List<JsonObject> lines = eachLineAsJson(sender);
        senderId = group(message(only(lines, "Connected to ")), "sender id ([0-9a-f]{16})");
        assertThat(only(lines, "Sender finished: ").getMap()).containsEntry("produced", 5)
            .containsEntry("acknowledged", 5).containsEntry("dropped", 0).containsEntry("unacknowledged", 0);
        // Each figure of the text is a field: the counts as they read, the rate to its rounding
        assertThat(linesStarting(lines, "Stats: ")).isNotEmpty().allSatisfy(stats -> {
          assertThat(message(stats)).startsWith("Stats: sent " + stats.getLong("sent") + " (")
              .contains("/s), acknowledged " + stats.getLong("acknowledged") + ", pending " + stats.getLong("pending")
                  + ", dropped " + stats.getLong("dropped") + ", reconnects " + stats.getLong("reconnects") + "; ");
          assertThat(stats.getDouble("sentPerSecond"))
              .isCloseTo(figure(message(stats), "\\(([0-9.]+)/s\\)"), within(0.11));
        });
      }
      server.awaitLine("Recv Msg : This Msg From Client \\(peer [^)]+, seq=5\\)");
      assertThat(server.terminate()).as("server exit status after SIGTERM").isZero();

      List<JsonObject> lines = eachLineAsJson(server);
      List<JsonObject> frames = linesStarting(lines, "Recv Msg : ");
      assertThat(frames).extracting(frame -> frame.getLong("seq")).containsExactly(LongStream.rangeClosed(1, 5).boxed()
          .toArray(Long[]::new));
      assertThat(frames).allSatisfy(frame -> {
        assertThat(frame.getString("level")).isEqualTo("INFO");
        assertThat(frame.getString("text")).isEqualTo("This Msg From Client");
        assertThat(frame.getString("peer")).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(frame.getString("senderId")).isEqualTo(senderId);
        assertThat(message(frame)).isEqualTo("Recv Msg : This Msg From Client (peer " + frame.getString("peer")
            + ", seq=" + frame.getLong("seq") + ")");
      });
      assertThat(only(lines, "Final stats: ").getMap()).containsEntry("connections", 0).containsEntry("accepted", 1)
          .containsEntry("refused", 0).containsEntry("framesIn", 5).containsEntry("bytesIn", 500)
          .containsEntry("framesOut", 5).containsEntry("bytesOut", 500).containsEntry("corrupt", 0)
          .containsEntry("undecodable", 0).containsEntry("duplicates", 0).containsEntry("gaps", 0)
          .containsEntry("trackedSenders", 1);
      assertThat(linesStarting(lines, "Stats: ")).isNotEmpty().allSatisfy(stats -> {
        assertThat(message(stats)).startsWith("Stats: " + stats.getLong("connections") + " connections open, "
                + stats.getLong("accepted") + " accepted, " + stats.getLong("refused") + " refused; in "
                + stats.getLong("framesIn") + " frames (")
            .contains("/s), " + stats.getLong("bytesIn") + " bytes (",
                "; out " + stats.getLong("framesOut") + " frames (",
                "/s), " + stats.getLong("bytesOut") + " bytes; " + stats.getLong("corrupt") + " corrupt, ");
        assertThat(stats.getDouble("framesInPerSecond"))
            .isCloseTo(figure(message(stats), "in \\d+ frames \\(([0-9.]+)/s\\)"), within(0.11));
      });
    }
  }

  @Test
  @DisplayName("with LOG_FORMAT=json the monitor jar prints only JSON lines, its count line with its figures")
  void monitor() throws Exception {
    try (ChildProcess monitor = ChildProcess.jar(ClusterJarsIT.MONITOR_JAR, json("-Dechopair.statsIntervalMs=100"),
        "--conf", "conf/monitor.json")) {
      monitor.awaitLine("Stats: 0 messages in the last");
      assertThat(monitor.terminate()).as("monitor exit status after SIGTERM").isZero();

      List<JsonObject> counts = linesStarting(eachLineAsJson(monitor), "Stats: ");
      assertThat(counts).isNotEmpty().allSatisfy(count -> {
        assertThat(count.getMap()).containsEntry("messages", 0).containsEntry("messagesPerSecond", 0.0)
            .containsEntry("servers", 0).containsEntry("total", 0).containsEntry("malformed", 0);
        assertThat(message(count)).startsWith("Stats: 0 messages in the last ")
            .endsWith(" s (0.0/s) from 0 servers; 0 in total");
        assertThat(count.getDouble("seconds"))
            .isCloseTo(figure(message(count), "in the last ([0-9.]+) s"), within(0.11));
      });
    }
  }

  @Test
  @DisplayName("an unknown LOG_FORMAT is one line naming it, and exit status 78")
  void unknownFormat() throws Exception {
    try (ChildProcess server = ChildProcess.jar(SERVER_JAR, List.of("-DLOG_FORMAT=JSON"),
        "--conf", "conf/echo-server.json")) {
      assertThat(server.awaitExit()).isEqualTo(78);
      assertThat(server.output().lines()).singleElement().asString()
          .contains("ERROR", "-DLOG_FORMAT = \"JSON\": must be text or json (the format of the log lines)");
    }
  }

  private static List<String> json(String... jvmArgs) {
    List<String> args = new ArrayList<>(List.of("-DLOG_FORMAT=json"));
    args.addAll(List.of(jvmArgs));
    return args;
  }

  /** Every line the process printed, each of which must be one JSON object. */
  private static List<JsonObject> eachLineAsJson(ChildProcess process) {
    List<String> printed = process.output().lines().toList();
    assertThat(printed).isNotEmpty();
    List<JsonObject> lines = new ArrayList<>();
    for (String line : printed) {
      assertThat(line).as("a JSON line").startsWith("{").endsWith("}");
      lines.add(new JsonObject(line));
    }
    return lines;
  }

  private static List<JsonObject> linesStarting(List<JsonObject> lines, String prefix) {
    return lines.stream().filter(line -> message(line).startsWith(prefix)).toList();
  }

  private static JsonObject only(List<JsonObject> lines, String prefix) {
    List<JsonObject> matching = linesStarting(lines, prefix);
    assertThat(matching).as("lines starting %s", prefix).hasSize(1);
    return matching.get(0);
  }

  /** The line's message, as text mode writes it. */
  private static String message(JsonObject line) {
    return line.getString("formattedMessage");
  }

  /** The number {@code regex} finds in {@code text}. */
  private static double figure(String text, String regex) {
    return Double.parseDouble(group(text, regex));
  }

  private static String group(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    assertThat(matcher.find()).as("%s in %s", regex, text).isTrue();
    return matcher.group(1);
  }
}
