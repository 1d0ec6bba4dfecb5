package dev.tessera.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Failed sign-in back-off per account and per client address. After a few free attempts each further
 * failure doubles the wait, capped, so an attacker is slowed to a crawl but the real user is never
 * locked out for longer than the cap. State is per node (documented): a cluster of n nodes behind a
 * load balancer allows at most n times the attempts.
 */
public final class LoginThrottle {
  static final int FREE_ACCOUNT_FAILURES = 5;
  static final int FREE_ADDRESS_FAILURES = 20;
  static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private record Failures(int count, long lockedUntilMillis) {
  }

  private final Clock clock;
  private final Cache<String, Failures> byAccount;
  private final Cache<String, Failures> byAddress;

  public LoginThrottle(Clock clock) {
    this.clock = clock;
    // Forget failures after a quiet period twice the longest wait; bounded so a spray of usernames
    // cannot grow memory without limit.
    this.byAccount = Caffeine.newBuilder().maximumSize(200_000).expireAfterAccess(MAX_WAIT.multipliedBy(2)).build();
    this.byAddress = Caffeine.newBuilder().maximumSize(200_000).expireAfterAccess(MAX_WAIT.multipliedBy(2)).build();
  }

  /** How long the caller must still wait, if either the account or the address is backing off. */
  public Optional<Duration> waitFor(String accountKey, String address) {
    long now = clock.millis();
    long until = Math.max(lockedUntil(byAccount, accountKey), lockedUntil(byAddress, address));
    return until > now ? Optional.of(Duration.ofMillis(until - now)) : Optional.empty();
  }

  public void failed(String accountKey, String address) {
    long now = clock.millis();
    record(byAccount, accountKey, FREE_ACCOUNT_FAILURES, now);
    record(byAddress, address, FREE_ADDRESS_FAILURES, now);
  }

  public void succeeded(String accountKey) {
    byAccount.invalidate(accountKey);
  }

  private static long lockedUntil(Cache<String, Failures> cache, String key) {
    if (key == null) {
      return 0;
    }
    Failures f = cache.getIfPresent(key);
    return f == null ? 0 : f.lockedUntilMillis();
  }

  private static void record(Cache<String, Failures> cache, String key, int free, long now) {
    if (key == null) {
      return;
    }
    cache.asMap().compute(key, (k, previous) -> {
      int count = previous == null ? 1 : previous.count() + 1;
      long until = 0;
      if (count > free) {
        int doublings = Math.min(count - free - 1, 20);
        long waitMillis = Math.min(1000L << doublings, MAX_WAIT.toMillis());
        until = now + waitMillis;
      }
      return new Failures(count, until);
    });
  }
}
