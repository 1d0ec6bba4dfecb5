package dev.tessera.cluster;

import dev.tessera.domain.Revocation;
import dev.tessera.metrics.TesseraMetrics;
import dev.tessera.store.RevocationStore;
import dev.tessera.token.Freshness;
import dev.tessera.token.Evictions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Follows the revocation log by sequence number. On start it loads every revocation that still
 * matters; then it polls every catch-up interval, so a node that missed a broadcast, was partitioned or
 * has just started converges within one interval. Each successful poll renews this node's freshness.
 *
 * <p>Sequence numbers are taken at insert but become visible at commit, so a later number can be seen
 * before an earlier one. A number skipped over is remembered as a gap and re-read on every poll until it
 * appears or is old enough to be a rolled-back transaction — a revocation is never skipped.
 */
public final class RevocationFollower {
  private static final Logger log = LoggerFactory.getLogger(RevocationFollower.class);
  /** Longer than any revocation transaction stays open; gaps older than this were rollbacks. */
  private static final Duration GAP_TIMEOUT = Duration.ofSeconds(60);
  private static final int MAX_GAPS = 10_000;

  private final Vertx vertx;
  private final RevocationStore store;
  private final Evictions evictions;
  private final Freshness freshness;
  private final TesseraMetrics metrics;
  private final Duration interval;
  private final Clock clock;
  private final String nodeId;
  private final TreeMap<Long, Long> gapsFirstSeenMillis = new TreeMap<>();
  private long lastSeq;
  private boolean polling;
  private long timerId = -1;

  public RevocationFollower(Vertx vertx, RevocationStore store, Evictions evictions, Freshness freshness,
                            TesseraMetrics metrics, Duration interval, Clock clock, String nodeId) {
    this.vertx = vertx;
    this.store = store;
    this.evictions = evictions;
    this.freshness = freshness;
    this.metrics = metrics;
    this.interval = interval;
    this.clock = clock;
    this.nodeId = nodeId;
  }

  /** Loads the live revocations and starts polling. Runs its timer on the context it is called from. */
  public Future<Void> start() {
    long started = clock.millis();
    return store.head().compose(head -> store.live().map(live -> {
      live.forEach(evictions::apply);
      synchronized (this) {
        lastSeq = head;
      }
      freshness.caughtUp(started);
      log.info("revocation log followed from seq {} ({} live revocations)", head, live.size());
      timerId = vertx.setPeriodic(interval.toMillis(), id -> poll());
      return null;
    }));
  }

  /** One catch-up round; public so tests and shutdown can force one. */
  public synchronized Future<Void> poll() {
    if (polling) {
      return Future.succeededFuture();
    }
    polling = true;
    long started = clock.millis();
    long[] gaps = gapsFirstSeenMillis.keySet().stream().mapToLong(Long::longValue).toArray();
    return store.after(lastSeq, gaps)
        .onSuccess(rows -> {
          synchronized (this) {
            rows.forEach(this::apply);
            expireGaps(started);
          }
          freshness.caughtUp(started);
          evictions.sessions().purgeExpired(clock.instant());
        })
        .onFailure(e -> log.warn("revocation catch-up failed ({} since last success): {}",
            freshness.sinceCaughtUp(), e.getMessage()))
        .eventually(() -> {
          synchronized (this) {
            polling = false;
          }
          return Future.succeededFuture();
        })
        .mapEmpty();
  }

  /**
   * A revocation heard on the bus or read from the log; counted for propagation lag if it is news here
   * and another node wrote it (this node's own may be read back before it finished announcing them).
   */
  public void received(Revocation revocation) {
    if (evictions.apply(revocation) && !nodeId.equals(revocation.origin())) {
      metrics.propagation(Duration.ofMillis(clock.millis() - revocation.revokedAt().toEpochMilli()));
    }
  }

  private void apply(Revocation r) {
    received(r);
    long seq = r.seq();
    gapsFirstSeenMillis.remove(seq);
    if (seq > lastSeq) {
      long now = clock.millis();
      for (long missing = Math.max(lastSeq + 1, seq - MAX_GAPS); missing < seq; missing++) {
        gapsFirstSeenMillis.putIfAbsent(missing, now);
      }
      lastSeq = seq;
    }
  }

  private void expireGaps(long now) {
    for (Iterator<Map.Entry<Long, Long>> it = gapsFirstSeenMillis.entrySet().iterator(); it.hasNext(); ) {
      if (now - it.next().getValue() > GAP_TIMEOUT.toMillis()) {
        it.remove();
      }
    }
    while (gapsFirstSeenMillis.size() > MAX_GAPS) {
      gapsFirstSeenMillis.pollFirstEntry();
    }
  }

  public synchronized long lastSeq() {
    return lastSeq;
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  List<Long> gaps() {
    synchronized (this) {
      return List.copyOf(gapsFirstSeenMillis.keySet());
    }
  }
}
