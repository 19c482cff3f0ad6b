package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * README "Deploying the verticles yourself", by class name: each packaged jar run with Vert.x's own
 * {@code VertxApplication} instead of its main class, as separate JVMs. What our launcher adds is missing there
 * (exit status 0 and 78, the early --conf checks); what the verticles check themselves is not.
 */
class VertxApplicationIT {

  static final String VERTX_APPLICATION = "io.vertx.launcher.application.VertxApplication";
  static final String MONITOR_JAR = "monitor-verticle/target/monitor.jar";
  /** The JVM's status after SIGTERM (128 + 15): VertxApplication stops the verticles, then lets the JVM report it. */
  static final int SIGTERM_STATUS = 143;
  /** VertxApplication's status when the main verticle fails to deploy. */
  static final int DEPLOYMENT_FAILED = 15;
  /** On loopback, on a port the OS chooses. */
  static final List<String> LOOPBACK_PORT_0 = List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=0");

  /** The server by class name with {@code -conf conf}, on loopback and a port the OS chooses. */
  static ChildProcess serverOnLoopback(String conf) throws IOException {
    return ChildProcess.mainClass(PackagedJarsIT.SERVER_JAR, VERTX_APPLICATION, LOOPBACK_PORT_0,
        "io.echopair.server.EchoServerVerticle", "-conf", conf);
  }

  @Test
  @DisplayName("By class name, the server reads -conf conf/echo-server.json, the sender -conf JSON text, and the "
      + "frames arrive; SIGTERM stops both gracefully, with status 143")
  void serverAndSenderByClassName() throws Exception {
    try (ChildProcess server = serverOnLoopback("conf/echo-server.json")) {
      int port = PackagedJarsIT.listeningPort(server);
      try (ChildProcess sender = ChildProcess.mainClass(PackagedJarsIT.SENDER_JAR, VERTX_APPLICATION, List.of(),
          "io.echopair.sender.SenderVerticle", "-conf", "{\"port\": " + port + ", \"intervalMs\": 50}")) {
        server.awaitLine("Recv Msg : This Msg From Client \\(peer 127\\.0\\.0\\.1:\\d+, seq=3\\)");
        assertThat(sender.terminate()).as("sender status; output:\n%s", sender.output()).isEqualTo(SIGTERM_STATUS);
      }
      assertThat(server.terminate()).as("server status; output:\n%s", server.output()).isEqualTo(SIGTERM_STATUS);
      assertThat(server.output()).contains("Final stats: ");
      assertThat(server.output()).doesNotContain("No configuration given");
    }
  }

  @Test
  @DisplayName("By class name, the pair reads the sections of conf/echopair.json and its sender's frames are echoed")
  void pairByClassName() throws Exception {
    try (ChildProcess pair = ChildProcess.mainClass(PackagedJarsIT.PAIR_JAR, VERTX_APPLICATION,
        List.of("-Dechopair.server.host=127.0.0.1", "-Dechopair.server.port=0", "-Dechopair.sender.intervalMs=50"),
        "io.echopair.app.EchoPairVerticle", "-conf", "conf/echopair.json")) {
      pair.awaitLine("Recv Msg : This Msg From Client \\(peer 127\\.0\\.0\\.1:\\d+, seq=3\\)");
      assertThat(pair.terminate()).as("pair status; output:\n%s", pair.output()).isEqualTo(SIGTERM_STATUS);
    }
  }

  @Test
  @DisplayName("By class name, the monitor reads -conf conf/monitor.json and listens")
  void monitorByClassName() throws Exception {
    try (ChildProcess monitor = ChildProcess.mainClass(MONITOR_JAR, VERTX_APPLICATION, List.of(),
        "io.echopair.monitor.MonitorVerticle", "-conf", "conf/monitor.json")) {
      monitor.awaitLine("Monitor listening to echopair\\.messages on the event bus \\(not clustered");
      assertThat(monitor.terminate()).isEqualTo(SIGTERM_STATUS);
    }
  }

  @ParameterizedTest(name = "{1} with {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "echo-server-verticle/target/echo-server.jar | io.echopair.server.EchoServerVerticle | {\"port\": 70000} "
          + "| server.port = 70000: must be between 0 and 65535",
      "echo-server-verticle/target/echo-server.jar | io.echopair.server.EchoServerVerticle "
          + "| {\"tlsCertPath\": \"conf/no-such.crt\", \"tlsKeyPath\": \"conf/no-such.key\"} "
          + "| server.tlsCertPath = \"conf/no-such.crt\": cannot be read (no such file)",
      "echo-server-verticle/target/echo-server.jar | io.echopair.server.EchoServerVerticle "
          + "| {\"dedupWindow\": 16777216, \"maxTrackedSenders\": 1000000} "
          + "| server.dedupWindow = 16777216 with server.maxTrackedSenders = 1000000 may take up to ",
      "sender-verticle/target/sender.jar | io.echopair.sender.SenderVerticle | {\"port\": 70000} "
          + "| sender.port = 70000: must be between 1 and 65535",
      "monitor-verticle/target/monitor.jar | io.echopair.monitor.MonitorVerticle | {\"statsIntervalMs\": 5} "
          + "| monitor.statsIntervalMs = 5: must be at least 100",
      "pair-app/target/echopair.jar | io.echopair.app.EchoPairVerticle | {\"server\": {\"port\": 70000}} "
          + "| server.port = 70000: must be between 0 and 65535"})
  @DisplayName("By class name, a bad configuration fails the deployment with the verticle's own line, no stack "
      + "trace, status 15; the jar's launcher prints the same line after 'Invalid configuration: ', status 78")
  void badConfigurationByClassName(String jar, String verticle, String conf, String message) throws Exception {
    try (ChildProcess child = ChildProcess.mainClass(jar, VERTX_APPLICATION, List.of(), verticle, "-conf", conf)) {
      assertThat(child.awaitExit()).as("status; output:\n%s", child.output()).isEqualTo(DEPLOYMENT_FAILED);
      // VertxApplication's "Failed in deploying verticle", then the exception's one line
      assertThat(child.linesMatching("ConfigException: ")).as(child.output()).singleElement().asString()
          .contains("io.echopair.runtime.config.ConfigException: " + message);
      assertThat(child.linesMatching("^\\s+at ")).as("stack trace lines").isEmpty();
    }
    try (ChildProcess launched = ChildProcess.jar(jar, List.of(), "--conf", conf)) {
      assertThat(launched.awaitExit()).as("status; output:\n%s", launched.output()).isEqualTo(78);
      assertThat(launched.linesMatching("ERROR")).as(launched.output()).singleElement().asString()
          .contains("Invalid configuration: " + message);
    }
  }

  @Test
  @DisplayName("By class name, a -conf that names no file is VertxApplication's WARN; the server then says it runs on "
      + "its defaults")
  void missingConfByClassName() throws Exception {
    try (ChildProcess server = serverOnLoopback("conf/no-such-file.json")) {
      server.awaitLine("WARN .*VertxApplication - The conf option does not point to an valid JSON file");
      server.awaitLine("WARN .*EchoServerVerticle - No configuration given: the deployment's config\\(\\) is empty, "
          + "so every server key takes its default \\(did -conf name a readable JSON file\\?\\)");
      PackagedJarsIT.listeningPort(server);
      assertThat(server.terminate()).isEqualTo(SIGTERM_STATUS);
    }
  }
}
