package io.echopair.runtime.config;

import java.util.List;

/**
 * One key of a {@link ConfigSchema} as a usage text shows it: what it is and every name that overrides it.
 *
 * @param name          the key, e.g. {@code intervalMs}
 * @param type          its type and range, e.g. {@code integer, between 1 and 65535}
 * @param defaultValue  its default, as JSON ({@code 7777}, {@code "127.0.0.1"})
 * @param description   what it does
 * @param overrideNames the environment variables and system properties that override it, lowest precedence first:
 *                      {@code ECHOPAIR_PORT, ECHOPAIR_SENDER_PORT, -Dechopair.port, -Dechopair.sender.port}
 */
public record KeyUsage(String name, String type, String defaultValue, String description, List<String> overrideNames) {
}
