package dev.tessera.vertx;

import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;

/**
 * Promises for work that many callers share (one database read, one batched write, one Argon2 check):
 * whichever thread finishes the work, each caller hears on its own Vert.x context, so its request's
 * event loop runs what follows and no handler moves to a loop it does not belong to.
 */
public final class CallerContext {
  private CallerContext() {
  }

  /** A promise whose listeners run on the calling thread's context (a plain one off Vert.x threads). */
  public static <T> Promise<T> promise() {
    ContextInternal context = ContextInternal.current();
    return context != null ? context.promise() : Promise.promise();
  }
}
