package io.echopair.runtime.launch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.LocalMap;

/**
 * Ends a deployment whose work is done: once each of its instances has said it finished, the deployment is undeployed,
 * so that a verticle that runs to completion ends cleanly whoever deployed it (our launcher, plain VertxApplication,
 * or another application embedding it).
 */
public final class FinishedDeployment {

  /** Deployment id -> instances finished so far; shared by the instances of a deployment, on their event loops. */
  private static final String FINISHED = FinishedDeployment.class.getName();

  private FinishedDeployment() {
  }

  /**
   * One instance of the deployment of {@code context} finished; the last one undeploys the deployment.
   *
   * @return completes when undeployed (or when another instance still works); never fails: a deployment already
   *         being undeployed by someone else is fine
   */
  public static Future<Void> instanceFinished(Vertx vertx, Context context) {
    if (((VertxInternal) vertx).closeFuture().isClosed()) {
      // Vert.x is closing and undeploys everything itself: a second undeploy would only fail, with an ERROR of its own
      return Future.succeededFuture();
    }
    String deployment = context.deploymentID();
    LocalMap<String, Integer> finished = vertx.sharedData().getLocalMap(FINISHED);
    if (finished.merge(deployment, 1, Integer::sum) < context.getInstanceCount()) {
      return Future.succeededFuture();
    }
    finished.remove(deployment);
    return vertx.undeploy(deployment).otherwiseEmpty();
  }

  /** The deployment of {@code context} is being undeployed: nothing to count for it any more. */
  public static void forget(Vertx vertx, Context context) {
    vertx.sharedData().<String, Integer>getLocalMap(FINISHED).remove(context.deploymentID());
  }
}
