package dev.tessera.cluster;

import com.hazelcast.map.IMap;
import dev.tessera.auth.RateBuckets;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.grid.hazelcast.Bucket4jHazelcast;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.Optional;

/**
 * Rate-limit buckets shared by the cluster (bucket4j-hazelcast: each request is one entry processor on
 * the key's owner), so a client's allowance is the configured rate whatever the node count. A bucket is
 * dropped from the map once it would have refilled anyway. Async only, bridged onto the caller's context.
 */
public final class SharedRateBuckets implements RateBuckets {
  private final AsyncProxyManager<String> buckets;
  private final Vertx vertx;

  public SharedRateBuckets(IMap<String, byte[]> map, Vertx vertx) {
    this.buckets = Bucket4jHazelcast.entryProcessorBasedBuilder(map)
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
        .build().asAsync();
    this.vertx = vertx;
  }

  @Override
  public Future<Optional<Duration>> tryTake(String key, BucketConfiguration configuration) {
    return Future.fromCompletionStage(buckets.builder().build(key, configuration).tryConsumeAndReturnRemaining(1),
        vertx.getOrCreateContext()).map(RateBuckets::waitOf);
  }
}
