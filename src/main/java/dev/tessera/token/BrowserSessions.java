package dev.tessera.token;

import dev.tessera.domain.Client;
import dev.tessera.domain.RevocationReason;
import dev.tessera.domain.TokenKind;
import dev.tessera.domain.TokenRecord;
import dev.tessera.domain.User;
import dev.tessera.store.TokenStore;
import dev.tessera.store.UserStore;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Browser sign-in sessions behind the single sign-on cookie. Every lookup goes to the database, never to
 * a node's cache: a revoked session or a disabled user ends the cookie on every node at once.
 */
public final class BrowserSessions {
  private final TokenCodec codec;
  private final TokenStore tokens;
  private final UserStore users;
  private final TokenIssuer issuer;
  private final Revoker revoker;
  private final Clock clock;
  private final Duration lifetime;

  public BrowserSessions(TokenCodec codec, TokenStore tokens, UserStore users, TokenIssuer issuer, Revoker revoker,
                         Clock clock, Duration lifetime) {
    this.codec = codec;
    this.tokens = tokens;
    this.users = users;
    this.issuer = issuer;
    this.revoker = revoker;
    this.clock = clock;
    this.lifetime = lifetime;
  }

  public Future<BrowserSession> start(User user, Client client, String device) {
    return issuer.startBrowserSession(user, client, device, lifetime);
  }

  /** The signed-in user behind a cookie, if its session is live and the user is enabled. */
  public Future<Optional<User>> user(String cookie) {
    return live(cookie).compose(found -> found.isEmpty() ? Future.succeededFuture(Optional.empty())
        : users.findById(found.get().userId()).map(user -> user.filter(u -> !u.disabled())));
  }

  /** Ends the session behind a cookie (sign-out); unknown or dead cookies are already signed out. */
  public Future<Void> end(String cookie) {
    return live(cookie).compose(found -> found.isEmpty() ? Future.succeededFuture()
        : revoker.revokeSessions(List.of(found.get().sessionId()), RevocationReason.CLIENT).mapEmpty());
  }

  private Future<Optional<TokenRecord>> live(String cookie) {
    var hash = cookie == null ? Optional.<dev.tessera.domain.TokenHash>empty() : codec.parse(cookie);
    if (hash.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return tokens.findByHash(hash.get()).map(found -> found.filter(t -> t.kind() == TokenKind.BROWSER && !t.revoked()
        && t.userId() != null && t.expiresAt().isAfter(clock.instant())));
  }
}
