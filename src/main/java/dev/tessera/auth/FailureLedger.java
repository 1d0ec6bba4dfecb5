package dev.tessera.auth;

import io.vertx.core.Future;

/**
 * Where failure counts live: this node's memory ({@link LocalFailureLedger}) or, clustered, a map every
 * node shares ({@code cluster.SharedFailureLedger}), so limits do not multiply by the number of nodes.
 * Entries are forgotten {@link Failures#REMEMBERED} after their last failure.
 */
public interface FailureLedger {
  /** The failures recorded under {@code key}; {@link Failures#NONE} if there are none. */
  Future<Failures> get(String key);

  /** Counts one more failure under {@code key} (see {@link Failures#next}) and returns the new state. */
  Future<Failures> fail(String key, int free, long nowMillis);

  Future<Void> forget(String key);
}
