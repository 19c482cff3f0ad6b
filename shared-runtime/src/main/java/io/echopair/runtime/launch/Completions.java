package io.echopair.runtime.launch;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The verticles a launcher deployed, and the exit status those that {@link RunsToCompletion} ask for once all of
 * them are done: the highest asked, {@link ExitStatus#SOFTWARE} for a failed completion.
 */
final class Completions {

  private final List<Deployable> instances = new CopyOnWriteArrayList<>();

  /** Keeps {@code verticle} to wait for, if it runs to completion; returns it. */
  Deployable track(Deployable verticle) {
    instances.add(verticle);
    return verticle;
  }

  /**
   * Completes with the status once every deployed {@link RunsToCompletion} verticle is done; empty when none is.
   *
   * @param onFailure told each failure of a completion
   */
  Optional<Future<Integer>> status(Consumer<Throwable> onFailure) {
    List<Future<Integer>> completions = instances.stream()
        .filter(RunsToCompletion.class::isInstance)
        .map(instance -> ((RunsToCompletion) instance).completion())
        .toList();
    if (completions.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Future.join(completions)
        .transform(allDone -> Future.succeededFuture(highest(completions, onFailure))));
  }

  private static int highest(List<Future<Integer>> completions, Consumer<Throwable> onFailure) {
    int highest = ExitStatus.OK;
    for (Future<Integer> completion : completions) {
      if (completion.failed()) {
        onFailure.accept(completion.cause());
        highest = Math.max(highest, ExitStatus.SOFTWARE);
      } else if (completion.result() != null) {
        highest = Math.max(highest, completion.result());
      }
    }
    return highest;
  }
}
