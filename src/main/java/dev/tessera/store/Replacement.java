package dev.tessera.store;

import dev.tessera.domain.Scopes;

import java.time.Instant;
import java.util.List;

/**
 * What a refresh puts in place of the spent refresh token: the new tokens, the scopes the session still
 * grants, and how long it now lives.
 */
public record Replacement(List<NewToken> tokens, Scopes sessionScopes, Instant sessionExpiresAt) {
}
