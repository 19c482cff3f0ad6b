package io.echopair.app;

import static io.echopair.app.PackagedJarsIT.PAIR_JAR;
import static io.echopair.app.PackagedJarsIT.SENDER_JAR;
import static io.echopair.app.PackagedJarsIT.SERVER_JAR;
import static io.echopair.app.PackagedJarsIT.listeningPort;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The packaged jars' management endpoint, over real HTTP on ports the OS chose. */
class ManagementIT {

  private static final List<String> SERVER_METRICS = List.of("echopair_server_frames_received_total",
      "echopair_server_frames_echoed_total", "echopair_server_connections", "echopair_server_corrupt_frames_total",
      "echopair_server_duplicate_frames_total", "echopair_server_gaps_total",
      "echopair_server_paused_connections{reason=\"echoes\"}", "echopair_server_paused_connections{reason=\"log\"}");
  private static final List<String> SENDER_METRICS = List.of("echopair_sender_frames_sent_total",
      "echopair_sender_frames_acknowledged_total", "echopair_sender_frames_dropped_total",
      "echopair_sender_pending_frames", "echopair_sender_reconnects_total", "echopair_sender_rtt_seconds_count",
      "echopair_sender_rtt_seconds_bucket{le=\"5.0E-5\"}", "echopair_sender_rtt_seconds_bucket{le=\"10.0\"}");
  private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+(?:\\{[^}]*})?) (\\S+)$", Pattern.MULTILINE);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();

  @Test
  @DisplayName("echopair.jar: every named meter is on /metrics, from the counters of the stats lines, moving with "
      + "traffic; /ready lists each piece")
  void pairMetrics() throws Exception {
    try (ChildProcess pair = ChildProcess.jar(PAIR_JAR, List.of("-Dechopair.server.host=127.0.0.1",
            "-Dechopair.server.port=0", "-Dechopair.sender.intervalMs=20", "-Dechopair.management.port=0"),
        "--conf", "conf/echopair.json")) {
      int management = managementPort(pair);
      pair.awaitLine("seq=5\\)");

      Map<String, Double> before = scrape(management);
      assertThat(before).containsKeys(SERVER_METRICS.toArray(String[]::new))
          .containsKeys(SENDER_METRICS.toArray(String[]::new))
          .containsKeys("vertx_net_server_active_connections", "vertx_net_client_active_connections");
      assertThat(before.keySet()).anyMatch(name -> name.startsWith("jvm_memory_used_bytes{"));
      assertThat(before.get("echopair_server_frames_received_total")).isGreaterThanOrEqualTo(5);
      assertThat(before.get("echopair_server_connections")).isEqualTo(1);
      assertThat(before.get("echopair_sender_rtt_seconds_bucket{le=\"10.0\"}")).isPositive();

      pair.awaitLine("seq=" + (before.get("echopair_server_frames_received_total").longValue() + 5) + "\\)");
      Map<String, Double> after = scrape(management);
      assertThat(after.get("echopair_server_frames_received_total"))
          .isGreaterThan(before.get("echopair_server_frames_received_total"));
      assertThat(after.get("echopair_sender_frames_acknowledged_total"))
          .isGreaterThan(before.get("echopair_sender_frames_acknowledged_total"));
      assertThat(after.get("echopair_sender_rtt_seconds_count")).isGreaterThan(before.get("echopair_sender_rtt_seconds_count"));

      HttpResponse<String> ready = get(management, "/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(checks(ready)).containsExactlyInAnyOrder("server UP", "sender UP", "deployment UP");
      assertThat(get(management, "/health").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("sender.jar: ready while it holds a connection, 503 once its server is gone")
  void senderReadiness() throws Exception {
    try (ChildProcess server = ChildProcess.jar(SERVER_JAR, List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=0"),
        "--conf", "conf/echo-server.json")) {
      int port = listeningPort(server);
      try (ChildProcess sender = ChildProcess.jar(SENDER_JAR, List.of("-Dechopair.port=" + port,
          "-Dechopair.intervalMs=20", "-Dechopair.management.port=0"), "--conf", "conf/sender.json")) {
        int management = managementPort(sender);
        sender.awaitLine("Connected to 127\\.0\\.0\\.1:" + port);
        assertThat(get(management, "/ready").statusCode()).isEqualTo(200);

        assertThat(server.terminate()).isZero();
        sender.awaitLine("Reconnecting stream 1 in");

        HttpResponse<String> lost = get(management, "/ready");
        assertThat(lost.statusCode()).isEqualTo(503);
        assertThat(checks(lost)).containsExactlyInAnyOrder("sender DOWN", "deployment UP");
        assertThat(lost.body()).contains("\"data\":{\"connected\":0,\"connections\":1,\"producing\":true}");
        assertThat(scrape(management).get("echopair_sender_pending_frames")).isPositive();
      }
    }
  }

  @Test
  @DisplayName("echo-server.jar on SIGTERM: /ready answers 503 first, while the server still echoes for "
      + "management.stopDelayMs")
  void serverStopsNotReadyFirst() throws Exception {
    try (ChildProcess server = ChildProcess.jar(SERVER_JAR, List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=0",
        "-Dechopair.management.port=0", "-Dechopair.management.stopDelayMs=120000"), "--conf", "conf/echo-server.json")) {
      int port = listeningPort(server);
      int management = managementPort(server);
      HttpResponse<String> ready = get(management, "/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(checks(ready)).containsExactlyInAnyOrder("server UP", "deployment UP");

      server.signalTerm();
      server.awaitLine("Stopping: /ready answers 503 from now; the pieces keep serving for 120000 ms");

      HttpResponse<String> stopping = get(management, "/ready");
      assertThat(stopping.statusCode()).isEqualTo(503);
      assertThat(checks(stopping)).containsExactlyInAnyOrder("server UP", "deployment DOWN");
      // A seed client still gets its frame echoed: the server drains only after the delay
      assertThat(echo(port, "still served")).isEqualTo("still served");
      server.awaitLine("Recv Msg : still served");
    }
  }

  @Test
  @DisplayName("monitor.jar: ready once its consumer is registered")
  void monitorReadiness() throws Exception {
    try (ChildProcess monitor = ChildProcess.jar(ClusterJarsIT.MONITOR_JAR, List.of("-Dechopair.management.port=0"),
        "--conf", "conf/monitor.json")) {
      int management = managementPort(monitor);
      monitor.awaitLine("Monitor listening to echopair\\.messages");

      HttpResponse<String> ready = get(management, "/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(checks(ready)).containsExactlyInAnyOrder("monitor UP", "deployment UP");
      assertThat(scrape(management)).containsEntry("echopair_monitor_messages_total", 0.0);
    }
  }

  private static int managementPort(ChildProcess process) throws InterruptedException {
    return Integer.parseInt(process.awaitLine("Management endpoint on http://127\\.0\\.0\\.1:(\\d+): ").group(1));
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Every sample of /metrics, by name and labels as printed. */
  private Map<String, Double> scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> response = get(port, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, Double> samples = new HashMap<>();
    Matcher sample = SAMPLE.matcher(response.body());
    while (sample.find()) {
      samples.put(sample.group(1), Double.parseDouble(sample.group(2)));
    }
    return samples;
  }

  /** {@code id STATUS} of each check of a health response. */
  private static List<String> checks(HttpResponse<String> response) {
    JsonArray checks = new JsonObject(response.body()).getJsonArray("checks");
    return checks.stream().map(JsonObject.class::cast)
        .map(check -> check.getString("id") + " " + check.getString("status")).toList();
  }

  /** Sends one seed frame (100 bytes, the text then zeros) and returns the text of its echo. */
  private static String echo(int port, String text) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      byte[] frame = new byte[100];
      byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(bytes, 0, frame, 0, bytes.length);
      OutputStream out = socket.getOutputStream();
      out.write(frame);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] echoed = in.readNBytes(100);
      return new String(echoed, 0, bytes.length, StandardCharsets.US_ASCII);
    }
  }
}
