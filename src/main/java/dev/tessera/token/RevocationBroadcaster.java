package dev.tessera.token;

import dev.tessera.domain.Revocation;
import io.vertx.core.Future;

/**
 * Tells the other nodes about a committed revocation. The single-node implementation has no one to
 * tell; the clustered one publishes on the event bus and collects acknowledgements.
 */
public interface RevocationBroadcaster {
  /**
   * @param awaitAcks wait (up to the staleness bound) until every live node confirms; administrative
   *                  revocations do, so the admin sees the outcome; a client's logout does not wait
   */
  Future<Propagation> broadcast(Revocation revocation, boolean awaitAcks);

  /** The single-node broadcaster: this node applied the revocation before broadcasting, nothing else to do. */
  RevocationBroadcaster LOCAL = (revocation, awaitAcks) -> Future.succeededFuture(Propagation.localOnly());
}
