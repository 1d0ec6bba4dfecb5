package dev.tessera.domain;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** A registered OAuth client. Public clients have no secret; confidential ones store only its hash. */
public record Client(String clientId, String name, Optional<String> secretHash, boolean confidential,
                     Set<GrantType> grantTypes, Scopes scopes, boolean introspect, Instant createdAt) {

  public boolean allows(GrantType grant) {
    return grantTypes.contains(grant);
  }
}
