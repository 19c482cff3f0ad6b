package io.echopair.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.launch.CommandLineRun;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("monitor.jar's command line")
class MonitorApplicationTest {

  @Test
  @DisplayName("--help lists every key with its type, default and override names, the exit statuses and --cluster")
  void help() throws Exception {
    CommandLineRun run = CommandLineRun.of(new MonitorApplication(), "--help");

    run.assertHelpListsEverythingOf(MonitorConfig.SCHEMA);
    assertThat(run.stdout()).startsWith("monitor.jar: ")
        .contains("Keys of section monitor, at the top of the --conf object:\n")
        .contains("      ECHOPAIR_ADDRESS, ECHOPAIR_MONITOR_ADDRESS, -Dechopair.address, -Dechopair.monitor.address\n");
  }
}
