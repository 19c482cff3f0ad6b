package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * The {@code --conf} option of a command line, read before Vert.x starts: VertxApplication itself would only warn
 * about a missing or malformed file and go on with {@code {}}.
 *
 * @param file the file it names, or null when the value is JSON text (or there is no --conf)
 * @param json the JSON object it gives, {@code {}} without --conf
 */
record ConfOption(Path file, JsonObject json) {

  /** {@code --conf X}, {@code -conf X}, {@code --conf=X} or {@code -conf=X} (any case, as picocli accepts). */
  static final JsonOption OPTION = new JsonOption("--conf", "--conf", "-conf");

  /**
   * Finds and reads --conf.
   *
   * @throws ConfigException when the value names no file and is not JSON text, is not a JSON object, or names a
   *                         file that is not a regular file or is too large
   */
  static ConfOption of(String[] args) {
    JsonOption.Value value = OPTION.readIn(args);
    return value == null ? new ConfOption(null, new JsonObject()) : new ConfOption(value.file(), value.json());
  }

  /** Where the verticles read their configuration: the file (watched for changes) or the JSON itself. */
  ConfigSource source() {
    return file != null ? ConfigSource.file(file) : ConfigSource.inline(json);
  }

  /** How a log line names it. */
  String describe() {
    return file != null ? file.toString() : json.isEmpty() ? "defaults" : "inline --conf JSON";
  }
}
