package io.echopair.runtime.config;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle's configuration record while it runs, swapped whole on a live change. The keys the verticle applies
 * live take their new values; every other key keeps the value in use until a restart. Each changed key gets one line:
 *
 * <pre>
 * INFO  Configuration changed: server.logEvery = 5 applied
 * WARN  Configuration changed: server.port = 7778 needs a restart; still using 7777
 * INFO  Configuration changed: server.port is back to 7777, the value in use
 * WARN  Configuration change ignored: sender.message = "...": does not fit a 100-byte frame
 * </pre>
 *
 * One helper for the server, the sender and the monitor: {@code layeredConfig.watch(next -> live.change(next)
 * .ifPresent(this::apply))}. On the verticle's context.
 *
 * @param <C> the verticle's immutable configuration record
 */
public final class LiveConfig<C> {

  private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);

  private final ConfigValues started;
  private final Set<String> liveKeys;
  private final Function<ConfigValues, C> parse;
  private final BiFunction<C, C, C> withLiveKeys;
  private final boolean logs;

  private ConfigValues latest;
  private C current;

  /**
   * @param started      the values the verticle started with
   * @param current      its record, parsed from {@code started}
   * @param liveKeys     the keys it applies while running
   * @param parse        makes a record of checked values (with the checks across keys); throws ConfigException
   * @param withLiveKeys the running record with the live keys of a new one; may throw ConfigException when a new
   *                     value does not fit what stays in use (a message longer than the frame size in force)
   * @param logs         whether this instance logs the lines (one instance of a deployment does)
   */
  public LiveConfig(ConfigValues started, C current, Set<String> liveKeys, Function<ConfigValues, C> parse,
                    BiFunction<C, C, C> withLiveKeys, boolean logs) {
    this.started = started;
    this.latest = started;
    this.current = current;
    this.liveKeys = Set.copyOf(liveKeys);
    this.parse = parse;
    this.withLiveKeys = withLiveKeys;
    this.logs = logs;
  }

  /** The record in force. */
  public C current() {
    return current;
  }

  /**
   * Takes a valid change of the file: logs a line per changed key and swaps the record.
   *
   * @return the new record when a live key changed, else empty (nothing to apply)
   */
  public Optional<C> change(ConfigValues next) {
    C candidate;
    try {
      candidate = withLiveKeys.apply(current, parse.apply(next));
    } catch (ConfigException refused) {
      if (logs) {
        LOG.warn("Configuration change ignored: {}", refused.getMessage());
      }
      return Optional.empty();
    }
    boolean liveChanged = false;
    for (String key : latest.changedKeys(next)) {
      if (liveKeys.contains(key)) {
        liveChanged = true;
        report("Configuration changed: {}.{} = {} applied", next, key);
      } else {
        reportRestartNeeded(key, next);
      }
    }
    latest = next;
    if (!liveChanged || Objects.equals(candidate, current)) {
      return Optional.empty();
    }
    current = candidate;
    return Optional.of(candidate);
  }

  private void reportRestartNeeded(String key, ConfigValues next) {
    Object running = started.toJson().getValue(key);
    Object wanted = next.toJson().getValue(key);
    if (!logs) {
      return;
    }
    if (Objects.equals(running, wanted)) {
      LOG.info("Configuration changed: {}.{} is back to {}, the value in use", next.section(), key,
          ConfigException.render(running));
    } else {
      LOG.warn("Configuration changed: {}.{} = {} needs a restart; still using {}", next.section(), key,
          ConfigException.render(wanted), ConfigException.render(running));
    }
  }

  private void report(String format, ConfigValues next, String key) {
    if (logs) {
      LOG.info(format, next.section(), key, ConfigException.render(next.toJson().getValue(key)));
    }
  }
}
