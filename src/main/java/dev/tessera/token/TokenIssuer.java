package dev.tessera.token;

import dev.tessera.domain.Client;
import dev.tessera.domain.GrantType;
import dev.tessera.domain.RevocationReason;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.Session;
import dev.tessera.domain.TokenHash;
import dev.tessera.domain.TokenKind;
import dev.tessera.domain.User;
import dev.tessera.metrics.TesseraMetrics;
import dev.tessera.store.NewToken;
import dev.tessera.store.Rotation;
import dev.tessera.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.prng.VertxContextPRNG;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Mints tokens for a granted session and rotates refresh tokens. */
public final class TokenIssuer {
  private final Vertx vertx;
  private final TokenCodec codec;
  private final TokenStore store;
  private final Revoker revoker;
  private final TesseraMetrics metrics;
  private final Clock clock;
  private final Duration accessTtl;
  private final Duration refreshTtl;

  public TokenIssuer(Vertx vertx, TokenCodec codec, TokenStore store, Revoker revoker, TesseraMetrics metrics,
                     Clock clock, Duration accessTtl, Duration refreshTtl) {
    this.vertx = vertx;
    this.codec = codec;
    this.store = store;
    this.revoker = revoker;
    this.metrics = metrics;
    this.clock = clock;
    this.accessTtl = accessTtl;
    this.refreshTtl = refreshTtl;
  }

  /**
   * Starts a new session. {@code user} is null for client_credentials; a refresh token is issued only
   * when the grant and the client allow one.
   */
  public Future<IssuedTokens> issue(GrantType grant, User user, Client client, Scopes scopes, String device) {
    Instant now = now();
    boolean withRefresh = grant == GrantType.PASSWORD && client.allows(GrantType.REFRESH_TOKEN);
    Minted access = mint(TokenKind.ACCESS, scopes, now, accessTtl);
    Optional<Minted> refresh = withRefresh ? Optional.of(mint(TokenKind.REFRESH, scopes, now, refreshTtl)) : Optional.empty();
    Instant sessionExpires = refresh.map(r -> r.stored().expiresAt()).orElse(access.stored().expiresAt());
    Session session = new Session(UUID.randomUUID(), user == null ? null : user.id(), client.clientId(), device, scopes,
        now, null, sessionExpires);
    List<NewToken> tokens = new ArrayList<>(List.of(access.stored()));
    refresh.ifPresent(r -> tokens.add(r.stored()));
    return store.createSession(session, tokens).map(v -> {
      metrics.issued(grant);
      return new IssuedTokens(access.raw(), accessTtl.toSeconds(), scopes, refresh.map(Minted::raw), session.id());
    });
  }

  /**
   * RFC 6749 §6 with rotation: the presented refresh token is spent and replaced. Presenting a spent
   * token again revokes the whole session (OAuth 2.0 Security BCP §4.14.2): either the client or an
   * attacker holds a copy, and the server cannot tell which.
   */
  public Future<IssuedTokens> refresh(Client client, String presented, Optional<Scopes> requested) {
    Optional<TokenHash> hash = codec.parse(presented);
    if (hash.isEmpty()) {
      return Future.failedFuture(new GrantRejected("refresh token is invalid, expired or revoked"));
    }
    return store.findByHash(hash.get()).compose(found -> {
      if (found.isEmpty() || found.get().kind() != TokenKind.REFRESH) {
        return Future.failedFuture(new GrantRejected("refresh token is invalid, expired or revoked"));
      }
      var previous = found.get();
      if (!previous.clientId().equals(client.clientId())) {
        return Future.failedFuture(new GrantRejected("refresh token was issued to another client"));
      }
      Scopes granted = previous.scopes();
      Scopes scopes = requested.orElse(granted);
      if (!granted.containsAll(scopes)) {
        return Future.failedFuture(new ScopeRejected("requested scope exceeds the scope originally granted"));
      }
      Instant now = now();
      Minted access = mint(TokenKind.ACCESS, scopes, now, accessTtl);
      Minted refresh = mint(TokenKind.REFRESH, granted, now, refreshTtl);
      return store.rotate(hash.get(), now, List.of(access.stored(), refresh.stored()), refresh.stored().expiresAt())
          .compose(rotation -> {
            if (rotation instanceof Rotation.Rotated) {
              metrics.issued(GrantType.REFRESH_TOKEN);
              return Future.succeededFuture(new IssuedTokens(access.raw(), accessTtl.toSeconds(), scopes,
                  Optional.of(refresh.raw()), previous.sessionId()));
            }
            if (rotation instanceof Rotation.Reused reused) {
              return revoker.revokeSessions(List.of(reused.previous().sessionId()), RevocationReason.REUSE)
                  .compose(outcome -> Future.failedFuture(new GrantRejected("refresh token was already used; "
                      + "the session has been revoked")));
            }
            return Future.failedFuture(new GrantRejected("refresh token is invalid, expired or revoked"));
          });
    });
  }

  private record Minted(String raw, NewToken stored) {
  }

  private Minted mint(TokenKind kind, Scopes scopes, Instant now, Duration ttl) {
    byte[] random = new byte[TokenCodec.RANDOM_BYTES];
    VertxContextPRNG.current(vertx).nextBytes(random);
    String raw = codec.encode(random);
    return new Minted(raw, new NewToken(TokenCodec.hash(raw), UUID.randomUUID(), kind, scopes, now, now.plus(ttl)));
  }

  private Instant now() {
    // Whole seconds: iat/exp are integer seconds on the wire (RFC 7662), so store them the same.
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }
}
