package dev.tessera.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;
import java.util.Optional;

/**
 * Per-client token-bucket limit on the token endpoint (Bucket4j): a client may burst to twice its
 * per-second rate, then is told when to come back. Like the sign-in back-off it is per node.
 */
public final class ClientRateLimiter {
  private final long perSecond;
  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

  public ClientRateLimiter(long perSecond) {
    this.perSecond = perSecond;
  }

  /** Takes one request from the client's allowance; returns how long to wait when there is none. */
  public Optional<Duration> acquire(String clientId) {
    Bucket bucket = buckets.get(clientId, id -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(perSecond * 2).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
        .build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }
}
