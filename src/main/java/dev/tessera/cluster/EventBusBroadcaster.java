package dev.tessera.cluster;

import dev.tessera.domain.Revocation;
import dev.tessera.token.Propagation;
import dev.tessera.token.RevocationBroadcaster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes committed revocations on {@code tessera.revocations} and waits up to the acknowledgement
 * timeout ({@code TESSERA_REVOCATION_ACK_TIMEOUT}) for every other live node to confirm it has applied
 * them, so the revoking request answers only once no healthy node can still say "active". Also the
 * receiving side: every node applies what it hears and acknowledges to the origin. A zero timeout
 * publishes without waiting (measurement baseline).
 *
 * <p>The broadcast is the fast path only. A node that misses it still converges through
 * {@link RevocationFollower}'s catch-up within one interval, so a missing ack is reported, not retried.
 */
public final class EventBusBroadcaster implements RevocationBroadcaster {
  private static final Logger log = LoggerFactory.getLogger(EventBusBroadcaster.class);

  private static final String GREETING = "hello";
  private static final Duration GREETING_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final ClusterManager cluster;
  private final RevocationFollower follower;
  private final Duration ackBound;
  private final String nodeId;
  private final Map<Long, PendingAcks> pending = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> revocations;
  private MessageConsumer<JsonObject> acks;

  private static final class PendingAcks {
    final long startedNanos = System.nanoTime();
    final Set<String> expected;
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Promise<Propagation> done = Promise.promise();

    PendingAcks(Set<String> expected) {
      this.expected = expected;
    }

    Propagation propagation() {
      List<String> missing = new ArrayList<>(expected);
      missing.removeAll(acked);
      missing.sort(null);
      double ms = (System.nanoTime() - startedNanos) / 1_000_000.0;
      return new Propagation(expected.size() + 1, expected.size() + 1 - missing.size(), ms, missing);
    }
  }

  public EventBusBroadcaster(Vertx vertx, ClusterManager cluster, RevocationFollower follower, Duration ackBound) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.follower = follower;
    this.ackBound = ackBound;
    this.nodeId = cluster.getNodeId();
  }

  /**
   * Registers both consumers; completes once they are known cluster-wide and every member has been
   * greeted, so readiness can wait on it.
   */
  public Future<Void> start() {
    revocations = vertx.eventBus().consumer(RevocationMessages.ADDRESS, this::onRevocation);
    acks = vertx.eventBus().consumer(RevocationMessages.ackAddress(nodeId), this::onAck);
    return Future.all(revocations.completion(), acks.completion()).compose(v -> greetMembers());
  }

  /**
   * A request and its reply to every other member open the mutual-TLS bus connections both ways now,
   * not inside the first revocation's acknowledgement bound; a member whose certificate the cluster CA
   * did not sign shows up here, at start, in the log.
   */
  private Future<Void> greetMembers() {
    DeliveryOptions bounded = new DeliveryOptions().setSendTimeout(GREETING_TIMEOUT.toMillis());
    List<Future<?>> greetings = new ArrayList<>();
    for (String member : cluster.getNodes()) {
      if (!member.equals(nodeId)) {
        greetings.add(vertx.eventBus().request(RevocationMessages.ackAddress(member), new JsonObject().put(GREETING, nodeId), bounded)
            .onFailure(e -> log.warn("cannot reach cluster member {} on the event bus ({}): check that every node's "
                + "TESSERA_CLUSTER_TLS_* come from the same Secret", member, e.getMessage())));
      }
    }
    return Future.join(greetings).otherwiseEmpty().mapEmpty();
  }

  @Override
  public Future<Propagation> broadcast(Revocation revocation) {
    boolean awaitAcks = !ackBound.isZero();
    JsonObject message = RevocationMessages.encode(revocation, awaitAcks);
    if (!awaitAcks) {
      vertx.eventBus().publish(RevocationMessages.ADDRESS, message);
      return Future.succeededFuture(new Propagation(members(), 1, 0.0, List.of()));
    }
    Set<String> others = new HashSet<>(cluster.getNodes());
    others.remove(nodeId);
    PendingAcks waiting = new PendingAcks(others);
    // Registered before publishing: on a fast network an ack can arrive before publish() returns.
    pending.put(revocation.seq(), waiting);
    vertx.eventBus().publish(RevocationMessages.ADDRESS, message);
    if (others.isEmpty()) {
      finish(revocation.seq());
      return waiting.done.future();
    }
    long timer = vertx.setTimer(Math.max(1, ackBound.toMillis()), t -> finish(revocation.seq()));
    return waiting.done.future().andThen(done -> vertx.cancelTimer(timer));
  }

  private void onRevocation(Message<JsonObject> message) {
    JsonObject body = message.body();
    Revocation revocation;
    try {
      revocation = RevocationMessages.decode(body);
    } catch (RuntimeException e) {
      log.warn("ignored a malformed revocation message: {}", e.toString());
      return;
    }
    follower.received(revocation);
    String origin = body.getString("origin");
    if (body.getBoolean("ack", false) && origin != null && !origin.equals(nodeId)) {
      vertx.eventBus().send(RevocationMessages.ackAddress(origin),
          new JsonObject().put("seq", revocation.seq()).put("node", nodeId), new DeliveryOptions().setLocalOnly(false));
    }
  }

  private void onAck(Message<JsonObject> message) {
    if (message.body().containsKey(GREETING)) {
      message.reply(new JsonObject().put(GREETING, nodeId));
      return;
    }
    Long seq = message.body().getLong("seq");
    PendingAcks waiting = seq == null ? null : pending.get(seq);
    if (waiting == null) {
      return;
    }
    waiting.acked.add(message.body().getString("node"));
    if (waiting.acked.containsAll(waiting.expected)) {
      finish(seq);
    }
  }

  private void finish(long seq) {
    PendingAcks waiting = pending.remove(seq);
    if (waiting != null) {
      Propagation p = waiting.propagation();
      if (!p.missing().isEmpty()) {
        log.warn("revocation {} not acknowledged within {} by nodes {}; they converge through catch-up",
            seq, ackBound, p.missing());
      }
      waiting.done.tryComplete(p);
    }
  }

  public int members() {
    return cluster.getNodes().size();
  }

  public Future<Void> stop() {
    List<Future<?>> stops = new ArrayList<>();
    if (revocations != null) {
      stops.add(revocations.unregister());
    }
    if (acks != null) {
      stops.add(acks.unregister());
    }
    return Future.join(stops).mapEmpty();
  }
}
