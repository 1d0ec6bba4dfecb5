package dev.tessera.auth;

import dev.tessera.domain.Client;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.Optional;

/**
 * Token-bucket limit on the token endpoint (Bucket4j): a caller may burst to twice its per-second rate,
 * then is told when to come back. A confidential client's bucket is its own, since only its holder can
 * spend it; a public client's id is no credential, so its buckets are per (client, address): a flood
 * naming {@code mobile-app} from one address leaves everyone else's sign-ins alone. Where the buckets
 * live is {@link RateBuckets}'s business: this node, or shared by the cluster.
 */
public final class ClientRateLimiter {
  private final BucketConfiguration configuration;
  private final RateBuckets buckets;

  public ClientRateLimiter(long perSecond, RateBuckets buckets) {
    this.configuration = BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(perSecond * 2).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
        .build();
    this.buckets = buckets;
  }

  /** Takes one request from the caller's allowance; the result says how long to wait when there is none. */
  public Future<Optional<Duration>> acquire(Client client, String address) {
    String key = client.confidential() ? client.clientId() : client.clientId() + "\u0000" + address;
    return buckets.tryTake(key, configuration);
  }
}
