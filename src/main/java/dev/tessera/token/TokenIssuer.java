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
import dev.tessera.store.Replacement;
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
import java.util.concurrent.atomic.AtomicReference;

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
  private final Duration reuseGrace;

  public TokenIssuer(Vertx vertx, TokenCodec codec, TokenStore store, Revoker revoker, TesseraMetrics metrics,
                     Clock clock, Duration accessTtl, Duration refreshTtl, Duration reuseGrace) {
    this.vertx = vertx;
    this.codec = codec;
    this.store = store;
    this.revoker = revoker;
    this.metrics = metrics;
    this.clock = clock;
    this.accessTtl = accessTtl;
    this.refreshTtl = refreshTtl;
    this.reuseGrace = reuseGrace;
  }

  /**
   * Starts a new session. {@code user} is null for client_credentials; a refresh token is issued only
   * when the grant and the client allow one.
   */
  public Future<IssuedTokens> issue(GrantType grant, User user, Client client, Scopes scopes, String device) {
    Instant now = now();
    boolean withRefresh = (grant == GrantType.PASSWORD || grant == GrantType.AUTHORIZATION_CODE)
        && client.allows(GrantType.REFRESH_TOKEN);
    Minted access = mint(TokenKind.ACCESS, scopes, now, accessTtl);
    Optional<Minted> refresh = withRefresh ? Optional.of(mint(TokenKind.REFRESH, scopes, now, refreshTtl)) : Optional.empty();
    Instant sessionExpires = refresh.map(r -> r.stored().expiresAt()).orElse(access.stored().expiresAt());
    Session session = new Session(UUID.randomUUID(), user == null ? null : user.id(), client.clientId(), device, scopes,
        now, null, sessionExpires);
    List<NewToken> tokens = new ArrayList<>(List.of(access.stored()));
    refresh.ifPresent(r -> tokens.add(r.stored()));
    return store.createSession(session, user == null ? null : user.passwordHash(), tokens).map(stored -> {
      if (!stored) {
        throw new GrantRejected("the user's password or scopes changed during sign-in; sign in again");
      }
      metrics.issued(grant);
      return new IssuedTokens(access.raw(), accessTtl.toSeconds(), scopes, refresh.map(Minted::raw), session.id());
    });
  }

  /**
   * RFC 6749 §6 with rotation: the presented refresh token is spent and replaced. Presenting a spent
   * token again revokes the whole session (OAuth 2.0 Security BCP §4.14.2): either the client or an
   * attacker holds a copy, and the server cannot tell which — except within {@code reuseGrace} of the
   * rotation, where one retry by a client that lost the answer is renewed (TESSERA_REFRESH_REUSE_GRACE).
   *
   * <p>A refresh never carries a grant forward on trust: inside the rotation's transaction it re-reads
   * the user (gone or disabled → refused) and narrows the session to what the user and the client may
   * have now, so a scope taken away by any path cannot come back through an old refresh token.
   */
  public Future<IssuedTokens> refresh(Client client, String presented, Optional<Scopes> requested) {
    Optional<TokenHash> hash = codec.parse(presented);
    if (hash.isEmpty()) {
      return Future.failedFuture(new GrantRejected("refresh token is invalid, expired or revoked"));
    }
    Instant now = now();
    AtomicReference<Renewal> renewal = new AtomicReference<>();
    return store.rotate(hash.get(), now, reuseGrace, (previous, userScopes) -> {
      if (!previous.clientId().equals(client.clientId())) {
        return Future.failedFuture(new GrantRejected("refresh token was issued to another client"));
      }
      Scopes granted = previous.scopes().intersect(userScopes).intersect(client.scopes());
      Scopes scopes = requested.orElse(granted);
      if (!previous.scopes().containsAll(scopes)) {
        return Future.failedFuture(new ScopeRejected("requested scope exceeds the scope originally granted"));
      }
      if (!granted.containsAll(scopes)) {
        return Future.failedFuture(new ScopeRejected("requested scope is no longer allowed for this user and client"));
      }
      Renewal r = new Renewal(mint(TokenKind.ACCESS, scopes, now, accessTtl), mint(TokenKind.REFRESH, granted, now, refreshTtl),
          scopes);
      renewal.set(r);
      return Future.succeededFuture(new Replacement(List.of(r.access().stored(), r.refresh().stored()), granted,
          r.refresh().stored().expiresAt()));
    }).compose(rotation -> {
      if (rotation instanceof Rotation.Rotated rotated) {
        metrics.issued(GrantType.REFRESH_TOKEN);
        Renewal r = renewal.get();
        return Future.succeededFuture(new IssuedTokens(r.access().raw(), accessTtl.toSeconds(), r.scopes(),
            Optional.of(r.refresh().raw()), rotated.previous().sessionId()));
      }
      if (rotation instanceof Rotation.Reused reused) {
        if (!reused.previous().clientId().equals(client.clientId())) {
          return Future.failedFuture(new GrantRejected("refresh token was issued to another client"));
        }
        return revoker.revokeSessions(List.of(reused.previous().sessionId()), RevocationReason.REUSE)
            .compose(outcome -> Future.failedFuture(new GrantRejected("refresh token was already used; "
                + "the session has been revoked")));
      }
      return Future.failedFuture(new GrantRejected("refresh token is invalid, expired or revoked"));
    });
  }

  /**
   * Starts a browser sign-in session: one session row with one token of kind browser, whose raw value
   * becomes the single sign-on cookie. Being a session, it is listed and revoked like any other.
   */
  public Future<BrowserSession> startBrowserSession(User user, Client client, String device, Duration ttl) {
    Instant now = now();
    Minted cookie = mint(TokenKind.BROWSER, user.scopes(), now, ttl);
    Session session = new Session(UUID.randomUUID(), user.id(), client.clientId(), device, user.scopes(), now, null,
        cookie.stored().expiresAt());
    return store.createSession(session, user.passwordHash(), List.of(cookie.stored())).map(stored -> {
      if (!stored) {
        throw new GrantRejected("the user's password or scopes changed during sign-in; sign in again");
      }
      return new BrowserSession(cookie.raw(), session.id(), ttl);
    });
  }

  /** The tokens minted for one refresh, kept until the rotation commits and they can be handed out. */
  private record Renewal(Minted access, Minted refresh, Scopes scopes) {
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
