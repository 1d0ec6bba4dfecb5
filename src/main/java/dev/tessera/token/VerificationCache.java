package dev.tessera.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tessera.domain.TokenHash;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * This node's memory of verification results, keyed by token hash, bounded by size and by each
 * token's own expiry. It holds no revocation state: {@link TokenVerifier} checks every hit against
 * {@link RevokedSessions}.
 */
public final class VerificationCache {
  /** A dead token stays dead; remember it a while so replays of it cost no query. */
  private static final long INACTIVE_TTL_NANOS = TimeUnit.MINUTES.toNanos(5);

  private final Cache<TokenHash, CachedToken> entries;

  public VerificationCache(long maxTokens) {
    entries = Caffeine.newBuilder()
        .maximumSize(maxTokens)
        // Caffeine's default hands its bookkeeping (replaying reads into the eviction policy) to the common
        // ForkJoinPool: at tens of thousands of hits a second that is a thread wake-up every few hundred
        // reads, ~3 % of the event loop in unpark alone, and a third busy thread on a 2-core node. Done by
        // the thread that fills the read buffer instead, it is the same bounded work without the hand-off.
        .executor(Runnable::run)
        .expireAfter(new Expiry<TokenHash, CachedToken>() {
          @Override
          public long expireAfterCreate(TokenHash key, CachedToken value, long currentTime) {
            if (value.isInactive()) {
              return INACTIVE_TTL_NANOS;
            }
            long remainingMillis = value.expiresAt() * 1000 - System.currentTimeMillis();
            return TimeUnit.MILLISECONDS.toNanos(Math.max(0, remainingMillis));
          }

          @Override
          public long expireAfterUpdate(TokenHash key, CachedToken value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          @Override
          public long expireAfterRead(TokenHash key, CachedToken value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  CachedToken get(TokenHash hash) {
    return entries.getIfPresent(hash);
  }

  void put(TokenHash hash, CachedToken token) {
    entries.put(hash, token);
  }

  void evict(TokenHash hash) {
    entries.invalidate(hash);
  }

  public long size() {
    return entries.estimatedSize();
  }

  /** Drops everything, e.g. after the node was cut off from revocations for longer than its bound. */
  public void clear() {
    entries.invalidateAll();
  }

  static Duration inactiveTtl() {
    return Duration.ofNanos(INACTIVE_TTL_NANOS);
  }
}
