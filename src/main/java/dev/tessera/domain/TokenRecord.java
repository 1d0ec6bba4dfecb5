package dev.tessera.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * What the database knows about one token: its session, owner and lifetime. {@code revoked} folds
 * the session's revocation and the owner's disabling into one answer.
 */
public record TokenRecord(UUID id, TokenKind kind, UUID sessionId, UUID userId, String username,
                          String clientId, Scopes scopes, Instant issuedAt, Instant expiresAt,
                          Instant sessionExpiresAt, boolean revoked, boolean used) {
}
