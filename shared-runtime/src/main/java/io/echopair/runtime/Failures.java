package io.echopair.runtime;

/**
 * What a failure says in a one-line log message: its own message, or the first line of its root cause's.
 */
public final class Failures {

  private Failures() {
  }

  /** The failure's message, or its class's simple name when it has none (a bare {@code ClosedChannelException}). */
  public static String message(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  /**
   * The first line of the {@link #message} of the innermost cause: what went wrong at the bottom, without the
   * wrappers' words or a multi-line parser report.
   */
  public static String rootLine(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return message(root).strip().lines().findFirst().orElse("");
  }
}
