package io.echopair.app;

import static io.echopair.app.PackagedJarsIT.SENDER_JAR;
import static io.echopair.app.PackagedJarsIT.SERVER_JAR;
import static io.echopair.app.PackagedJarsIT.listeningPort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SIGTERM to the sender jar: it stops producing, waits for its last echoes, reports, and exits 0 only if all came. */
class SenderShutdownIT {

  @Test
  @DisplayName("SIGTERM with every frame echoed: one final line with nothing unacknowledged, and status 0")
  void everythingAcknowledged() throws Exception {
    try (ChildProcess server = ChildProcess.jar(SERVER_JAR, List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=0"),
        "--conf", "conf/echo-server.json")) {
      int port = listeningPort(server);
      try (ChildProcess sender = ChildProcess.jar(SENDER_JAR,
          List.of("-Dechopair.port=" + port, "-Dechopair.intervalMs=20"), "--conf", "conf/sender.json")) {
        server.awaitLine("seq=5\\)");

        assertThat(sender.terminate()).as("sender status; output:\n%s", sender.output()).isZero();
        assertThat(sender.linesMatching("Sender finished: ")).singleElement().asString().matches(
            ".*Sender finished: produced (\\d+), acknowledged \\1, dropped on queue overflow 0, unacknowledged at exit 0");
      }
    }
  }

  @Test
  @DisplayName("SIGTERM while a server that never answers holds the frames: after drainTimeoutMs, status 3")
  void unacknowledgedAtExit() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread swallower = new Thread(() -> swallow(silent), "silent-server");
      swallower.setDaemon(true);
      swallower.start();
      try (ChildProcess sender = ChildProcess.jar(SENDER_JAR,
          List.of("-Dechopair.port=" + silent.getLocalPort(), "-Dechopair.intervalMs=20",
              "-Dechopair.drainTimeoutMs=500"),
          "--conf", "conf/sender.json")) {
        sender.awaitLine("Connected to 127\\.0\\.0\\.1:" + silent.getLocalPort());

        assertThat(sender.terminate()).as("sender status; output:\n%s", sender.output()).isEqualTo(3);
        assertThat(sender.linesMatching("Sender finished: ")).singleElement().asString().matches(
            ".*Sender finished: produced (\\d+), acknowledged 0, dropped on queue overflow 0, unacknowledged at exit \\1");
        assertThat(sender.output()).contains("sender stopped, exiting with status 3");
      }
    }
  }

  /** Accepts one connection and reads everything it sends, never answering. */
  private static void swallow(ServerSocket server) {
    try (Socket client = server.accept(); InputStream in = client.getInputStream()) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException closed) {
      // The test is over
    }
  }
}
