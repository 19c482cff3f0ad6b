package io.echopair.runtime.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * What one look at a configuration file found: its text, why it was refused (not a regular file, too large, not
 * UTF-8), or why it could not be read. Exactly one of the three is set. {@link ConfigFileStore} hands it to
 * vertx-config as JSON text, which vertx-config's raw format passes on to {@link LayeredConfig} as one string, not
 * parsed: the retriever compares each scan's result with the last, and comparing one string costs a fraction of a
 * millisecond for a file of {@link ConfigFile#MAX_BYTES}, where parsing and comparing the JSON costs several.
 *
 * @param refused    the whole error line, naming the file: {@code conf/x.json: not a regular file (a FIFO)}
 * @param unreadable what the operating system said: {@code Too many open files}
 */
record FileReading(String text, String refused, String unreadable) {

  /** The key under which vertx-config's raw format hands over the store's JSON text. */
  static final String READING = "reading";

  private static final String TEXT = "text";
  private static final String REFUSED = "refused";
  private static final String UNREADABLE = "unreadable";

  static FileReading text(String text) {
    return new FileReading(text, null, null);
  }

  static FileReading refused(String why) {
    return new FileReading(null, why, null);
  }

  static FileReading unreadable(String why) {
    return new FileReading(null, null, why);
  }

  /** Reads what the retriever handed over from the store; anything else is unreadable. */
  static FileReading of(JsonObject retrieved) {
    String reading = retrieved.getString(READING);
    return fromJson(reading == null ? new JsonObject() : new JsonObject(reading));
  }

  private static FileReading fromJson(JsonObject json) {
    if (json.getValue(TEXT) instanceof String found) {
      return text(found);
    }
    if (json.getValue(REFUSED) instanceof String why) {
      return refused(why);
    }
    return unreadable(json.getValue(UNREADABLE) instanceof String why ? why : "no answer from the file store");
  }

  /** What is wrong, as the error line of a start or a reload says it; null when the text was read. */
  ConfigException failure(String file) {
    if (refused != null) {
      return new ConfigException(refused);
    }
    return unreadable == null ? null : new ConfigException(file + ": cannot be read (" + unreadable + ")");
  }

  Buffer toBuffer() {
    JsonObject json = new JsonObject();
    if (text != null) {
      json.put(TEXT, text);
    } else if (refused != null) {
      json.put(REFUSED, refused);
    } else {
      json.put(UNREADABLE, unreadable);
    }
    return json.toBuffer();
  }
}
