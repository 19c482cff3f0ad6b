package io.echopair.runtime.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.echopair.runtime.Failures;
import io.echopair.runtime.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Hazelcast configuration of a clustered node, and where it came from: {@code -Dvertx.hazelcast.config=FILE},
 * else {@code conf/cluster.xml} in the working directory, else the jar's own copy of it (classpath
 * {@code cluster.xml}).
 */
public final class ClusterConfig {

  /** Vert.x's own system property naming a Hazelcast configuration file (vertx-hazelcast reads it too). */
  public static final String CONFIG_PROPERTY = "vertx.hazelcast.config";
  /** The shipped file, used when the jars run from the project root. */
  public static final Path PROJECT_FILE = Path.of("conf", "cluster.xml");
  /** The copy of conf/cluster.xml that every jar carries. */
  public static final String CLASSPATH_FILE = "cluster.xml";

  private static final String CLASSPATH_PREFIX = "classpath:";
  private static final String LOGGING_TYPE = "hazelcast.logging.type";
  private static final String MAX_JOIN_SECONDS = "hazelcast.max.join.seconds";
  /** Hazelcast's own default for hazelcast.max.join.seconds. */
  private static final int HAZELCAST_MAX_JOIN_SECONDS = 300;

  private final Config hazelcast;
  private final String origin;

  private ClusterConfig(Config hazelcast, String origin) {
    this.hazelcast = hazelcast;
    this.origin = origin;
  }

  /**
   * Finds and reads the configuration of this process (blocking file I/O: call it before Vert.x starts).
   *
   * @throws ConfigException naming the file when it is missing or not a valid Hazelcast configuration
   */
  public static ClusterConfig load() {
    routeHazelcastLoggingToSlf4j();
    String property = System.getProperty(CONFIG_PROPERTY);
    if (property != null && !property.isBlank()) {
      String origin = "-D" + CONFIG_PROPERTY + "=" + property;
      // As vertx-hazelcast reads it: a file, or classpath:NAME
      return property.startsWith(CLASSPATH_PREFIX)
          ? fromClasspath(property.substring(CLASSPATH_PREFIX.length()), origin)
          : fromFile(Path.of(property), origin);
    }
    if (Files.isRegularFile(PROJECT_FILE)) {
      return fromFile(PROJECT_FILE, PROJECT_FILE.toString());
    }
    return builtIn();
  }

  /** The jar's copy of conf/cluster.xml: a loopback cluster named "echopair". */
  public static ClusterConfig builtIn() {
    routeHazelcastLoggingToSlf4j();
    return fromClasspath(CLASSPATH_FILE, "the built-in " + CLASSPATH_FILE + " (a copy of conf/cluster.xml)");
  }

  /** The Hazelcast configuration itself; a node changes it (its member attributes), so use it for one node only. */
  public Config hazelcast() {
    return hazelcast;
  }

  /** How a log line names where the configuration came from, e.g. {@code conf/cluster.xml}. */
  public String origin() {
    return origin;
  }

  public String clusterName() {
    return hazelcast.getClusterName();
  }

  /** Renames the cluster (tests use names of their own): nodes of different names never form one cluster. */
  public ClusterConfig withClusterName(String name) {
    hazelcast.setClusterName(name);
    return this;
  }

  /** How long Hazelcast tries to join before it gives up (hazelcast.max.join.seconds). */
  public int maxJoinSeconds() {
    String value = hazelcast.getProperty(MAX_JOIN_SECONDS);
    try {
      return value == null ? HAZELCAST_MAX_JOIN_SECONDS : Integer.parseInt(value.strip());
    } catch (NumberFormatException notANumber) {
      return HAZELCAST_MAX_JOIN_SECONDS;
    }
  }

  private static ClusterConfig fromClasspath(String name, String origin) {
    try (InputStream in = ClusterConfig.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new ConfigException(origin + ": not found on the class path");
      }
      return parse(in.readAllBytes(), origin);
    } catch (IOException e) {
      throw new ConfigException(origin + ": cannot be read (" + e + ")");
    }
  }

  private static ClusterConfig fromFile(Path file, String origin) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(origin + ": no such file");
    }
    try {
      return parse(Files.readAllBytes(file), origin);
    } catch (IOException e) {
      throw new ConfigException(origin + ": cannot be read (" + e + ")");
    }
  }

  private static ClusterConfig parse(byte[] xml, String origin) {
    try {
      return new ClusterConfig(new XmlConfigBuilder(new ByteArrayInputStream(xml)).build(), origin);
    } catch (RuntimeException invalid) {
      throw new ConfigException(origin + ": not a valid Hazelcast configuration (" + Failures.rootLine(invalid) + ")");
    }
  }


  /**
   * Hazelcast reads the logging type from the system property before any configuration is parsed; cluster.xml says
   * slf4j as well, for the node's own loggers.
   */
  private static void routeHazelcastLoggingToSlf4j() {
    if (System.getProperty(LOGGING_TYPE) == null) {
      System.setProperty(LOGGING_TYPE, "slf4j");
    }
  }
}
