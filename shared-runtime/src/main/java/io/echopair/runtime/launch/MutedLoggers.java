package io.echopair.runtime.launch;

import ch.qos.logback.classic.Level;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Loggers switched off for a while and given their level back on {@link #close()}: Vert.x logs a failed cluster
 * start three times with stack traces, where the launcher logs one line that says why.
 */
final class MutedLoggers implements AutoCloseable {

  private record Muted(ch.qos.logback.classic.Logger logger, Level level) {
  }

  private final List<Muted> muted = new ArrayList<>();

  private MutedLoggers() {
  }

  /** Switches the loggers off; a logger that is not logback's is left alone. */
  static MutedLoggers mute(String... names) {
    MutedLoggers loggers = new MutedLoggers();
    for (String name : names) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
        loggers.muted.add(new Muted(logger, logger.getLevel()));
        logger.setLevel(Level.OFF);
      }
    }
    return loggers;
  }

  @Override
  public synchronized void close() {
    muted.forEach(m -> m.logger().setLevel(m.level()));
    muted.clear();
  }
}
