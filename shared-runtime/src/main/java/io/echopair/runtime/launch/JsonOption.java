package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigFile;
import io.echopair.runtime.config.ConfigSource;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A VertxApplication option whose value is a JSON object, given as a file or as JSON text ({@code --conf},
 * {@code --options}, {@code --deployment-options}), read before Vert.x starts by the rules of {@link ConfigFile}.
 * VertxApplication itself would read any file whole, a FIFO or /dev/zero alike, and only warn when it is not JSON;
 * so the launcher takes these options off the command line it hands over, and gives it their objects through the
 * hooks instead.
 */
final class JsonOption {

  /**
   * What a value gave.
   *
   * @param origin how error lines name the option and its value: {@code --options conf/vertx.json}
   * @param file   the file it names, or null for JSON text
   */
  record Value(String origin, Path file, JsonObject json) {
  }

  private final String name;
  private final Set<String> spellings;

  /**
   * @param name      how error lines name the option, e.g. {@code --conf}
   * @param spellings every spelling picocli accepts, in lower case (picocli ignores the case of options here)
   */
  JsonOption(String name, String... spellings) {
    this.name = name;
    this.spellings = Set.of(spellings);
  }

  /** One place the option is given: {@code --conf x} (two arguments) or {@code --conf=x} (one). */
  private record Occurrence(int index, int length, String value) {
  }

  /** The value given, as written after the option; null when the option is absent. */
  String valueIn(String[] args) {
    List<Occurrence> found = occurrences(args);
    return found.isEmpty() ? null : found.get(0).value();
  }

  /**
   * Reads the value given: a file when it names one, else JSON text.
   *
   * @return null when the option is absent
   * @throws ConfigException {@code --conf x.json: no such file}, {@code --conf x.json: not a JSON object (...)}, or a
   *                         file that breaks a rule of {@link ConfigFile}
   */
  Value readIn(String[] args) {
    String value = valueIn(args);
    if (value == null) {
      return null;
    }
    String origin = name + " " + value;
    Path file = existingFile(value);
    if (file != null) {
      return new Value(origin, file, ConfigSource.parseObject(origin, ConfigFile.readText(file, origin)));
    }
    if (value.strip().startsWith("{")) {
      return new Value(origin, null, ConfigSource.parseObject(origin, value));
    }
    throw new ConfigException(origin + ": no such file");
  }

  /**
   * The command line without this option and its value. An option given twice is left in place, for picocli to
   * refuse as a usage error.
   */
  String[] removeFrom(String[] args) {
    List<Occurrence> found = occurrences(args);
    if (found.size() != 1) {
      return args.clone();
    }
    List<String> kept = new ArrayList<>(List.of(args));
    kept.subList(found.get(0).index(), found.get(0).index() + found.get(0).length()).clear();
    return kept.toArray(String[]::new);
  }

  /** Where the option is given, up to {@code --}; a last {@code --conf} with no value is left to picocli. */
  private List<Occurrence> occurrences(String[] args) {
    List<Occurrence> found = new ArrayList<>();
    for (int i = 0; i < args.length && !args[i].equals("--"); i++) {
      String lower = args[i].toLowerCase(Locale.ROOT);
      int equals = lower.indexOf('=');
      if (spellings.contains(lower) && i + 1 < args.length) {
        found.add(new Occurrence(i, 2, args[i + 1]));
        i++;
      } else if (equals > 0 && spellings.contains(lower.substring(0, equals))) {
        found.add(new Occurrence(i, 1, args[i].substring(equals + 1)));
      }
    }
    return found;
  }

  private static Path existingFile(String value) {
    try {
      Path path = Path.of(value);
      // Files.exists only looks: it never opens the file
      return Files.exists(path) ? path : null;
    } catch (InvalidPathException notAPath) {
      return null;
    }
  }
}
