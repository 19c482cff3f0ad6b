package io.echopair.runtime.launch;

import java.util.Locale;
import java.util.Set;

/**
 * Whether a command line asks for a clustered start ({@code --cluster}, {@code -cluster} or {@code -c}, any case, as
 * VertxApplication's picocli accepts them), read before Vert.x starts to prepare the cluster's configuration.
 */
final class ClusterOption {

  private static final Set<String> NAMES = Set.of("--cluster", "-cluster", "-c");

  private ClusterOption() {
  }

  static boolean requested(String[] args) {
    for (String arg : args) {
      if (arg.equals("--")) {
        return false;
      }
      if (NAMES.contains(arg.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }
}
