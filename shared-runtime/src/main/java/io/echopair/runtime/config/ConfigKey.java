package io.echopair.runtime.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * One declared key of a {@link ConfigSchema}: its type, default, range and description, and the checks of a value.
 */
record ConfigKey(String name, Type type, Object defaultValue, long min, long max, String description,
                 Predicate<String> extraCheck, String extraRequirement) {

  /** The value types a key can have; each says how a wrong value is described. */
  enum Type {
    STRING("a string"), OPTIONAL_STRING("a string"), INTEGER("an integer"), LONG_INTEGER("an integer"),
    BOOLEAN("a boolean");

    private final String noun;

    Type(String noun) {
      this.noun = noun;
    }
  }

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /**
   * Checks a JSON value and returns it as the key's Java type (String, Integer, Long or Boolean).
   *
   * @throws ConfigException naming {@code section.key = value} and what is wrong
   */
  Object valueOf(String section, Object json) {
    String problem = problemWith(json);
    if (problem != null) {
      if (json == null) {
        problem += " (leave the key out to use the default " + ConfigException.render(defaultValue) + ")";
      }
      throw ConfigException.invalid(section, name, json, problem);
    }
    return normalized(json);
  }

  /**
   * Converts the text of an environment variable or system property to the key's type.
   *
   * @param source how the text was given, e.g. {@code ECHOPAIR_PORT} or {@code -Dechopair.port}
   * @throws ConfigException {@code ECHOPAIR_PORT = "abc": server.port must be an integer}
   */
  Object valueOfText(String section, String source, String text) {
    Object json = switch (type) {
      case STRING, OPTIONAL_STRING -> text;
      case INTEGER, LONG_INTEGER -> numberOrNull(text.strip());
      case BOOLEAN -> booleanOrNull(text.strip());
    };
    String problem = json == null ? "must be " + type.noun : problemWith(json);
    if (problem != null) {
      throw new ConfigException(source + " = " + ConfigException.render(text) + ": " + section + "." + name + " " + problem);
    }
    return normalized(json);
  }

  /** The name of this key in an environment variable: {@code intervalMs} becomes {@code INTERVAL_MS}. */
  String environmentName() {
    return environmentName(name);
  }

  static String environmentName(String camelCase) {
    return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** The type and what a value must be, as a usage text says it: {@code integer, between 1 and 65535}. */
  String typeDescription() {
    return switch (type) {
      case STRING -> extraRequirement == null ? "string" : "string, " + extraRequirement;
      case OPTIONAL_STRING -> "string, may be empty";
      case INTEGER, LONG_INTEGER -> "integer, " + rangeRequirement().substring("must be ".length());
      case BOOLEAN -> "boolean";
    };
  }

  /** Why the value is not acceptable for this key, or null when it is. */
  String problemWith(Object value) {
    return switch (type) {
      case STRING -> stringProblem(value);
      case OPTIONAL_STRING -> value instanceof String ? null : "must be a string";
      case INTEGER, LONG_INTEGER -> integerProblem(value);
      case BOOLEAN -> value instanceof Boolean ? null : "must be a boolean";
    };
  }

  private String stringProblem(Object value) {
    if (!(value instanceof String text)) {
      return "must be a string";
    }
    if (text.isEmpty()) {
      return "must not be empty";
    }
    if (extraCheck != null && !extraCheck.test(text)) {
      return extraRequirement;
    }
    return null;
  }

  private String integerProblem(Object value) {
    if (!(value instanceof Number number)) {
      return "must be an integer";
    }
    BigDecimal exact = new BigDecimal(number.toString());
    if (exact.stripTrailingZeros().scale() > 0) {
      return "must be an integer";
    }
    if (exact.compareTo(LONG_MIN) < 0 || exact.compareTo(LONG_MAX) > 0
        || exact.longValue() < min || exact.longValue() > max) {
      return rangeRequirement();
    }
    return null;
  }

  private String rangeRequirement() {
    long typeMax = type == Type.INTEGER ? Integer.MAX_VALUE : Long.MAX_VALUE;
    return max == typeMax ? "must be at least " + min : "must be between " + min + " and " + max;
  }

  /** The checked value in the key's Java type (JSON numbers may come as Integer, Long, Double or BigInteger). */
  private Object normalized(Object checked) {
    return switch (type) {
      case INTEGER -> new BigDecimal(checked.toString()).intValueExact();
      case LONG_INTEGER -> new BigDecimal(checked.toString()).longValueExact();
      default -> checked;
    };
  }

  private static BigDecimal numberOrNull(String text) {
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException notANumber) {
      return null;
    }
  }

  private static Boolean booleanOrNull(String text) {
    if (text.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    return text.equalsIgnoreCase("false") ? Boolean.FALSE : null;
  }
}
