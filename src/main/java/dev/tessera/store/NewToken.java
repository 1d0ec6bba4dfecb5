package dev.tessera.store;

import dev.tessera.domain.Scopes;
import dev.tessera.domain.TokenHash;
import dev.tessera.domain.TokenKind;

import java.time.Instant;
import java.util.UUID;

/** A token about to be stored: its hash, never its raw value. */
public record NewToken(TokenHash hash, UUID id, TokenKind kind, Scopes scopes, Instant issuedAt, Instant expiresAt) {
}
