package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.launch.CommandLineRun;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("echo-server.jar's command line")
class EchoServerApplicationTest {

  @Test
  @DisplayName("--help lists every key with its type, default and override names, the exit statuses and --cluster")
  void help() throws Exception {
    CommandLineRun run = CommandLineRun.of(new EchoServerApplication(), "--help");

    run.assertHelpListsEverythingOf(ServerConfig.SCHEMA);
    assertThat(run.stdout()).startsWith("echo-server.jar: ")
        .contains("  port (integer, between 0 and 65535; default 7777)\n")
        .contains("      ECHOPAIR_PORT, ECHOPAIR_SERVER_PORT, -Dechopair.port, -Dechopair.server.port\n");
  }
}
