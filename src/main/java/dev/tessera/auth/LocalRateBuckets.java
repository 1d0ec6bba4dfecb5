package dev.tessera.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.Optional;

/** Buckets in this node's memory (single-node mode); idle ones are dropped after ten minutes. */
public final class LocalRateBuckets implements RateBuckets {
  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

  @Override
  public Future<Optional<Duration>> tryTake(String key, BucketConfiguration configuration) {
    Bucket bucket = buckets.get(key, k -> {
      var builder = Bucket.builder();
      for (var limit : configuration.getBandwidths()) {
        builder.addLimit(limit);
      }
      return builder.build();
    });
    return Future.succeededFuture(RateBuckets.waitOf(bucket.tryConsumeAndReturnRemaining(1)));
  }
}
