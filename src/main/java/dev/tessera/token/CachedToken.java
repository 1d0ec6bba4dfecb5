package dev.tessera.token;

import dev.tessera.domain.Scopes;
import dev.tessera.domain.TokenKind;
import dev.tessera.domain.TokenRecord;

import java.util.UUID;

/**
 * What a node remembers about a token it has checked. Kept small (epoch seconds, shared scope sets)
 * because a node may hold a million of them. {@link #INACTIVE} stands for every token the database said
 * is not usable, so repeated presentations of a dead token cost no query.
 */
public final class CachedToken {
  static final CachedToken INACTIVE = new CachedToken(null, null, null, null, null, null, Scopes.NONE, 0, 0);

  private final UUID id;
  private final TokenKind kind;
  private final UUID sessionId;
  private final UUID userId;
  private final String username;
  private final String clientId;
  private final Scopes scopes;
  private final long issuedAt;
  private final long expiresAt;

  CachedToken(UUID id, TokenKind kind, UUID sessionId, UUID userId, String username, String clientId, Scopes scopes,
              long issuedAt, long expiresAt) {
    this.id = id;
    this.kind = kind;
    this.sessionId = sessionId;
    this.userId = userId;
    this.username = username;
    this.clientId = clientId;
    this.scopes = scopes;
    this.issuedAt = issuedAt;
    this.expiresAt = expiresAt;
  }

  static CachedToken from(TokenRecord r) {
    if (r.revoked()) {
      return INACTIVE;
    }
    return new CachedToken(r.id(), r.kind(), r.sessionId(), r.userId(), r.username(), r.clientId(), r.scopes(),
        r.issuedAt().getEpochSecond(), r.expiresAt().getEpochSecond());
  }

  boolean isInactive() {
    return this == INACTIVE;
  }

  public UUID id() {
    return id;
  }

  public TokenKind kind() {
    return kind;
  }

  public UUID sessionId() {
    return sessionId;
  }

  /** The subject: the user's id, or the client id for client_credentials tokens. */
  public String subject() {
    return userId != null ? userId.toString() : clientId;
  }

  public UUID userId() {
    return userId;
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
}
