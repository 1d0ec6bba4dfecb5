package dev.tessera.token;

import dev.tessera.domain.AuditEvent;
import dev.tessera.domain.Revocation;
import dev.tessera.domain.RevocationReason;
import dev.tessera.metrics.TesseraMetrics;
import dev.tessera.store.AuditStore;
import dev.tessera.store.RevocationStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Ends sessions. The database commit comes first (durable before any answer), then this node's own
 * revocation set, then the broadcast to the others, which completes once every live node confirmed or
 * the acknowledgement timeout passed. Nodes late to confirm are counted and audited: the revocation
 * still stands (it is durable) and they converge through the log's catch-up.
 */
public final class Revoker {
  private final RevocationStore store;
  private final Evictions evictions;
  private final TesseraMetrics metrics;
  private final AuditStore audit;
  private volatile RevocationBroadcaster broadcaster = RevocationBroadcaster.LOCAL;

  public Revoker(RevocationStore store, Evictions evictions, TesseraMetrics metrics, AuditStore audit) {
    this.store = store;
    this.evictions = evictions;
    this.metrics = metrics;
    this.audit = audit;
  }

  /** Set once at start-up when the node joins a cluster. */
  public void broadcastWith(RevocationBroadcaster broadcaster) {
    this.broadcaster = broadcaster;
  }

  public Future<RevocationOutcome> revokeSessions(List<UUID> sessionIds, RevocationReason reason) {
    return commit(tx -> store.revokeSessions(tx, sessionIds, reason));
  }

  public Future<RevocationOutcome> revokeUser(UUID userId, RevocationReason reason) {
    return commit(tx -> store.revokeUser(tx, userId, reason));
  }

  public Future<RevocationOutcome> revokeClient(String clientId, RevocationReason reason) {
    return commit(tx -> store.revokeClient(tx, clientId, reason));
  }

  /**
   * Runs {@code work} — which ends with a revocation statement — in one transaction, e.g. disabling a
   * user together with ending all their sessions: either both are durable or neither is.
   */
  public Future<RevocationOutcome> commit(Function<SqlClient, Future<Optional<Revocation>>> work) {
    return store.pool().withTransaction(work::apply).compose(this::announce);
  }

  public RevocationStore store() {
    return store;
  }

  private Future<RevocationOutcome> announce(Optional<Revocation> committed) {
    if (committed.isEmpty()) {
      return Future.succeededFuture(new RevocationOutcome(0, Propagation.localOnly()));
    }
    Revocation r = committed.get();
    evictions.apply(r);
    metrics.revoked(r.reason(), r.sessionIds().size());
    return broadcaster.broadcast(r).map(p -> {
      if (p.nodes() > 1) {
        metrics.ackWait(Duration.ofNanos((long) (p.ms() * 1_000_000)));
      }
      if (!p.missing().isEmpty()) {
        metrics.ackTimeouts(p.missing().size());
        audit.record(AuditEvent.of("revocation_ack_timeout", null, null, null, null, new JsonObject()
            .put("seq", r.seq()).put("reason", r.reason().label()).put("sessions", r.sessionIds().size())
            .put("missing", new JsonArray(p.missing())).put("waited_ms", p.ms())));
      }
      return new RevocationOutcome(r.sessionIds().size(), p);
    });
  }
}
