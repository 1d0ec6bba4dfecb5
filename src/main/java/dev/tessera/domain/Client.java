package dev.tessera.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A registered OAuth client. Public clients have no secret; confidential ones store only its hash.
 * {@code redirectUris} are where the authorization code grant may send the browser back (see {@link RedirectUri}).
 */
public record Client(String clientId, String name, Optional<String> secretHash, boolean confidential,
                     Set<GrantType> grantTypes, Scopes scopes, boolean introspect, List<String> redirectUris,
                     Instant createdAt) {

  public Client {
    redirectUris = List.copyOf(redirectUris);
  }

  public boolean allows(GrantType grant) {
    return grantTypes.contains(grant);
  }
}
