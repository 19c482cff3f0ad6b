package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Byte compatibility with the seed's programs: blocking Java sockets written like the seed's C++ client and server,
 * against the packaged jars. ({@link SeedProgramsIT} runs the seed's C code itself.)
 */
class SeedInteropIT {

  @Test
  @DisplayName("a blocking client written like the seed's (100-byte buffer, send in a loop) is logged and echoed by the server")
  void seedStyleClientTalksToServer() throws Exception {
    try (ChildProcess server = ChildProcess.jar(PackagedJarsIT.SERVER_JAR,
        List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=0"), "--conf", "conf/echo-server.json")) {
      int port = PackagedJarsIT.listeningPort(server);

      byte[] echoed;
      try (Socket sock = new Socket(InetAddress.getLoopbackAddress(), port)) {
        // char sendBuffer[100] = "This Msg From Client";
        byte[] sendBuffer = new byte[100];
        byte[] text = "This Msg From Client".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, sendBuffer, 0, text.length);
        OutputStream out = sock.getOutputStream();
        for (int i = 0; i < 5; i++) {
          out.write(sendBuffer);
        }
        out.flush();
        // The seed never reads; we do, to check the echo byte for byte
        echoed = sock.getInputStream().readNBytes(500);
        assertThat(echoed).hasSize(500);
        for (int i = 0; i < 5; i++) {
          assertThat(Arrays.copyOfRange(echoed, i * 100, i * 100 + 100)).isEqualTo(sendBuffer);
        }
      }
      server.awaitLine("Client 127\\.0\\.0\\.1:\\d+ disconnected \\(peer closed\\): 5 frames");
      assertThat(server.linesMatching("Recv Msg : This Msg From Client \\(peer 127\\.0\\.0\\.1:\\d+\\)$")).hasSize(5);
    }
  }

  @Test
  @DisplayName("a blocking server written like the seed's (recv 1000 bytes, print up to the first NUL, never answer) gets the sender's text intact")
  void senderTalksToSeedStyleServer() throws Exception {
    try (ServerSocket listenSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<SeedServerLog> received = CompletableFuture.supplyAsync(() -> recvUntilClosed(listenSocket));

      try (ChildProcess sender = ChildProcess.jar(PackagedJarsIT.SENDER_JAR,
          List.of("-Dechopair.port=" + listenSocket.getLocalPort(), "-Dechopair.acks=false",
              "-Dechopair.intervalMs=50", "-Dechopair.count=4"),
          "--conf", "conf/sender.json")) {
        assertThat(sender.awaitExit()).as("sender exit status; output:\n%s", sender.output()).isZero();
      }
      SeedServerLog log = received.get(60, TimeUnit.SECONDS);
      assertThat(log.bytes()).as("bytes received").isEqualTo(400);
      // A read that starts inside a frame's NUL padding prints an empty text, as the seed would
      assertThat(log.printed()).filteredOn(line -> !line.equals("Recv Msg : "))
          .isNotEmpty()
          .allSatisfy(line -> assertThat(line).isEqualTo("Recv Msg : This Msg From Client"));
    }
  }

  record SeedServerLog(int bytes, List<String> printed) {
  }

  /** The seed server's loop: recv into a 1000-byte buffer, print it as a C string, until the peer closes. */
  private static SeedServerLog recvUntilClosed(ServerSocket listenSocket) {
    try (Socket clientSocket = listenSocket.accept()) {
      InputStream in = clientSocket.getInputStream();
      byte[] recvBuffer = new byte[1000];
      List<String> printed = new ArrayList<>();
      int total = 0;
      int recvLen;
      while ((recvLen = in.read(recvBuffer)) > 0) {
        total += recvLen;
        int end = 0;
        while (end < recvLen && recvBuffer[end] != 0) {
          end++;
        }
        printed.add("Recv Msg : " + new String(recvBuffer, 0, end, StandardCharsets.UTF_8));
      }
      return new SeedServerLog(total, printed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
