package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigSchema;
import java.util.Arrays;
import java.util.List;

/**
 * What one jar's {@code --help} says of it ({@link HelpText}): its file name, what it does, and where its
 * configuration keys go in the {@code --conf} object.
 *
 * @param jar      the jar's file name, e.g. {@code sender.jar}
 * @param purpose  one sentence saying what it does
 * @param sections the schemas of its keys, in the order the help lists them (the cluster section comes after them)
 */
public record Usage(String jar, String purpose, List<Section> sections) {

  /**
   * One schema and where its keys are written.
   *
   * @param where e.g. {@code at the top of the --conf object}
   */
  public record Section(ConfigSchema schema, String where) {
  }

  public Usage {
    sections = List.copyOf(sections);
  }

  /** A piece whose keys are at the top of its --conf object, as in {@code conf/sender.json}. */
  public static Usage of(String jar, String purpose, ConfigSchema keys) {
    return new Usage(jar, purpose, List.of(new Section(keys, "at the top of the --conf object")));
  }

  /** Pieces whose keys are each in an object named after their section, as in {@code conf/echopair.json}. */
  public static Usage ofSections(String jar, String purpose, ConfigSchema... sections) {
    return new Usage(jar, purpose, Arrays.stream(sections).map(Usage::inItsObject).toList());
  }

  /** {@code schema}'s keys inside the --conf object's member named after its section. */
  static Section inItsObject(ConfigSchema schema) {
    return new Section(schema, "in the --conf object's \"" + schema.section() + "\" object");
  }
}
