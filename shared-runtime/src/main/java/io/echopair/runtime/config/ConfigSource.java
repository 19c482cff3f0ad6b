package io.echopair.runtime.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a verticle's configuration comes from: a JSON file (watched for changes) or an inline JSON object (the
 * verticle's {@code config()}), optionally only its sub-object {@code section}.
 *
 * <p>The one-JVM file {@code conf/echopair.json} is {@code {"server": {...}, "sender": {...}}}: each verticle reads
 * it with {@code withSection(...)}. A missing section object means all defaults.
 *
 * @param file    the JSON file, or null for an inline source
 * @param inline  the JSON object, or null for a file source
 * @param section the name of the sub-object to read, or null for the whole object
 */
public record ConfigSource(Path file, JsonObject inline, String section) {

  /** The launcher's section of the cluster's settings ({@code --cluster}). */
  public static final String CLUSTER_SECTION = "cluster";
  /** The launcher's section of the management endpoint's settings. */
  public static final String MANAGEMENT_SECTION = "management";
  /**
   * The sections of every --conf file that belong to the launcher, not to a piece: a piece that reads the whole
   * object never sees them.
   */
  public static final List<String> LAUNCHER_SECTIONS = List.of(CLUSTER_SECTION, MANAGEMENT_SECTION);

  public ConfigSource {
    if ((file == null) == (inline == null)) {
      throw new IllegalArgumentException("a configuration source is either a file or an inline JSON object");
    }
    inline = inline == null ? null : inline.copy();
  }

  public static ConfigSource inline(JsonObject json) {
    return new ConfigSource(null, json == null ? new JsonObject() : json, null);
  }

  public static ConfigSource file(Path file) {
    return new ConfigSource(file, null, null);
  }

  /** The same source, reading only its sub-object {@code name}. */
  public ConfigSource withSection(String name) {
    return new ConfigSource(file, inline, name);
  }

  public boolean isFile() {
    return file != null;
  }

  /** How log lines name this source: {@code conf/echopair.json (section sender)}, {@code inline configuration}. */
  public String describe() {
    String where = isFile() ? file.toString() : "inline configuration";
    return section == null ? where : where + " (section " + section + ")";
  }

  /**
   * The part of a whole configuration object that this source reads.
   *
   * @return the section object, an empty object when the section is absent, or without a section {@code whole}
   *         less its {@link #LAUNCHER_SECTIONS}
   * @throws ConfigException when the section is present but not a JSON object
   */
  public JsonObject selectSection(JsonObject whole) {
    if (section == null) {
      return withoutLauncherSections(whole);
    }
    Object value = whole.getValue(section);
    if (value == null && !whole.containsKey(section)) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject object)) {
      String where = isFile() ? file.toString() : "the inline configuration";
      throw new ConfigException(section + " = " + ConfigException.render(value) + ": must be a JSON object (in " + where + ")");
    }
    return object;
  }

  /** {@code whole} less its {@link #LAUNCHER_SECTIONS}: what a piece that reads the whole object checks. */
  public static JsonObject withoutLauncherSections(JsonObject whole) {
    if (LAUNCHER_SECTIONS.stream().noneMatch(whole::containsKey)) {
      return whole;
    }
    JsonObject piece = whole.copy();
    LAUNCHER_SECTIONS.forEach(piece::remove);
    return piece;
  }

  /**
   * Parses the text of a configuration file.
   *
   * @param origin how the error line names the text, e.g. {@code --conf conf/x.json}
   * @throws ConfigException {@code <origin>: not a JSON object (<parser message>)}
   */
  public static JsonObject parseObject(String origin, String text) {
    try {
      JsonObject json = new JsonObject(text);
      if (json.getMap() != null) {
        return json;
      }
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(origin + ": not a JSON object (" + parserMessage(e) + ")");
    }
    throw new ConfigException(origin + ": not a JSON object (empty)");
  }

  /** Jackson's message without its note on the redacted source: {@code ... at [line: 1, column: 14]}. */
  private static String parserMessage(Exception e) {
    String message = String.valueOf(e.getMessage());
    return message.replaceFirst("^Failed to decode: ?", "").replaceAll("\\[Source: [^;\\]]*; ", "[");
  }
}
