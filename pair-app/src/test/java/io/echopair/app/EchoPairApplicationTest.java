package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.launch.CommandLineRun;
import io.echopair.sender.SenderConfig;
import io.echopair.server.ServerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("echopair.jar's command line")
class EchoPairApplicationTest {

  @Test
  @DisplayName("--help lists every key with its type, default and override names, the exit statuses and --cluster")
  void help() throws Exception {
    CommandLineRun run = CommandLineRun.of(new EchoPairApplication(), "--help");

    run.assertHelpListsEverythingOf(ServerConfig.SCHEMA, SenderConfig.SCHEMA);
    assertThat(run.stdout()).startsWith("echopair.jar: ")
        .contains("Keys of section server, in the --conf object's \"server\" object:\n")
        .contains("Keys of section sender, in the --conf object's \"sender\" object:\n");
  }
}
