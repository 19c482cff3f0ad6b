package io.echopair.runtime.launch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@code main} of every jar: runs the {@link Launchable} its manifest names in the attribute
 * {@value #ATTRIBUTE} (set by the module's {@code app.launchable} property), e.g. {@code java -jar echo-server.jar
 * --conf conf/echo-server.json}.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** The manifest attribute that names the jar's Launchable class. */
  static final String ATTRIBUTE = "Echopair-Launchable";

  private Main() {
  }

  public static void main(String[] args) {
    Launchable launchable;
    try {
      launchable = named(manifestAttribute(Main.class.getClassLoader()));
    } catch (IllegalStateException notRunnable) {
      LOG.error(notRunnable.getMessage());
      System.exit(ExitStatus.SOFTWARE);
      return;
    }
    EchoPairLauncher.launch(args, launchable);
  }

  /**
   * The class name the one manifest on the class path with {@value #ATTRIBUTE} gives.
   *
   * @throws IllegalStateException when no manifest or several name one
   */
  static String manifestAttribute(ClassLoader loader) {
    List<String> named = new ArrayList<>(1);
    try {
      for (URL manifest : Collections.list(loader.getResources("META-INF/MANIFEST.MF"))) {
        try (InputStream in = manifest.openStream()) {
          String value = new Manifest(in).getMainAttributes().getValue(ATTRIBUTE);
          if (value != null) {
            named.add(value.strip());
          }
        }
      }
    } catch (IOException unreadable) {
      throw new IllegalStateException("Cannot read the manifests on the class path: " + unreadable.getMessage());
    }
    if (named.isEmpty()) {
      throw new IllegalStateException("No manifest on the class path has " + ATTRIBUTE
          + ": run a packaged jar (java -jar echo-server.jar, sender.jar, monitor.jar or echopair.jar)");
    }
    if (named.size() > 1) {
      throw new IllegalStateException("Several manifests on the class path have " + ATTRIBUTE + ": " + named);
    }
    return named.get(0);
  }

  /** A new instance of the Launchable class {@code className}, by its no-argument constructor. */
  static Launchable named(String className) {
    try {
      Object instance = Class.forName(className).getDeclaredConstructor().newInstance();
      if (instance instanceof Launchable launchable) {
        return launchable;
      }
      throw new IllegalStateException(ATTRIBUTE + " " + className + " is not a " + Launchable.class.getName());
    } catch (ReflectiveOperationException notFound) {
      throw new IllegalStateException(ATTRIBUTE + " " + className + " cannot be created: " + notFound);
    }
  }
}
