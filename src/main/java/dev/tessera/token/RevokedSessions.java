package dev.tessera.token;

import dev.tessera.domain.Revocation;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every revoked session this node knows of, until its tokens would have expired anyway. Kept apart
 * from the positive cache and consulted on every cache hit, so a cached "active" entry can never outlive
 * a known revocation — whatever the order in which a slow database read and a revocation arrive, and
 * even while the database is unreachable.
 */
public final class RevokedSessions {
  private final ConcurrentHashMap<UUID, Long> expiresAtBySession = new ConcurrentHashMap<>();

  /** Idempotent. @return whether any of the sessions was not known to be revoked before */
  public boolean add(Revocation revocation) {
    long expires = revocation.expiresAt().getEpochSecond();
    boolean news = false;
    for (UUID session : revocation.sessionIds()) {
      news |= expiresAtBySession.put(session, expires) == null;
    }
    return news;
  }

  public boolean contains(UUID sessionId) {
    return sessionId != null && expiresAtBySession.containsKey(sessionId);
  }

  /** Forgets revocations whose sessions have expired: nothing can present their tokens successfully. */
  public void purgeExpired(Instant now) {
    long cutoff = now.getEpochSecond();
    expiresAtBySession.values().removeIf(expires -> expires < cutoff);
  }

  public int size() {
    return expiresAtBySession.size();
  }
}
