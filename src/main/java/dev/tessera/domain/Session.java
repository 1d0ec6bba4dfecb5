package dev.tessera.domain;

import java.time.Instant;
import java.util.UUID;

/** One sign-in on one device: the family of tokens an admin revokes together. */
public record Session(UUID id, UUID userId, String clientId, String device, Scopes scopes,
                      Instant createdAt, Instant lastUsedAt, Instant expiresAt) {
}
