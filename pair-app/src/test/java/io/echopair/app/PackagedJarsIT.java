package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands, run as separate JVMs: the server and sender jars, the one-JVM jar, a bad --conf, --help and a
 * stray argument.
 */
class PackagedJarsIT {

  static final String SERVER_JAR = "echo-server-verticle/target/echo-server.jar";
  static final String SENDER_JAR = "sender-verticle/target/sender.jar";
  static final String PAIR_JAR = "pair-app/target/echopair.jar";

  /** The port the server printed in its "listening" line. */
  static int listeningPort(ChildProcess server) throws InterruptedException {
    Matcher listening = server.awaitLine("Echo server listening on [^ ]+:(\\d+)");
    return Integer.parseInt(listening.group(1));
  }

  @Test
  @DisplayName("the sender jar delivers its frames to the server jar, then exits 0; SIGTERM stops the server with 0")
  void serverAndSenderJarsTalk() throws Exception {
    try (ChildProcess server = ChildProcess.jar(SERVER_JAR,
        List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=0"),
        "--conf", "conf/echo-server.json")) {
      int port = listeningPort(server);

      try (ChildProcess sender = ChildProcess.jar(SENDER_JAR,
          List.of("-Dechopair.port=" + port, "-Dechopair.intervalMs=50", "-Dechopair.count=5"),
          "--conf", "conf/sender.json")) {
        assertThat(sender.awaitExit()).as("sender exit status; output:\n%s", sender.output()).isZero();
        assertThat(sender.output()).contains("Sender finished: produced 5, acknowledged 5");
      }
      for (int seq = 1; seq <= 5; seq++) {
        server.awaitLine("Recv Msg : This Msg From Client \\(peer 127\\.0\\.0\\.1:\\d+, seq=" + seq + "\\)");
      }
      assertThat(server.terminate()).as("server exit status after SIGTERM").isZero();
      assertThat(server.output()).contains("Final stats");
    }
  }

  @Test
  @DisplayName("the one-JVM jar runs the pair from conf/echopair.json and exits 0 once count frames are acknowledged")
  void pairJarRunsBoth() throws Exception {
    try (ChildProcess pair = ChildProcess.jar(PAIR_JAR,
        List.of("-Dechopair.server.host=127.0.0.1", "-Dechopair.server.port=0", "-Dechopair.intervalMs=50",
            "-Dechopair.count=3"),
        "--conf", "conf/echopair.json")) {
      assertThat(pair.awaitExit()).as("pair exit status; output:\n%s", pair.output()).isZero();
      assertThat(pair.linesMatching("Recv Msg : This Msg From Client \\(peer .*seq=\\d+\\)")).hasSize(3);
      assertThat(pair.output()).contains("Sender finished: produced 3, acknowledged 3");
    }
  }

  @Test
  @DisplayName("a --conf that names no file is one clear error line and exit status 78")
  void missingConfFile() throws Exception {
    try (ChildProcess server = ChildProcess.jar(SERVER_JAR, List.of(), "--conf", "conf/no-such-file.json")) {
      assertThat(server.awaitExit()).isEqualTo(78);
      assertThat(server.linesMatching("ERROR")).singleElement().asString()
          .contains("--conf conf/no-such-file.json: no such file");
    }
  }

  @Test
  @DisplayName("an out-of-range override is one clear error line naming key and value, and exit status 78")
  void invalidOverride() throws Exception {
    try (ChildProcess sender = ChildProcess.jar(SENDER_JAR, List.of("-Dechopair.port=70000"),
        "--conf", "conf/sender.json")) {
      assertThat(sender.awaitExit()).isEqualTo(78);
      assertThat(sender.linesMatching("ERROR")).singleElement().asString()
          .contains("Invalid configuration: -Dechopair.port = \"70000\": sender.port must be between 1 and 65535");
    }
  }

  @Test
  @DisplayName("--help prints each jar's own usage on standard output, nothing on standard error, and exits 0")
  void help(@TempDir Path dir) throws Exception {
    for (String jar : List.of(SERVER_JAR, SENDER_JAR, ClusterJarsIT.MONITOR_JAR, PAIR_JAR)) {
      String name = Path.of(jar).getFileName().toString();
      Path stderr = dir.resolve(name + ".err");
      // The jar's own main class and manifest, with standard error apart from standard output
      try (ChildProcess process = ChildProcess.withTestClasses(jar, "io.echopair.runtime.launch.Main", List.of(),
          stderr, "--help")) {
        assertThat(process.awaitExit()).as("%s --help; output:%n%s", name, process.output()).isZero();
        assertThat(process.output()).startsWith(name + ": ")
            .contains("Usage: java [-Dechopair.<key>=<value>...] -jar " + name + " [OPTIONS]", "--cluster",
                "Keys of section cluster", "Exit status:", "  78  invalid configuration")
            .doesNotContain("mainVerticle");
        assertThat(Files.readString(stderr)).as("%s standard error", name).isEmpty();
      }
    }
  }

  @Test
  @DisplayName("a stray argument, such as a --conf file without --conf, is one ERROR line and exit status 2")
  void strayArgument() throws Exception {
    try (ChildProcess sender = ChildProcess.jar(SENDER_JAR, List.of(), "conf/sender.json")) {
      assertThat(sender.awaitExit()).isEqualTo(2);
      assertThat(sender.linesMatching("ERROR")).singleElement().asString()
          .contains("Unexpected argument \"conf/sender.json\": did you mean --conf conf/sender.json?");
      assertThat(sender.output()).doesNotContain("Starting sender");
    }
  }
}
