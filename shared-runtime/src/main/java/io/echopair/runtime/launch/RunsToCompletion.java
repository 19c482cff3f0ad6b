package io.echopair.runtime.launch;

import io.vertx.core.Future;

/**
 * A verticle that can finish by itself (e.g. a sender with {@code count}); {@link EchoPairLauncher} then exits.
 */
public interface RunsToCompletion {

  /**
   * Completes when the verticle's work is done, with the exit status it asks for ({@link ExitStatus#OK}, or
   * {@link ExitStatus#UNACKNOWLEDGED}). A failed future asks for {@link ExitStatus#SOFTWARE}.
   */
  Future<Integer> completion();
}
