package io.echopair.runtime.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/** Waiting in a test for a verticle that undeploys itself. */
public final class Undeployments {

  private Undeployments() {
  }

  /**
   * Completes once the deployment {@code id} is gone, looked at every 10 ms (Vert.x tells no one else) on
   * {@code watcher}: a context of the test's own ({@code vertx.getOrCreateContext()} in the test method), as the
   * deployment's timers go with it.
   */
  public static Future<Void> whenUndeployed(Context watcher, String id) {
    Promise<Void> gone = Promise.promise();
    watcher.runOnContext(v -> watcher.owner().setPeriodic(10, timer -> {
      if (!watcher.owner().deploymentIDs().contains(id)) {
        watcher.owner().cancelTimer(timer);
        gone.tryComplete();
      }
    }));
    return gone.future();
  }
}
