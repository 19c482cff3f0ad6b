package io.echopair.runtime.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.runtime.cluster.EventBusTls;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.KeyUsage;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A jar's command line run in this JVM by {@link EchoPairLauncher#run()}, as its {@code main} would run it, with what
 * it printed on standard output and logged: for the pieces' tests of {@code --help} and of refused arguments.
 *
 * @param status the exit status
 * @param stdout what {@code --help} printed
 * @param log    the launcher's log lines, e.g. {@code ERROR Unexpected argument ...}
 */
public record CommandLineRun(int status, String stdout, List<String> log) {

  /** Runs {@code args} for {@code piece}, without overrides; closes Vert.x if the command line started it. */
  public static CommandLineRun of(Launchable piece, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (LogCapture log = LogCapture.of(EchoPairLauncher.class)) {
      EchoPairLauncher launcher = new EchoPairLauncher(args, piece, Overrides.none(),
          new PrintStream(out, true, StandardCharsets.UTF_8));
      int status = launcher.run();
      Vertx vertx = launcher.vertx();
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      return new CommandLineRun(status, out.toString(StandardCharsets.UTF_8), log.lines());
    }
  }

  /**
   * Asserts that {@link #stdout} is a {@code --help} that lists every key of {@code schemas} and of the cluster
   * section, each with its type, default and every environment and {@code -D} name the schema reads, and the exit
   * statuses and {@code --cluster}.
   */
  public void assertHelpListsEverythingOf(ConfigSchema... schemas) {
    assertThat(status).isEqualTo(ExitStatus.OK);
    assertThat(log).isEmpty();
    for (ConfigSchema schema : schemas) {
      assertListsKeysOf(schema);
    }
    assertListsKeysOf(EventBusTls.SCHEMA);
    assertThat(stdout).contains("--conf FILE|JSON", "--cluster ", "--cluster-host HOST", "--cluster-port PORT",
        "--instances N", "--options FILE|JSON", "-h, --help", "ECHOPAIR_<SECTION>_<KEY>",
        "-Dechopair.<section>.<key>");
    for (int status : new int[] {ExitStatus.OK, ExitStatus.SOFTWARE, ExitStatus.USAGE, ExitStatus.UNACKNOWLEDGED,
        ExitStatus.VERTX_INITIALIZATION, ExitStatus.DEPLOYMENT, ExitStatus.FATAL, ExitStatus.CONFIG}) {
      assertThat(stdout).containsPattern("(?m)^  " + status + " +\\S");
    }
  }

  private void assertListsKeysOf(ConfigSchema schema) {
    assertThat(stdout).contains("Keys of section " + schema.section() + ", ");
    String sectionText = stdout.substring(stdout.indexOf("Keys of section " + schema.section() + ", "));
    for (KeyUsage key : schema.usage()) {
      assertThat(sectionText).as("key %s.%s", schema.section(), key.name())
          .contains("  " + key.name() + " (" + key.type() + "; default " + key.defaultValue() + ")\n"
              + "      " + key.description() + "\n"
              + "      " + String.join(", ", key.overrideNames()) + "\n");
    }
  }
}
