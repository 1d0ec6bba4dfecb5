package dev.tessera.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * One issued authorization code (RFC 6749 §4.1.2), addressed by its hash. It is bound to the client,
 * the redirect URI, the PKCE challenge (RFC 7636 §4.4), the scopes and the user it was issued for;
 * {@code sessionId} is set once the code is spent, naming the session its exchange created.
 */
public record AuthorizationCode(TokenHash hash, String clientId, String redirectUri, String codeChallenge,
                                Scopes scopes, UUID userId, String device, Instant expiresAt, Instant usedAt,
                                UUID sessionId) {

  public boolean used() {
    return usedAt != null;
  }
}
