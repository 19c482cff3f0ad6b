package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code --conf} option of a command line, read before Vert.x starts: VertxApplication itself would only warn
 * about a missing or malformed file and go on with {@code {}}.
 *
 * @param file the file it names, or null when the value is JSON text (or there is no --conf)
 * @param json the JSON object it gives, {@code {}} without --conf
 */
record ConfOption(Path file, JsonObject json) {

  /**
   * Finds {@code --conf X}, {@code -conf X}, {@code --conf=X} or {@code -conf=X} (any case, as picocli accepts).
   *
   * @throws ConfigException when the value names no file and is not JSON text, or is not a JSON object
   */
  static ConfOption of(String[] args) {
    String value = valueIn(args);
    return value == null ? new ConfOption(null, new JsonObject()) : read(value);
  }

  /** Where the verticles read their configuration: the file (watched for changes) or the JSON itself. */
  ConfigSource source() {
    return file != null ? ConfigSource.file(file) : ConfigSource.inline(json);
  }

  /** How a log line names it. */
  String describe() {
    return file != null ? file.toString() : json.isEmpty() ? "defaults" : "inline --conf JSON";
  }

  private static String valueIn(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String lower = arg.toLowerCase(Locale.ROOT);
      if (arg.equals("--")) {
        return null;
      }
      if ((lower.equals("--conf") || lower.equals("-conf")) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (lower.startsWith("--conf=") || lower.startsWith("-conf=")) {
        return arg.substring(arg.indexOf('=') + 1);
      }
    }
    return null;
  }

  private static ConfOption read(String value) {
    Path file = existingFile(value);
    if (file != null) {
      return new ConfOption(file, ConfigSource.parseObject("--conf " + value, readText(value, file)));
    }
    if (value.strip().startsWith("{")) {
      return new ConfOption(null, ConfigSource.parseObject("--conf " + value, value));
    }
    throw new ConfigException("--conf " + value + ": no such file");
  }

  private static Path existingFile(String value) {
    try {
      Path path = Path.of(value);
      return Files.exists(path) ? path : null;
    } catch (InvalidPathException notAPath) {
      return null;
    }
  }

  private static String readText(String value, Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("--conf " + value + ": cannot be read (" + e + ")");
    }
  }
}
