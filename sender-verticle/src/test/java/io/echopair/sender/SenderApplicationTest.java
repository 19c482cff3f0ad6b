package io.echopair.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.launch.CommandLineRun;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("sender.jar's command line")
class SenderApplicationTest {

  @Test
  @DisplayName("--help lists every key with its type, default and override names, the exit statuses and --cluster")
  void help() throws Exception {
    CommandLineRun run = CommandLineRun.of(new SenderApplication(), "--help");

    run.assertHelpListsEverythingOf(SenderConfig.SCHEMA);
    assertThat(run.stdout()).startsWith("sender.jar: ")
        .contains("  intervalMs (integer, at least 1; default 2000)\n")
        .contains("      ECHOPAIR_INTERVAL_MS, ECHOPAIR_SENDER_INTERVAL_MS, -Dechopair.intervalMs, "
            + "-Dechopair.sender.intervalMs\n");
  }
}
