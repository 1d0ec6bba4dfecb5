package dev.tessera.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One committed row of the revocation log: the sessions it ended, when, until when nodes must remember
 * it (the latest expiry among those sessions' access tokens), which node wrote it, and the client whose
 * cached copy every node must forget (deleted or changed; null when no client changed).
 */
public record Revocation(long seq, List<UUID> sessionIds, RevocationReason reason, Instant revokedAt,
                         Instant expiresAt, String origin, String clientId) {
}
