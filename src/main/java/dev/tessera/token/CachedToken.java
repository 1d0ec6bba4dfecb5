package dev.tessera.token;

import com.github.benmanes.caffeine.cache.Interner;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.TokenKind;
import dev.tessera.domain.TokenRecord;

import java.util.UUID;

/**
 * What a node remembers about a token it has checked. Kept small because a node may hold a million of
 * them: ids as pairs of longs instead of UUID objects, epoch seconds, and shared (interned) scope
 * sets, client ids and usernames. {@link #INACTIVE} stands for every token the database said is not
 * usable, so repeated presentations of a dead token cost no query.
 */
public final class CachedToken {
  /**
   * Usernames and client ids, one copy each while any cached token holds it. Weak, so a deleted user's name
   * goes with their last token; and not String.intern, whose JVM-wide table cost ~0.3 µs a call, twice per
   * cache miss (async-profiler, issue 14).
   */
  private static final Interner<String> SHARED_STRINGS = Interner.newWeakInterner();
  static final CachedToken INACTIVE = new CachedToken(null, null, null, null, null, null, Scopes.NONE, 0, 0);

  private final long idHigh;
  private final long idLow;
  private final long sessionHigh;
  private final long sessionLow;
  private final long userHigh;
  private final long userLow;
  private final TokenKind kind;
  private final String username;
  private final String clientId;
  private final Scopes scopes;
  private final long issuedAt;
  private final long expiresAt;
  /**
   * The one mutable field: the epoch second {@link LastUsedRecorder} last recorded a use of this token in,
   * truncated to an int (only compared for equality). An int fits in the 4 bytes the object's alignment
   * leaves free (96 bytes either way with compressed pointers). Written without synchronisation: two loops
   * racing both record the use, which is harmless.
   */
  private int lastUsedSecond = -1;

  CachedToken(UUID id, TokenKind kind, UUID sessionId, UUID userId, String username, String clientId, Scopes scopes,
              long issuedAt, long expiresAt) {
    this.idHigh = id == null ? 0 : id.getMostSignificantBits();
    this.idLow = id == null ? 0 : id.getLeastSignificantBits();
    this.sessionHigh = sessionId == null ? 0 : sessionId.getMostSignificantBits();
    this.sessionLow = sessionId == null ? 0 : sessionId.getLeastSignificantBits();
    // A random (version 4) UUID is never all zeros, so zero can stand for "no user".
    this.userHigh = userId == null ? 0 : userId.getMostSignificantBits();
    this.userLow = userId == null ? 0 : userId.getLeastSignificantBits();
    this.kind = kind;
    // Every token of a user or client carries the same strings: share one copy.
    this.username = username == null ? null : SHARED_STRINGS.intern(username);
    this.clientId = clientId == null ? null : SHARED_STRINGS.intern(clientId);
    this.scopes = scopes;
    this.issuedAt = issuedAt;
    this.expiresAt = expiresAt;
  }

  static CachedToken from(TokenRecord r) {
    if (r.revoked()) {
      return INACTIVE;
    }
    return new CachedToken(r.id(), r.kind(), r.sessionId(), r.userId(), r.username(), r.clientId(),
        r.scopes(), r.issuedAt().getEpochSecond(), r.expiresAt().getEpochSecond());
  }

  boolean isInactive() {
    return this == INACTIVE;
  }

  public UUID id() {
    return new UUID(idHigh, idLow);
  }

  public TokenKind kind() {
    return kind;
  }

  public UUID sessionId() {
    return isInactive() ? null : new UUID(sessionHigh, sessionLow);
  }

  /** The subject: the user's id, or the client id for client_credentials tokens. */
  public String subject() {
    UUID user = userId();
    return user != null ? user.toString() : clientId;
  }

  public UUID userId() {
    return userHigh == 0 && userLow == 0 ? null : new UUID(userHigh, userLow);
  }

  public String username() {
    return username;
  }

  public String clientId() {
    return clientId;
  }

  public Scopes scopes() {
    return scopes;
  }

  public long issuedAt() {
    return issuedAt;
  }

  public long expiresAt() {
    return expiresAt;
  }

  int lastUsedSecond() {
    return lastUsedSecond;
  }

  void lastUsedSecond(int second) {
    lastUsedSecond = second;
  }
}
