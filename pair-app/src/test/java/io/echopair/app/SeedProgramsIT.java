package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The seed's own C programs (ported from Winsock to POSIX in src/test/c, logic unchanged), compiled with gcc and run
 * against the packaged jars.
 */
class SeedProgramsIT {

  private static final Path SOURCES = ChildProcess.PROJECT_ROOT.resolve("pair-app/src/test/c");
  private static final Path BINARIES = ChildProcess.PROJECT_ROOT.resolve("pair-app/target/seed");

  @BeforeAll
  static void compileSeed() throws Exception {
    Files.createDirectories(BINARIES);
    compile("seed_client");
    compile("seed_server");
  }

  @Test
  @DisplayName("the seed's C client talks to the server jar: every 100-byte message is logged with the seed's words")
  void seedClientToServer() throws Exception {
    try (ChildProcess server = ChildProcess.jar(PackagedJarsIT.SERVER_JAR,
        List.of("-Dechopair.host=127.0.0.1", "-Dechopair.port=0"), "--conf", "conf/echo-server.json")) {
      int port = PackagedJarsIT.listeningPort(server);

      try (ChildProcess client = ChildProcess.program(BINARIES.resolve("seed_client"), port + "", "20", "5")) {
        assertThat(client.awaitExit()).isZero();
        assertThat(client.output()).contains("Success, Connected to Server");
      }
      server.awaitLine("Client 127\\.0\\.0\\.1:\\d+ disconnected \\(.*\\): 5 frames");
      assertThat(server.linesMatching("Recv Msg : This Msg From Client \\(peer 127\\.0\\.0\\.1:\\d+\\)$")).hasSize(5);
    }
  }

  @Test
  @DisplayName("the sender jar talks to the seed's C server, which prints the text intact; count ends the sender with 0")
  void senderToSeedServer() throws Exception {
    try (ChildProcess seedServer = ChildProcess.program(BINARIES.resolve("seed_server"), "0")) {
      String port = seedServer.awaitLine("Server Listening\\.\\.\\. port (\\d+)").group(1);

      try (ChildProcess sender = ChildProcess.jar(PackagedJarsIT.SENDER_JAR,
          List.of("-Dechopair.port=" + port, "-Dechopair.acks=false", "-Dechopair.intervalMs=50",
              "-Dechopair.count=4"),
          "--conf", "conf/sender.json")) {
        assertThat(sender.awaitExit()).as("sender exit status; output:\n%s", sender.output()).isZero();
      }
      assertThat(seedServer.awaitExit()).isZero();
      assertThat(seedServer.output()).contains("Client Connected.", "recvLen <= 0");
      assertThat(seedServer.linesMatching("^Recv Msg : "))
          .filteredOn(line -> !line.equals("Recv Msg : "))
          .isNotEmpty()
          .allSatisfy(line -> assertThat(line).isEqualTo("Recv Msg : This Msg From Client"));
    }
  }

  private static void compile(String name) throws IOException, InterruptedException {
    Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", BINARIES.resolve(name).toString(),
        SOURCES.resolve(name + ".c").toString())
        .redirectErrorStream(true)
        .start();
    String output = new String(gcc.getInputStream().readAllBytes());
    assertThat(gcc.waitFor()).as("gcc %s.c: %s", name, output).isZero();
  }
}
