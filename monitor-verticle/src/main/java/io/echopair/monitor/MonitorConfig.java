package io.echopair.monitor;

import io.echopair.protocol.ReceivedMessage;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigValues;
import java.util.Set;

/**
 * The monitor's settings, checked once by {@link #SCHEMA}, where every default is stated.
 *
 * @param address         the event-bus address the echo servers publish on (their {@code publishAddress})
 * @param logEvery        log every Nth message; 0 logs none (the count lines stay)
 * @param statsIntervalMs how often the count line is logged
 * @param backlogFrames   the most received frames waiting to be logged; a batch beyond is dropped and counted
 */
public record MonitorConfig(String address, int logEvery, int statsIntervalMs, int backlogFrames) {

  static final String ADDRESS = "address";
  static final String LOG_EVERY = "logEvery";
  static final String STATS_INTERVAL_MS = "statsIntervalMs";
  static final String BACKLOG_FRAMES = "backlogFrames";

  public static final ConfigSchema SCHEMA = ConfigSchema.section("monitor")
      .string(ADDRESS, ReceivedMessage.DEFAULT_ADDRESS,
          "Event-bus address to listen to: the echo servers' publishAddress")
      .integer(LOG_EVERY, 1, 0, Integer.MAX_VALUE, "Log every Nth message; 0 logs none (applies live)")
      .integer(STATS_INTERVAL_MS, 10_000, 100, Integer.MAX_VALUE, "Milliseconds between two count lines")
      .integer(BACKLOG_FRAMES, 100_000, 1, Integer.MAX_VALUE,
          "Received frames that may wait to be logged; a batch beyond is dropped and counted");

  /** The keys a running monitor applies; the others need a restart. */
  static final Set<String> LIVE_KEYS = Set.of(LOG_EVERY);

  public static MonitorConfig from(ConfigValues values) {
    return new MonitorConfig(values.string(ADDRESS), values.integer(LOG_EVERY), values.integer(STATS_INTERVAL_MS),
        values.integer(BACKLOG_FRAMES));
  }

  /** This record with the {@link #LIVE_KEYS} of {@code next}. */
  MonitorConfig withLiveKeysOf(MonitorConfig next) {
    return new MonitorConfig(address, next.logEvery, statsIntervalMs, backlogFrames);
  }
}
