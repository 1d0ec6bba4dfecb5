package dev.tessera.token;

import dev.tessera.domain.Client;
import dev.tessera.domain.RevocationReason;
import dev.tessera.domain.TokenHash;
import dev.tessera.store.TokenStore;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;

/**
 * RFC 7009 revocation by a client of one of its own tokens. Revoking either the access or the
 * refresh token ends the session, since a logout means "this sign-in is over".
 */
public final class ClientRevocation {
  /** The token exists but belongs to another client (RFC 7009 §2.1: refuse and say so). */
  public static final class NotOwner extends RuntimeException {
    public NotOwner() {
      super("the token was not issued to this client", null, false, false);
    }
  }

  private final TokenCodec codec;
  private final TokenStore store;
  private final Revoker revoker;

  public ClientRevocation(TokenCodec codec, TokenStore store, Revoker revoker) {
    this.codec = codec;
    this.store = store;
    this.revoker = revoker;
  }

  /** Completes once the revocation is durable; unknown and malformed tokens complete too (RFC 7009 §2.2). */
  public Future<RevocationOutcome> revoke(Client caller, String presented) {
    Optional<TokenHash> hash = codec.parse(presented);
    if (hash.isEmpty()) {
      return Future.succeededFuture(new RevocationOutcome(0, Propagation.localOnly()));
    }
    return store.findByHash(hash.get()).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(new RevocationOutcome(0, Propagation.localOnly()));
      }
      if (!found.get().clientId().equals(caller.clientId())) {
        return Future.failedFuture(new NotOwner());
      }
      return revoker.revokeSessions(List.of(found.get().sessionId()), RevocationReason.CLIENT);
    });
  }
}
