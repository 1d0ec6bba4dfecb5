package dev.tessera.token;

import dev.tessera.store.TokenStore;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a node reports ready: the live access tokens most recently used anywhere in the cluster, read in
 * one query into its cache. A restarted node then takes a warm node's share of traffic as cache hits,
 * instead of one database read per token in its first seconds (bench/run.sh cold-start: 2.5 s p99 and
 * 2 % of a warm node's rate in the first five seconds, without it).
 *
 * <p>Safe against revocations racing it because it runs after the revocation follower has started: a
 * revocation committed before the query is filtered out by it, and one committed after is replayed by the
 * follower and checked against every hit ({@link RevokedSessions}).
 */
public final class CacheWarmup {
  private static final Logger log = LoggerFactory.getLogger(CacheWarmup.class);

  private CacheWarmup() {
  }

  /** Never fails: a node that cannot warm up starts cold, as it always could. */
  public static Future<Void> run(TokenStore store, VerificationCache cache, int limit) {
    if (limit <= 0) {
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    return store.recentlyUsed(limit).<Void>map(found -> {
      found.forEach(f -> cache.put(f.hash(), CachedToken.from(f.record())));
      log.info("cache warmed with {} recently used access tokens in {} ms", found.size(),
          (System.nanoTime() - started) / 1_000_000);
      return null;
    }).recover(e -> {
      log.warn("cache warm-up skipped, starting cold: {}", e.getMessage());
      return Future.succeededFuture();
    });
  }
}
