package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server jar out of file descriptors: one clear line, and service again once descriptors are free. */
class OpenFileLimitIT {

  /** Enough for the JVM and some clients: the clients beyond it exhaust the server's descriptors. */
  private static final int OPEN_FILES = 128;
  private static final int CLIENTS = 160;

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"nio", "io_uring"})
  @DisplayName("a server out of file descriptors logs one ERROR line, no stack trace, and serves the waiting client "
      + "once others leave, on NIO and on io_uring alike")
  void outOfFileDescriptors(String transport) throws Exception {
    List<Socket> holders = new ArrayList<>();
    String options = "{\"preferNativeTransport\": " + !transport.equals("nio") + "}";
    try (ChildProcess server = ChildProcess.jarWithOpenFileLimit(OPEN_FILES, PackagedJarsIT.SERVER_JAR,
        List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=0"), "--conf", "conf/echo-server.json",
        "--options", options)) {
      server.awaitLine("INFO .* EchoPairLauncher - Starting echo server .*, transport " + transport + "$");
      int port = PackagedJarsIT.listeningPort(server);
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      // The kernel completes every connection; the server cannot accept them all
      for (int i = 0; i < CLIENTS; i++) {
        holders.add(new Socket(loopback, port));
      }
      server.awaitLine("ERROR .* AcceptFailures - Cannot accept connections on 127\\.0\\.0\\.1:" + port
          + ": Too many open files \\(the limit is " + OPEN_FILES + " open files: ulimit -n\\); new clients wait in "
          + "the kernel's queue, retrying every second");

      try (Socket waiting = new Socket(loopback, port)) {
        waiting.getOutputStream().write(seedFrame("waited for a descriptor"));
        for (Socket holder : holders.subList(0, CLIENTS / 2)) {
          holder.close();
        }
        assertThat(readFrame(waiting.getInputStream())).as("the echo, once a descriptor was free")
            .isEqualTo(seedFrame("waited for a descriptor"));
      }
      server.awaitLine("INFO .* AcceptFailures - Accepting connections on 127\\.0\\.0\\.1:" + port + " again, after "
          + "\\d+ failed attempts?");
      server.awaitLine("Recv Msg : waited for a descriptor \\(peer 127\\.0\\.0\\.1:\\d+\\)");
      assertThat(server.linesMatching(".*Cannot accept connections.*")).hasSize(1);
      assertThat(server.output()).doesNotContain("exceptionCaught").doesNotContain("\tat ");
      for (Socket holder : holders) {
        holder.close();
      }
      assertThat(server.terminate()).as("server exit status after SIGTERM").isZero();
    } finally {
      for (Socket holder : holders) {
        holder.close();
      }
    }
  }

  private static byte[] seedFrame(String text) {
    byte[] frame = new byte[100];
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, frame, 0, bytes.length);
    return frame;
  }

  private static byte[] readFrame(InputStream in) throws IOException {
    return in.readNBytes(100);
  }
}
