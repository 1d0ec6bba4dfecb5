package dev.tessera.token;

import dev.tessera.domain.Scopes;

import java.util.Optional;
import java.util.UUID;

/** Raw tokens for the one response that shows them; nothing else ever holds them. */
public record IssuedTokens(String accessToken, long expiresIn, Scopes scopes, Optional<String> refreshToken,
                           UUID sessionId) {
  @Override
  public String toString() {
    return "IssuedTokens[session=" + sessionId + ", scopes=" + scopes + "]";
  }
}
