package io.echopair.protocol;

/**
 * How a sender id reads in every log line and event-bus message, on both sides: 16 lower-case hex digits.
 */
public final class SenderId {

  private SenderId() {
  }

  /** {@code 00000000c0ffee00}: zero-padded, so that ids line up and a grep for one finds all its lines. */
  public static String text(long id) {
    return String.format("%016x", id);
  }
}
