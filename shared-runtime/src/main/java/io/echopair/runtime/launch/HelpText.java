package io.echopair.runtime.launch;

import io.echopair.runtime.cluster.EventBusTls;
import io.echopair.runtime.management.ManagementConfig;
import io.echopair.runtime.config.KeyUsage;
import java.util.ArrayList;
import java.util.List;

/**
 * The text {@code --help} prints for one jar: its command line, the options of Vert.x's launcher that apply, every
 * configuration key with its type, default and override names (read from the schemas, so it cannot drift from the
 * code), the configuration layers, and the exit statuses.
 */
final class HelpText {

  /** An option or exit status and what it means, as one aligned line. */
  private record Row(String name, String meaning) {
  }

  private static final List<Row> OPTIONS = List.of(
      new Row("--conf FILE|JSON", "The configuration: a JSON file (read again when it changes, for the live keys) or "
          + "JSON text. Without it, every key takes its default"),
      new Row("--instances N", "Verticle instances to deploy, each on an event loop of its own (default 1)"),
      new Row("--options FILE|JSON", "Vert.x's VertxOptions as JSON (event loops, event bus...), checked as strictly "
          + "as --conf; {\"preferNativeTransport\": true} runs on io_uring (else epoll, else NIO)"),
      new Row("--deployment-options FILE|JSON", "Vert.x's DeploymentOptions of the verticles, as JSON"),
      new Row("--cluster", "Join a cluster of JVMs with Hazelcast (conf/cluster.xml, else the jar's copy; "
          + "-Dvertx.hazelcast.config=FILE names another)"),
      new Row("--cluster-host HOST", "Address of this node's event bus (default: the one Hazelcast uses)"),
      new Row("--cluster-port PORT", "Port of this node's event bus (default: one the OS chooses)"),
      new Row("--cluster-public-host HOST", "Address the other nodes should use, when it differs (NAT)"),
      new Row("--cluster-public-port PORT", "Port the other nodes should use, when it differs (NAT)"),
      new Row("-h, --help", "Print this help and exit"));

  private static final List<Row> LOG_SWITCHES = List.of(
      new Row("LOG_LEVEL", "Root level: TRACE, DEBUG, INFO (default), WARN, ERROR or OFF"),
      new Row("LOG_FORMAT", "text (default) or json: one JSON object per line, frames and stats with their fields"),
      new Row("LOG_APPENDER", "FILE: a rolling file in LOG_DIR (default logs) rather than the console"));

  private static final List<Row> EXIT_STATUSES = List.of(
      status(ExitStatus.OK, "stopped by SIGTERM, or a sender finished (count) or stopped with every frame it "
          + "produced acknowledged"),
      status(ExitStatus.SOFTWARE, "unexpected failure"),
      status(ExitStatus.USAGE, "bad command line: an unknown option, or an unexpected argument"),
      status(ExitStatus.UNACKNOWLEDGED, "a sender finished (count) or stopped with frames dropped or not "
          + "acknowledged"),
      status(ExitStatus.VERTX_INITIALIZATION, "Vert.x could not start, e.g. a --cluster node could not join"),
      status(ExitStatus.DEPLOYMENT, "a verticle could not start, e.g. its port or the management port is in use"),
      status(ExitStatus.FATAL, "fatal error (OutOfMemoryError...): one FATAL line on standard error"),
      status(ExitStatus.CONFIG, "invalid configuration: one ERROR line naming the option, file, key or value"));

  private HelpText() {
  }

  /** The whole text, lines ending with {@code \n}. */
  static String of(Usage usage) {
    StringBuilder text = new StringBuilder();
    text.append(usage.jar()).append(": ").append(usage.purpose()).append("\n\n");
    text.append("Usage: java [-Dechopair.<key>=<value>...] -jar ").append(usage.jar()).append(" [OPTIONS]\n\n");
    text.append("Options (one dash or two, any case; --conf=FILE works too; any other argument is an error):\n");
    rows(text, OPTIONS);
    text.append("\nConfiguration, lowest to highest precedence:\n")
        .append("  1. the key's default\n")
        .append("  2. the --conf file or JSON\n")
        .append("  3. the environment variable ECHOPAIR_<KEY> (the key's words in capitals, split by _)\n")
        .append("  4. the environment variable ECHOPAIR_<SECTION>_<KEY>\n")
        .append("  5. the system property -Dechopair.<key>\n")
        .append("  6. the system property -Dechopair.<section>.<key>\n")
        .append("Names ignore case; a generic name (3, 5) sets the key in every section that has it. Every layer is\n")
        .append("checked, even one a higher layer replaces.\n");
    List<Usage.Section> sections = new ArrayList<>(usage.sections());
    sections.add(Usage.inItsObject(ManagementConfig.SCHEMA));
    sections.add(Usage.inItsObject(EventBusTls.SCHEMA));
    for (Usage.Section section : sections) {
      keys(text, section);
    }
    text.append("\nLogging, each a system property (-DLOG_LEVEL=WARN) or else an environment variable:\n");
    rows(text, LOG_SWITCHES);
    text.append("\nExit status:\n");
    rows(text, EXIT_STATUSES);
    return text.toString();
  }

  private static void keys(StringBuilder text, Usage.Section section) {
    String sectionName = section.schema().section();
    text.append("\nKeys of section ").append(sectionName).append(", ").append(section.where());
    if (section.schema() == EventBusTls.SCHEMA) {
      text.append(" (used with --cluster only)");
    }
    text.append(":\n");
    for (KeyUsage key : section.schema().usage()) {
      text.append("  ").append(key.name()).append(" (").append(key.type()).append("; default ")
          .append(key.defaultValue()).append(")\n")
          .append("      ").append(key.description()).append('\n')
          .append("      ").append(String.join(", ", key.overrideNames())).append('\n');
    }
  }

  private static void rows(StringBuilder text, List<Row> rows) {
    int width = rows.stream().mapToInt(row -> row.name().length()).max().orElse(0);
    for (Row row : rows) {
      text.append("  ").append(row.name()).append(" ".repeat(width - row.name().length() + 2))
          .append(row.meaning()).append('\n');
    }
  }

  private static Row status(int status, String meaning) {
    return new Row(String.valueOf(status), meaning);
  }
}
