package io.echopair.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A program the tests start as its own process (a packaged jar, or the seed's C code), with its output collected line by line. */
final class ChildProcess implements AutoCloseable {

  static final Path PROJECT_ROOT = Path.of(System.getProperty("echopair.projectRoot", "..")).toAbsolutePath().normalize();
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::collectOutput, name + "-output");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Starts {@code java [jvmArgs] -jar <jar> [args]} in the project root.
   *
   * @param jar path of the jar relative to the project root, e.g. {@code echo-server-verticle/target/echo-server.jar}
   */
  static ChildProcess jar(String jar, List<String> jvmArgs, String... args) throws IOException {
    Path jarPath = packagedJar(jar);
    List<String> command = java(jvmArgs);
    command.add("-jar");
    command.add(jarPath.toString());
    command.addAll(List.of(args));
    return start(jarPath.getFileName().toString(), command, Redirect.PIPE);
  }

  /**
   * Starts {@code java [jvmArgs] -cp <jar>:<this module's test classes> <mainClass> [args]} in the project root: a
   * packaged jar with test helpers beside it (e.g. a logback appender). Its standard error goes to {@code stderr}.
   *
   * @param mainClass the jar's Main-Class
   */
  static ChildProcess withTestClasses(String jar, String mainClass, List<String> jvmArgs, Path stderr, String... args)
      throws IOException {
    Path jarPath = packagedJar(jar);
    List<String> command = java(jvmArgs);
    command.add("-cp");
    command.add(jarPath + File.pathSeparator + testClasses());
    command.add(mainClass);
    command.addAll(List.of(args));
    return start(jarPath.getFileName().toString(), command, Redirect.to(stderr.toFile()));
  }

  /**
   * Starts {@code java [jvmArgs] -cp <jar> <mainClass> [args]} in the project root: another main class of a packaged
   * jar, e.g. Vert.x's own {@code VertxApplication}.
   */
  static ChildProcess mainClass(String jar, String mainClass, List<String> jvmArgs, String... args) throws IOException {
    Path jarPath = packagedJar(jar);
    List<String> command = java(jvmArgs);
    command.add("-cp");
    command.add(jarPath.toString());
    command.add(mainClass);
    command.addAll(List.of(args));
    return start(jarPath.getFileName().toString(), command, Redirect.PIPE);
  }

  /** Like {@link #jar}, in a shell that first lowers the number of files the JVM may open to {@code openFiles}. */
  static ChildProcess jarWithOpenFileLimit(int openFiles, String jar, List<String> jvmArgs, String... args)
      throws IOException {
    Path jarPath = packagedJar(jar);
    List<String> command = new ArrayList<>(List.of("sh", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "sh"));
    command.addAll(java(jvmArgs));
    command.add("-jar");
    command.add(jarPath.toString());
    command.addAll(List.of(args));
    return start(jarPath.getFileName().toString(), command, Redirect.PIPE);
  }

  /** Starts a native program in the project root. */
  static ChildProcess program(Path executable, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(List.of(args));
    return start(executable.getFileName().toString(), command, Redirect.PIPE);
  }

  private static Path packagedJar(String jar) {
    Path jarPath = PROJECT_ROOT.resolve(jar);
    assertThat(jarPath).as("packaged jar (mvn package builds it)").isRegularFile();
    return jarPath;
  }

  /** The java command of this JVM's installation, with {@code jvmArgs}. */
  private static List<String> java(List<String> jvmArgs) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small heaps: several JVMs share a 2-core CI machine
    command.add("-Xmx256m");
    command.addAll(jvmArgs);
    return command;
  }

  private static Path testClasses() {
    try {
      return Path.of(ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Collects standard output line by line; standard error joins it when {@code stderr} is PIPE. */
  private static ChildProcess start(String name, List<String> command, Redirect stderr) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT_ROOT.toFile());
    if (stderr == Redirect.PIPE) {
      builder.redirectErrorStream(true);
    } else {
      builder.redirectError(stderr);
    }
    return new ChildProcess(name, builder.start());
  }

  /** Waits until a line matching {@code regex} has been printed, and returns its match. */
  Matcher awaitLine(String regex) throws InterruptedException {
    Pattern pattern = Pattern.compile(regex);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    synchronized (lines) {
      int checked = 0;
      while (true) {
        for (; checked < lines.size(); checked++) {
          Matcher m = pattern.matcher(lines.get(checked));
          if (m.find()) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
          throw new AssertionError(name + " printed no line matching /" + regex + "/; output:\n" + output());
        }
        // Woken by each new line, or when the output ends
        lines.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
  }

  /** Lines printed so far that match {@code regex}. */
  List<String> linesMatching(String regex) {
    Pattern pattern = Pattern.compile(regex);
    synchronized (lines) {
      return lines.stream().filter(l -> pattern.matcher(l).find()).toList();
    }
  }

  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** Waits for the process to end by itself and returns its exit status. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + TIMEOUT + "; output:\n" + output());
    }
    reader.join(TIMEOUT.toMillis());
    return process.exitValue();
  }

  /** Sends SIGTERM, as a service manager would, and returns the exit status. */
  int terminate() throws InterruptedException {
    signalTerm();
    return awaitExit();
  }

  /** Sends SIGTERM and returns at once. */
  void signalTerm() {
    // Process.destroy() would also close our end of its output, losing what it prints while stopping
    process.toHandle().destroy();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private void collectOutput() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // The process went away; what it printed is kept
    } finally {
      synchronized (lines) {
        lines.notifyAll();
      }
    }
  }
}
