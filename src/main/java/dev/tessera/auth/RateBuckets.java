package dev.tessera.auth;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.Optional;

/** Where rate-limit buckets live: {@link LocalRateBuckets} on one node, or the cluster's shared map. */
public interface RateBuckets {
  /** Takes one token from the bucket under {@code key} (created with {@code configuration}); empty if taken, else how long to wait. */
  Future<Optional<Duration>> tryTake(String key, BucketConfiguration configuration);

  static Optional<Duration> waitOf(ConsumptionProbe probe) {
    return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }
}
