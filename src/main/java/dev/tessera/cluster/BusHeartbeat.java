package dev.tessera.cluster;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.Status;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether this node still hears the rest of the cluster on the event bus. Hazelcast's own check only
 * says whether its partitions are safe: a node whose event-bus connections are cut stays a member, hears
 * no broadcast and only converges through the revocation log. Every node publishes a heartbeat once per
 * interval; the cluster check is down while this node has heard fewer than half of the other members
 * within three intervals. A majority, so that in a cluster of three the cut node reports itself and the
 * two that still hear each other stay ready (in a cluster of two neither side can tell; both stay up).
 */
public final class BusHeartbeat {
  static final String ADDRESS = "tessera.heartbeat";
  private static final int MISSED_BEATS = 3;

  private final Vertx vertx;
  private final ClusterManager cluster;
  private final String nodeId;
  private final Duration interval;
  private final long startedNanos = System.nanoTime();
  private final Map<String, Long> lastHeardNanos = new ConcurrentHashMap<>();
  private MessageConsumer<String> consumer;
  private long timerId = -1;

  public BusHeartbeat(Vertx vertx, ClusterManager cluster, Duration interval) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.nodeId = cluster.getNodeId();
    this.interval = interval;
  }

  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(ADDRESS, message -> {
      String from = message.body();
      if (from != null && !from.equals(nodeId)) {
        lastHeardNanos.put(from, System.nanoTime());
      }
    });
    timerId = vertx.setPeriodic(interval.toMillis(), t -> vertx.eventBus().publish(ADDRESS, nodeId));
    return consumer.completion();
  }

  /** Other live members heard within the window, and how many there are. */
  private int[] heardOfOthers() {
    Set<String> others = new HashSet<>(cluster.getNodes());
    others.remove(nodeId);
    long now = System.nanoTime();
    long window = interval.multipliedBy(MISSED_BEATS).toNanos();
    lastHeardNanos.keySet().retainAll(others);
    int heard = 0;
    for (String other : others) {
      Long at = lastHeardNanos.get(other);
      if (at != null && now - at <= window) {
        heard++;
      }
    }
    // No verdict until this node has had the time to hear everyone once.
    return new int[] {now - startedNanos < window ? others.size() : heard, others.size()};
  }

  public boolean hearsCluster() {
    int[] h = heardOfOthers();
    return 2 * (h[0] + 1) >= h[1] + 1;
  }

  /** Hazelcast's check and this one together: the readiness check named {@code cluster}. */
  public Handler<Promise<Status>> withHazelcastCheck(Handler<Promise<Status>> hazelcast) {
    return promise -> {
      Promise<Status> partitions = Promise.promise();
      hazelcast.handle(partitions);
      partitions.future().onComplete(done -> {
        int[] h = heardOfOthers();
        boolean safe = done.succeeded() && done.result().isOk();
        JsonObject data = new JsonObject().put("partitions_safe", safe).put("members_heard", h[0] + 1)
            .put("members", h[1] + 1);
        promise.complete(safe && hearsCluster() ? Status.OK(data) : Status.KO(data));
      });
    };
  }

  public Future<Void> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
