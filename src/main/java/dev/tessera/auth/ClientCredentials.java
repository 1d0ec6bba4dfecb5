package dev.tessera.auth;

import java.util.List;
import java.util.Optional;

/**
 * A client's claim of identity as read from one request. {@code alternatives} holds other readings of
 * the same header (RFC 6749 §2.3.1 form-decoding versus the raw form some clients send); any one may
 * match.
 */
public record ClientCredentials(String clientId, Optional<String> secret, List<ClientCredentials> alternatives) {
  public static ClientCredentials publicClient(String clientId) {
    return new ClientCredentials(clientId, Optional.empty(), List.of());
  }

  public static ClientCredentials withSecret(String clientId, String secret) {
    return new ClientCredentials(clientId, Optional.of(secret), List.of());
  }
}
