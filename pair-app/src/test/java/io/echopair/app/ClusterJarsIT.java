package io.echopair.app;

import static io.echopair.app.PackagedJarsIT.SENDER_JAR;
import static io.echopair.app.PackagedJarsIT.SERVER_JAR;
import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.testing.TestCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's clustered deployment, as separate JVMs on loopback: a server, the monitor and a sender with
 * discovery, each started with --cluster (on a cluster.xml of the test's own, so that it never joins a cluster
 * someone runs on the machine).
 */
class ClusterJarsIT {

  static final String MONITOR_JAR = "monitor-verticle/target/monitor.jar";

  @TempDir
  Path dir;

  @Test
  @DisplayName("a sender jar with discovery finds the server jar through the cluster, the monitor jar sees its frames, and SIGTERM leaves cleanly")
  void senderFindsServerThroughTheCluster() throws Exception {
    TestCluster cluster = new TestCluster();
    // A node in this JVM starts the cluster on a port the system chose; the jars find it there
    cluster.startNode().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    List<String> clustered = List.of("-Dvertx.hazelcast.config=" + clusterFile(cluster));
    long serverStarted = System.nanoTime();
    try (cluster; ChildProcess server = ChildProcess.jar(SERVER_JAR, with(clustered, "-Dechopair.host=127.0.0.1",
            "-Dechopair.port=0", "-Dechopair.publish=true"),
        "--conf", "conf/echo-server.json", "--cluster", "--cluster-host", "127.0.0.1")) {
      server.awaitLine("Succeeded in deploying");
      long serverJoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - serverStarted);
      int port = PackagedJarsIT.listeningPort(server);
      server.awaitLine("Answering senders on the event bus \\(echopair\\.discovery\\) with 127\\.0\\.0\\.1:" + port);

      try (ChildProcess monitor = ChildProcess.jar(MONITOR_JAR, clustered,
          "--conf", "conf/monitor.json", "--cluster", "--cluster-host", "127.0.0.1")) {
        monitor.awaitLine("Monitor listening to echopair\\.messages on the event bus \\(clustered\\)");

        long senderStarted = System.nanoTime();
        try (ChildProcess sender = ChildProcess.jar(SENDER_JAR, with(clustered, "-Dechopair.discovery=true",
                "-Dechopair.intervalMs=50", "-Dechopair.count=5"),
            "--conf", "conf/sender.json", "--cluster", "--cluster-host", "127.0.0.1")) {
          sender.awaitLine("Succeeded in deploying");
          long senderJoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - senderStarted);
          assertThat(sender.awaitExit()).as("sender exit status; output:\n%s", sender.output()).isZero();
          assertThat(sender.output())
              .contains("Joined cluster \"" + cluster.name() + "\"")
              .contains("Connected to 127.0.0.1:" + port + " (stream 1")
              .contains("Sender finished: produced 5, acknowledged 5");
          System.out.printf("Join times, process start to \"Succeeded in deploying\": server %d ms (second node), "
              + "sender %d ms (fourth node)%n", serverJoinMs, senderJoinMs);
        }
        for (int seq = 1; seq <= 5; seq++) {
          monitor.awaitLine("\\[server [0-9a-f]{8}\\] 127\\.0\\.0\\.1:\\d+ seq=" + seq + ": This Msg From Client");
        }
        assertThat(monitor.terminate()).as("monitor exit status after SIGTERM").isZero();
      }
      assertThat(server.terminate()).as("server exit status after SIGTERM").isZero();
      assertThat(server.output()).contains("Leaving cluster \"" + cluster.name() + "\"").contains("echo server stopped");
      assertThat(server.linesMatching(" ERROR ")).isEmpty();
    }
  }

  @Test
  @DisplayName("a jar that cannot join the cluster exits with 11 and one ERROR line saying why")
  void cannotJoin() throws Exception {
    TestCluster cluster = new TestCluster();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         ChildProcess server = ChildProcess.jar(SERVER_JAR,
             List.of("-Dvertx.hazelcast.config=" + clusterFile(cluster), "-Dechopair.port=0"),
             "--conf", "conf/echo-server.json", "--cluster", "--cluster-host", "127.0.0.1",
             "--cluster-port", String.valueOf(taken.getLocalPort()))) {
      assertThat(server.awaitExit()).isEqualTo(11);
      assertThat(server.linesMatching("ERROR")).singleElement().asString()
          .contains("Cannot join cluster \"" + cluster.name() + "\"")
          .contains("Address already in use");
    }
  }

  /** conf/cluster.xml with the test cluster's name and ports. */
  private Path clusterFile(TestCluster cluster) throws IOException {
    String own = cluster.hazelcastXml(Files.readString(ChildProcess.PROJECT_ROOT.resolve("conf/cluster.xml")));
    return Files.writeString(dir.resolve("cluster-" + cluster.name() + ".xml"), own);
  }

  private static List<String> with(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }
}
