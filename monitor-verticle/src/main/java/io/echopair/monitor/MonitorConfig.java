package io.echopair.monitor;

import io.echopair.runtime.cluster.ReceivedMessage;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigValues;

/**
 * The monitor's settings, checked once by {@link #SCHEMA}, where every default is stated.
 *
 * @param address         the event-bus address the echo servers publish on (their {@code publishAddress})
 * @param logEvery        log every Nth message; 0 logs none (the count lines stay)
 * @param statsIntervalMs how often the count line is logged
 */
public record MonitorConfig(String address, int logEvery, int statsIntervalMs) {

  public static final ConfigSchema SCHEMA = ConfigSchema.section("monitor")
      .string("address", ReceivedMessage.DEFAULT_ADDRESS,
          "Event-bus address to listen to: the echo servers' publishAddress")
      .integer("logEvery", 1, 0, Integer.MAX_VALUE, "Log every Nth message; 0 logs none (applies live)")
      .integer("statsIntervalMs", 10_000, 100, Integer.MAX_VALUE, "Milliseconds between two count lines");

  public static MonitorConfig from(ConfigValues values) {
    return new MonitorConfig(values.string("address"), values.integer("logEvery"), values.integer("statsIntervalMs"));
  }
}
