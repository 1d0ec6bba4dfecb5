package dev.tessera.token;

import dev.tessera.domain.Revocation;
import io.vertx.core.Future;

/**
 * Tells the other nodes about a committed revocation. The single-node implementation has no one to
 * tell; the clustered one publishes on the event bus and collects acknowledgements.
 */
public interface RevocationBroadcaster {
  /**
   * Completes once every live node has confirmed it applied the revocation, or the acknowledgement
   * timeout has passed (then {@link Propagation#missing()} names the late nodes). Every revocation waits,
   * whatever its reason: a client that logs out and checks at once must not see its token alive elsewhere.
   */
  Future<Propagation> broadcast(Revocation revocation);

  /** The single-node broadcaster: this node applied the revocation before broadcasting, nothing else to do. */
  RevocationBroadcaster LOCAL = revocation -> Future.succeededFuture(Propagation.localOnly());
}
