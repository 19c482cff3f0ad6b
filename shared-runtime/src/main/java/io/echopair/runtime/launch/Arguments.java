package io.echopair.runtime.launch;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a command line asks before VertxApplication reads it: {@code --help}, which prints our usage rather than
 * Vert.x's, and a positional argument, which VertxApplication would take as a verticle name and silently ignore
 * (our jars deploy their own verticle), so that {@code java -jar sender.jar conf/sender.json} refuses to start.
 */
final class Arguments {

  private static final Set<String> HELP = Set.of("-h", "-help", "--help");
  /** VertxApplication 5.0.7's options that take a value as the next argument; picocli ignores their case here. */
  private static final Set<String> WITH_VALUE = Set.of("-conf", "--conf", "-options", "--options", "-vertx-options",
      "--vertx-options", "-deployment-options", "--deployment-options", "-instances", "--instances", "-cluster-host",
      "--cluster-host", "-cluster-port", "--cluster-port", "-cluster-public-host", "--cluster-public-host",
      "-cluster-public-port", "--cluster-public-port");
  private static final String END_OF_OPTIONS = "--";
  /** {@code io.echopair.Foo}: a class name, as VertxApplication's verticle argument would be. */
  private static final Pattern CLASS_NAME = Pattern.compile("(\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*\\.)+"
      + "\\p{Upper}\\p{javaJavaIdentifierPart}*");

  private Arguments() {
  }

  /** Whether {@code -h}, {@code -help} or {@code --help} (any case) is among the options. */
  static boolean helpRequested(String[] args) {
    for (int i = 0; i < args.length && !args[i].equals(END_OF_OPTIONS); i++) {
      String lower = args[i].toLowerCase(Locale.ROOT);
      if (HELP.contains(lower)) {
        return true;
      }
      if (WITH_VALUE.contains(lower)) {
        i++;
      }
    }
    return false;
  }

  /** The first argument that is neither an option nor an option's value, or null when there is none. */
  static String stray(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals(END_OF_OPTIONS)) {
        return i + 1 < args.length ? args[i + 1] : null;
      }
      if (WITH_VALUE.contains(arg.toLowerCase(Locale.ROOT))) {
        i++;
      } else if (arg.equals("-") || !arg.startsWith("-")) {
        return arg;
      }
    }
    return null;
  }

  /**
   * The one line that refuses {@code stray}: {@code Unexpected argument "conf/sender.json": did you mean --conf
   * conf/sender.json? (java -jar sender.jar --help lists the options)}.
   */
  static String refusal(String stray, Usage usage) {
    String help = " (java -jar " + usage.jar() + " --help lists the options)";
    String what = "Unexpected argument \"" + stray + "\": ";
    if (stray.startsWith("-")) {
      return what + "after --, " + usage.jar() + " takes no argument" + help;
    }
    if (CLASS_NAME.matcher(stray).matches() && !isFile(stray)) {
      return what + usage.jar() + " deploys its own verticle and takes no verticle name" + help;
    }
    return what + "did you mean --conf " + stray + "?" + help;
  }

  private static boolean isFile(String value) {
    try {
      return Files.exists(Path.of(value));
    } catch (InvalidPathException notAPath) {
      return false;
    }
  }
}
